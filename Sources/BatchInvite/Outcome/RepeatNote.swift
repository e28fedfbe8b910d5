#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The note a row's message carries when its person may have been invited more than once:
/// the row was sent again after an answer was lost, or after an earlier run stopped while
/// sending it (`(note: ...; this person may have been invited twice)`). Every such note has
/// `words` in it, so that the HTML page can find and count those rows in a report or a
/// journal.
public enum RepeatNote {
    /// What every such note says, followed by `twice` or `more than once`.
    public static let words: StaticString = "this person may have been invited"

    /// Whether `message` carries such a note.
    public static func isIn(_ message: UnsafeRawBufferPointer) -> Bool {
        let needle = words
        let count = needle.utf8CodeUnitCount
        guard message.count >= count, let base = message.baseAddress else { return false }
        // Each place of the first letter that leaves room for the words, compared with them.
        var at = 0
        let last = message.count - count
        while at <= last,
            let found = memchr(base + at, Int32(needle.utf8Start.pointee), last - at + 1)
        {
            at = UnsafeRawPointer(found) - base
            if memcmp(found, needle.utf8Start, count) == 0 { return true }
            at += 1
        }
        return false
    }
}
