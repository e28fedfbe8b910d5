/// An outcome as the journal writes it.
extension OutcomeRecord {
    /// An outcome's members, then its time and the closing brace: row, line, key and
    /// status first (a reader's walk stops once it has them), every column, empty ones
    /// as `null`.
    func appendJournalMembers(at time: Int64, to out: inout [UInt8]) {
        let outcome = self
        func text(_ value: String) {
            if value.isEmpty {
                out.append(contentsOf: "null".utf8)
            } else {
                TextBytes.appendJSONString(value, to: &out)
            }
        }
        func number(_ value: Int?) {
            if let value {
                TextBytes.appendInteger(value, to: &out)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        }
        out.append(contentsOf: "\"row\":".utf8)
        TextBytes.appendInteger(outcome.row, to: &out)
        out.append(contentsOf: ",\"line\":".utf8)
        TextBytes.appendInteger(outcome.line, to: &out)
        out.append(contentsOf: ",\"key\":".utf8)
        text(outcome.key)
        out.append(contentsOf: ",\"status\":\"".utf8)
        out.append(contentsOf: outcome.status.rawValue.utf8)
        out.append(contentsOf: "\",\"http_status\":".utf8)
        number(outcome.httpStatus)
        out.append(contentsOf: ",\"message\":".utf8)
        text(outcome.message)
        out.append(contentsOf: ",\"invitation_status\":".utf8)
        text(outcome.invitationStatus)
        out.append(contentsOf: ",\"expires_at\":".utf8)
        text(outcome.expiresAt)
        out.append(contentsOf: ",\"attempts\":".utf8)
        number(outcome.attempts)
        out.append(contentsOf: ",\"at\":".utf8)
        TextBytes.appendInteger(Int(time), to: &out)
        out.append(UInt8(ascii: "}"))
    }
}
