extension RowSource {
    /// Reads a JSON document's array of people (`JSONDocumentReader`), each element a row
    /// mapped as a JSON Lines record is.
    func readJSONDocument(_ body: (Row) throws -> Void) throws {
        let options = self.options
        // A second pass (for an array found only at the end) reads a file as the first did.
        let reopen: (() throws -> TextInput)? =
            input.size == nil
            ? nil
            : {
                try TextInput(
                    path: options.path, encoding: options.encoding, skipLines: options.skipLines)
            }
        let reader = JSONDocumentReader(
            input: input, arrayPath: options.jsonArray, reopen: reopen)
        reader.onNote = onWarning
        defer { jsonArray = reader.arrayPath }
        try readJSONRecords(reader, body)
    }
}
