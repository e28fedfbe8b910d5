/// What an answer means under a definition's `answer` rules (made once per target: an
/// answer copies none of them).
final class DefinitionAnswer: Sendable {
    let rules: TargetDefinition.AnswerRules

    init(rules: TargetDefinition.AnswerRules) {
        self.rules = rules
    }

    func interpret(status: Int, body: [UInt8]) -> Answer {
        let parsed = try? body.withUnsafeBytes { try JSONParser.parse($0) }
        let success = (200..<300).contains(status)
        guard let json = parsed, case .object = json else {
            if success { return unreadable(status: status, body: body) }
            return .refused(
                message: rules.errorsAreJSON
                    ? Self.unexpected(status, body) : "HTTP \(status): " + AnswerText.excerpt(body))
        }
        if success {
            if (rules.successStatuses.isEmpty || rules.successStatuses.contains(status))
                && rules.successTests.allSatisfy({ $0.holds(in: json) })
            {
                return .invited(
                    message: firstText(rules.successMessage, in: json) ?? "",
                    invitationStatus: rules.invitationStatus?.first(in: json)?.text ?? "",
                    expiresAt: rules.expiresAt?.first(in: json)?.text ?? "")
            }
            if rules.failedTests == .unexpected {
                return .refused(message: Self.unexpected(status, body))
            }
        }
        guard let message = firstText(rules.message, in: json) else {
            return .refused(
                message: success && rules.failedTests == .message
                    ? Self.unexpected(status, body) : "HTTP \(status): " + AnswerText.excerpt(body))
        }
        // A refusal, whatever its status: a 2xx that failed the success tests (Slack's
        // 200 with `"ok": false, "error": "already_invited"`) is read as one too.
        if saysAlreadyInvited(status: status, json: json) {
            return .alreadyInvited(message: message)
        }
        return .refused(message: message)
    }

    private static func unexpected(_ status: Int, _ body: [UInt8]) -> String {
        "unexpected answer (HTTP \(status)): " + AnswerText.excerpt(body)
    }

    /// The reason phrases of the 2xx statuses (RFC 9110), for notes about them.
    private static let reasons = [
        200: " OK", 201: " Created", 202: " Accepted", 203: " Non-Authoritative Information",
        204: " No Content", 205: " Reset Content", 206: " Partial Content",
    ]

    /// A 2xx whose body is not a JSON object.
    private func unreadable(status: Int, body: [UInt8]) -> Answer {
        let excerpt = AnswerText.excerpt(body)
        switch rules.unreadable[status] ?? rules.unreadableOther {
        case .invited:
            return .invited(
                message: "invited (note: HTTP \(status)\(Self.reasons[status] ?? ""), but the "
                    + "answer was not the JSON the API "
                    + "documents: " + excerpt + ")", invitationStatus: "", expiresAt: "")
        case .refused:
            return .refused(message: Self.unexpected(status, body))
        case .unclear:
            return .unclear(
                message: "HTTP \(status) with an answer that is not the API's JSON: " + excerpt)
        }
    }

    /// The first non-empty text the pointers find: a string or a number as written, or an
    /// object or array quoted as JSON.
    private func firstText(_ pointers: [JSONPointer], in json: JSONValue) -> String? {
        var found: String?
        for pointer in pointers where found == nil {
            pointer.visit(json) { value in
                switch value {
                case .string(let text) where !text.isEmpty: found = text
                case .number(let text): found = text
                case .object, .array: found = value.encoded
                default: break
                }
                return found != nil
            }
        }
        return found
    }

    /// Whether a message the API wrote, anywhere the message pointers look, says the person
    /// already has an invitation.
    private func saysAlreadyInvited(status: Int, json: JSONValue) -> Bool {
        guard !rules.alreadyInvitedWords.isEmpty,
            rules.alreadyInvitedStatuses.isEmpty || rules.alreadyInvitedStatuses.contains(status)
        else { return false }
        let texts = rules.message.flatMap { $0.values(in: json) }.compactMap { value -> String? in
            if case .string(let text) = value { return text.lowercased() }
            return nil
        }
        return texts.contains { text in
            rules.alreadyInvitedWords.contains { words in
                var rest = Substring(text)
                for word in words {
                    guard let found = rest.range(of: word) else { return false }
                    rest = rest[found.upperBound...]
                }
                return true
            }
        }
    }
}
