/// An outcome as the journal writes it.
extension OutcomeRecord {
    /// An outcome's members, then its time and the closing brace: the report's columns
    /// (row, line, key and status first: a reader's walk stops once it has them, empty ones
    /// as `null`), then `at`.
    func appendJournalMembers(at time: Int64, to out: inout [UInt8]) {
        appendColumns(to: &out)
        out.append(contentsOf: ",\"at\":".utf8)
        TextBytes.appendInteger(Int(time), to: &out)
        out.append(UInt8(ascii: "}"))
    }
}
