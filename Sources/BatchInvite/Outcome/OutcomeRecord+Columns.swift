/// A row's outcome as JSON members, shared by the JSON Lines report and the journal.
extension OutcomeRecord {
    /// The report's columns as JSON members, in the report's order, without braces: the
    /// JSON Lines report's line and the journal's outcome record share them.
    func appendColumns(to line: inout [UInt8]) {
        line.append(contentsOf: "\"row\":".utf8)
        TextBytes.appendInteger(row, to: &line)
        line.append(contentsOf: ",\"line\":".utf8)
        TextBytes.appendInteger(self.line, to: &line)
        line.append(contentsOf: ",\"key\":".utf8)
        Self.append(key, to: &line)
        line.append(contentsOf: ",\"status\":\"".utf8)
        line.append(contentsOf: status.rawValue.utf8)
        line.append(contentsOf: "\",\"http_status\":".utf8)
        Self.append(httpStatus, to: &line)
        line.append(contentsOf: ",\"message\":".utf8)
        Self.append(message, to: &line)
        line.append(contentsOf: ",\"invitation_status\":".utf8)
        Self.append(invitationStatus, to: &line)
        line.append(contentsOf: ",\"expires_at\":".utf8)
        Self.append(expiresAt, to: &line)
        line.append(contentsOf: ",\"attempts\":".utf8)
        Self.append(attempts, to: &line)
    }

    private static func append(_ value: Int?, to line: inout [UInt8]) {
        if let value {
            TextBytes.appendInteger(value, to: &line)
        } else {
            line.append(contentsOf: "null".utf8)
        }
    }

    private static func append(_ text: String, to line: inout [UInt8]) {
        if text.isEmpty {
            line.append(contentsOf: "null".utf8)
        } else {
            TextBytes.appendJSONString(text, to: &line)
        }
    }
}
