extension OutcomeRecord {
    /// Writes the record as one JSON Lines line (the JSONL report's form): every column,
    /// empty cells as `null`.
    public func writeJSONLine(to json: inout JSONWriter) {
        json.beginObject()
        writeColumns(to: &json)
        json.endObject()
        json.endLine()
    }
}
