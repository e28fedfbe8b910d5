/// Reads one JSON document whose people are an array of objects, element by element: a
/// document that is the array (`[{...}, {...}]`: Auth0, Slack), or an object holding it
/// under a member (`{"users": [...]}`: Firebase; `{"realm": ..., "users": [...]}`:
/// Keycloak). Memory holds a chunk of the file and one element, whatever the array's size.
///
/// The array read is the one `arrayPath` names (`users`; `data.users`, the member `users`
/// of the member `data`); else, in a top-level object, the first member whose name is one
/// of `FormatChoice.arrayNames` and whose value is an array of objects (or an empty
/// array), said in a note; else the only member that is an array of objects, read in a
/// second pass of the file (an input that cannot be read twice stops with the
/// `--json-array` to give). Several such members, none named so, or none at all stop with
/// `BatchInviteError.input` listing them and the `--json-array` to give.
///
/// The document around the elements is checked as JSON: an error there stops reading with
/// the line and column. Inside an element only strings and brackets are followed: each
/// element is handed on as its bytes, with the line it starts on, for the caller to parse,
/// so an element that is not a valid object is that row's problem and reading goes on.
public final class JSONDocumentReader {
    /// The limit on one element's size; a larger one is reported, not kept.
    public static let maxElementBytes = JSONLinesReader.maxLineBytes

    private let input: TextInput
    private let givenPath: [String]?
    private let reopen: (() throws -> TextInput)?
    /// Told which member is read when the reader chose it.
    public var onNote: (String) -> Void = { _ in }
    /// The members that lead to the array read (empty: the document is the array), once
    /// reading found it.
    public private(set) var arrayPath: [String]?

    /// Reads `input`; `arrayPath` (dotted) names the array, nil finds it. `reopen` opens
    /// the input again for a second pass, nil when it cannot be read twice.
    public init(input: TextInput, arrayPath: String?, reopen: (() throws -> TextInput)?) {
        self.input = input
        givenPath = arrayPath.map {
            $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        }
        self.reopen = reopen
    }

    /// Calls `body` with each element of the array: the line it starts on and its bytes
    /// (nil for an element over `maxElementBytes`), valid only during the call.
    public func forEachElement(_ body: (Int, UnsafeRawBufferPointer?) throws -> Void) throws {
        let name = input.displayName
        var walker = JSONDocumentWalker(name: name, path: givenPath, line: input.linesSkipped + 1)
        walker.onNote = onNote
        try input.forEachChunk { try walker.feed($0, body) }
        try walker.finish()
        if let chosen = walker.outline.chosen {
            arrayPath = chosen
            return
        }
        if let givenPath {
            throw BatchInviteError.input(
                "\(name) has no member \"\(TextBytes.shown(givenPath.joined(separator: ".")))\" "
                    + "(--json-array); \(walker.outline.membersDescription)")
        }
        let candidates = walker.outline.candidates
        let options = candidates.map { "--json-array \"\(TextBytes.shown($0.key))\"" }
        switch candidates.count {
        case 0:
            throw BatchInviteError.input(
                "\(name) is one JSON object and none of its members is an array of objects, so "
                    + "it holds no rows; \(walker.outline.membersDescription); if the people are deeper, "
                    + "give the path to their array: --json-array data.users")
        case 1:
            let key = candidates[0].key
            guard let again = try reopen?() else {
                throw BatchInviteError.input(
                    "\(name) is one JSON object whose only array of objects is \"\(TextBytes.shown(key))\", "
                        + "which is not named like a list of people and cannot be read in a second "
                        + "pass of a stream: give \(options[0]) to read it")
            }
            onNote(
                "note: \(name) is one JSON object: reading the people in its member "
                    + "\"\(TextBytes.shown(key))\", its only array of objects")
            var second = JSONDocumentWalker(name: name, path: [key], line: again.linesSkipped + 1)
            try again.forEachChunk { try second.feed($0, body) }
            try second.finish()
            arrayPath = [key]
        default:
            throw BatchInviteError.input(
                "\(name) is one JSON object with several arrays of objects, none named like a list "
                    + "of people: "
                    + candidates.map {
                        "\"\(TextBytes.shown($0.key))\" (\($0.count) \($0.count == 1 ? "object" : "objects"))"
                    }
                    .joined(separator: ", ") + "; give " + options.joined(separator: " or ")
                    + " to read one")
        }
    }

    /// An element parsed as a record, as `JSONLinesReader.record` parses a line; the place
    /// of an error is counted from the element's start (`at byte 12 of the element`, `on
    /// line 9`), since the element may span lines.
    public static func record(_ bytes: UnsafeRawBufferPointer?, line: Int) -> JSONLinesReader.Record
    {
        guard let bytes else {
            return JSONLinesReader.Record(
                line: line, members: .failure(RecordProblemError(.lineTooLong)))
        }
        do {
            switch try JSONParser.parse(bytes, loneSurrogates: .refused) {
            case .object(let found):
                return JSONLinesReader.Record(line: line, members: .success(found))
            case let other:
                return JSONLinesReader.Record(
                    line: line,
                    members: .failure(
                        RecordProblemError(
                            .notAnObject("expected a JSON object, found \(other.kindDescription)")))
                )
            }
        } catch {
            guard TextBytes.isValidUTF8(bytes) else {
                return JSONLinesReader.Record(
                    line: line, members: .failure(RecordProblemError(.invalidText)))
            }
            let offset = min(max(error.column - 1, 0), bytes.count)
            let breaks = UnsafeRawBufferPointer(rebasing: bytes[..<offset]).reduce(0) {
                $0 + ($1 == 0x0A ? 1 : 0)
            }
            let place =
                breaks == 0 ? "at byte \(error.column) of the element" : "on line \(line + breaks)"
            return JSONLinesReader.Record(
                line: line,
                members: .failure(RecordProblemError(.notAnObject("\(error.message) \(place)"))))
        }
    }
}
