/// A row's outcome as JSON members, shared by the JSON Lines report and the journal.
extension OutcomeRecord {
    /// The report's columns as members of the object `json` is writing, in the report's
    /// order, empty ones as `null`: the JSON Lines report's line and the journal's outcome
    /// record share them.
    func writeColumns(to json: inout JSONWriter) {
        json.member("row", row)
        json.member("line", line)
        json.member("key", Self.cell(key))
        json.member("status", status.rawValue)
        json.member("http_status", httpStatus)
        json.member("message", Self.cell(message))
        json.member("invitation_status", Self.cell(invitationStatus))
        json.member("expires_at", Self.cell(expiresAt))
        json.member("attempts", attempts)
    }

    /// A text column's value: nil (`null`) when empty.
    private static func cell(_ text: String) -> String? {
        text.isEmpty ? nil : text
    }
}
