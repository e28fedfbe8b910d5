extension OutcomeRecord {
    /// Appends the record as one JSON Lines line (the JSONL report's form): every column,
    /// empty cells as `null`.
    public func appendJSON(to line: inout [UInt8]) {
        line.append(UInt8(ascii: "{"))
        appendColumns(to: &line)
        line.append(contentsOf: "}\n".utf8)
    }
}
