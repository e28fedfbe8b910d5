@testable import BatchInvite

/// The CyberArk SMS target as it was written in Swift before the built-ins became
/// definitions (version 1.0.0), kept as the oracle for `BuiltInDefinitionTests`.
struct ReferenceCyberArkSMS: Target {
    let name = "cyberark-sms"
    let keyField = 0
    let fields: [FieldSpec] = [
        FieldSpec(
            name: "ID",
            aliases: [
                "User ID", "User UUID", "UUID", "Identifier", "Identifiant", "Benutzer-ID",
                "ID de usuario",
            ])
    ]

    init() {}

    func validate(_ values: RowValues, key: inout RowKey, problems: inout RowProblems) {
        guard let id = trimmedText(values, 0, problems: &problems) else { return }
        key.setLowercased(FieldRules.unbraced(id))
        FieldRules.checkUUID(id, field: "ID", problems: &problems)
    }

    let defaultPath = "/UserMgmt/SendSmsInvite"

    /// CyberArk publishes no rate limit: the same safe rate as Sendoso's.
    let defaultRate = 10.0

    /// CyberArk documents no rate-limit header of its own.
    func rateLimitWait(_ headers: HTTPHeaders, now: Double) -> Double? { nil }

    /// The ID as the API is sent it: bare (no braces) and lower-cased, as the row's key, in
    /// the query; no body.
    func payload(_ values: RowValues, path: String) -> [UInt8] {
        var discard = RowProblems()
        guard let id = trimmedText(values, 0, problems: &discard) else { return [] }
        // A UUID is letters, digits and hyphens: nothing to escape in a query.
        return Array((path + "?ID=").utf8)
            + FieldRules.unbraced(id).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } + [0]
    }

    func requestFrame(path: String) -> APIRequest {
        APIRequest(method: "POST", pathAndQuery: "", body: [], contentType: nil)
    }

    /// Success is `success` not false and `Error` null or absent; otherwise the most
    /// specific text: `Error`, then `Message`, then `ErrorID`.
    func interpret(status: Int, body: [UInt8]) -> Answer {
        guard let json = try? body.withUnsafeBytes({ try JSONParser.parse($0) }),
            case .object = json
        else {
            // Success is written in the body: a 200 without a readable one says nothing.
            if (200..<300).contains(status) {
                return .unclear(
                    message: "HTTP \(status) with an answer that is not the API's JSON: "
                        + AnswerText.excerpt(body))
            }
            return .refused(
                message: "unexpected answer (HTTP \(status)): " + AnswerText.excerpt(body))
        }
        let error = json["Error"]
        let failed = json["success"] == .bool(false) || (error != nil && error != .null)
        if (200..<300).contains(status) && !failed {
            return .invited(
                message: json["Message"]?.text ?? "", invitationStatus: "", expiresAt: "")
        }
        for candidate in [error, json["Message"], json["ErrorID"]] {
            switch candidate {
            case .string(let text)? where !text.isEmpty: return .refused(message: text)
            case .object?, .array?: return .refused(message: candidate.map { $0.encoded } ?? "")
            default: continue
            }
        }
        return .refused(message: "HTTP \(status): " + AnswerText.excerpt(body))
    }
}
