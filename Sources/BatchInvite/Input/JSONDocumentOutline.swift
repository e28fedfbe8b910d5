/// What the walk through a JSON document learns of its top level: the array read, once
/// found; the top-level object's arrays of objects not read, with their sizes; and its
/// first members with what each is, for messages.
struct JSONDocumentOutline {
    /// The members that lead to the array read (empty: the document is the array).
    var chosen: [String]?
    /// The top-level object's arrays of objects not read, with their sizes.
    private(set) var candidates: [(key: String, count: Int)] = []
    /// The top-level object's first members, and what each is.
    private var members: [String] = []
    private var memberCount = 0

    /// The top-level object's members, for messages.
    var membersDescription: String {
        guard memberCount > 0 else { return "the object is empty" }
        return "its members: " + members.joined(separator: ", ")
            + (memberCount > members.count ? ", ..." : "")
    }

    /// The top-level object has a member `key` (its first 20 are described).
    mutating func addMember(_ key: String) {
        memberCount += 1
        if members.count < 20 { members.append("\"\(TextBytes.shown(key))\"") }
    }

    /// Adds what the top-level object's current member is to its description.
    mutating func describeMember(_ what: String) {
        if memberCount <= members.count { members[members.count - 1] += " (\(what))" }
    }

    /// The top-level object's member `key` is an array of `count` objects, not read.
    mutating func addCandidate(_ key: String, count: Int) {
        candidates.append((key, count))
    }
}
