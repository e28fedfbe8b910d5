/// Reading what a definition says an answer means, and its rate.
extension TargetDefinition {
    private static let answerKeys = [
        "success_statuses", "success_tests", "success_message", "invitation_status",
        "expires_at", "message", "unreadable_success", "already_invited", "failed_tests",
        "errors_are_json",
    ]

    static func readAnswer(_ value: JSONValue?, reader: inout DefinitionReader) -> AnswerRules {
        var rules = AnswerRules(
            successStatuses: [], successTests: [], successMessage: [], invitationStatus: nil,
            expiresAt: nil, message: [JSONPointer("/message")!], unreadable: [:],
            unreadableOther: .unclear, alreadyInvitedStatuses: [], alreadyInvitedWords: [],
            failedTests: .message, errorsAreJSON: false)
        guard let value, let spec = reader.object(value, "/answer", allowed: answerKeys) else {
            return rules
        }
        rules.successStatuses =
            reader.statuses(spec["success_statuses"], "/answer/success_statuses", in: 200...299)
            ?? []
        if let tests = spec["success_tests"] {
            guard case .array(let elements) = tests else {
                reader.fail("/answer/success_tests", "expected an array of tests")
                return rules
            }
            rules.successTests = elements.enumerated().compactMap {
                readTest($1, at: "/answer/success_tests/\($0)", reader: &reader)
            }
        }
        rules.successMessage =
            reader.pointers(spec["success_message"], "/answer/success_message") ?? []
        rules.invitationStatus = reader.pointer(
            spec["invitation_status"], "/answer/invitation_status", wildcard: false)
        rules.expiresAt = reader.pointer(spec["expires_at"], "/answer/expires_at", wildcard: false)
        rules.message = reader.pointers(spec["message"], "/answer/message") ?? rules.message
        readUnreadable(spec["unreadable_success"], into: &rules, reader: &reader)
        if let text = reader.string(spec["failed_tests"], "/answer/failed_tests") {
            if let parsed = FailedTests(rawValue: text) {
                rules.failedTests = parsed
            } else {
                reader.fail(
                    "/answer/failed_tests",
                    "expected one of "
                        + FailedTests.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        rules.errorsAreJSON =
            reader.bool(spec["errors_are_json"], "/answer/errors_are_json") ?? false
        readAlreadyInvited(spec["already_invited"], into: &rules, reader: &reader)
        return rules
    }

    /// When a refusal means "already invited": `{"statuses": [422], "words": [[...]]}`.
    private static func readAlreadyInvited(
        _ value: JSONValue?, into rules: inout AnswerRules, reader: inout DefinitionReader
    ) {
        if let already = value,
            let inner = reader.object(
                already, "/answer/already_invited", allowed: ["statuses", "words"],
                required: ["words"])
        {
            rules.alreadyInvitedStatuses =
                reader.statuses(
                    inner["statuses"], "/answer/already_invited/statuses", in: 100...599)
                ?? []
            if case .array(let alternatives)? = inner["words"], !alternatives.isEmpty {
                rules.alreadyInvitedWords = alternatives.enumerated().compactMap {
                    let words = reader.strings($1, "/answer/already_invited/words/\($0)")
                    return words.map { $0.map { $0.lowercased() } }
                }
            } else {
                reader.fail(
                    "/answer/already_invited/words",
                    "expected an array of alternatives, each an array of words ([[\"already\", \"invit\"]])"
                )
            }
        }
    }

    private static func readTest(_ value: JSONValue, at: String, reader: inout DefinitionReader)
        -> JSONTest?
    {
        guard
            let spec = reader.object(
                value, at, allowed: ["pointer", "equals", "not_equals", "absent_or_null"],
                required: ["pointer"])
        else { return nil }
        let pointer = reader.pointer(spec["pointer"], at + "/pointer", wildcard: false)
        let kinds = ["equals", "not_equals", "absent_or_null"].filter { spec[$0] != nil }
        guard kinds.count == 1 else {
            reader.fail(at, "expected exactly one of equals, not_equals, absent_or_null")
            return nil
        }
        guard let pointer else { return nil }
        switch kinds[0] {
        case "equals": return JSONTest(pointer: pointer, kind: .equals(spec["equals"]!))
        case "not_equals": return JSONTest(pointer: pointer, kind: .notEquals(spec["not_equals"]!))
        default:
            guard spec["absent_or_null"] == .bool(true) else {
                reader.fail(at + "/absent_or_null", "expected true")
                return nil
            }
            return JSONTest(pointer: pointer, kind: .absentOrNull)
        }
    }

    private static func readUnreadable(
        _ value: JSONValue?, into rules: inout AnswerRules, reader: inout DefinitionReader
    ) {
        guard let value else { return }
        guard case .object(let members) = value else {
            reader.fail("/answer/unreadable_success", "expected an object of statuses and verdicts")
            return
        }
        let verdicts = Verdict.allCases.map(\.rawValue)
        for member in members {
            let at = DefinitionReader.child("/answer/unreadable_success", member.key)
            guard let text = reader.string(member.value, at), let verdict = Verdict(rawValue: text)
            else {
                reader.fail(at, "expected one of " + verdicts.joined(separator: ", "))
                continue
            }
            if member.key == "other" {
                rules.unreadableOther = verdict
            } else if let status = Int(member.key), (200...299).contains(status) {
                rules.unreadable[status] = verdict
            } else {
                reader.fail(at, "expected a 2xx status or \"other\" as the key")
            }
        }
    }

    static func readRate(_ value: JSONValue?, reader: inout DefinitionReader) -> RateRules {
        var rules = RateRules(
            defaultRate: 10, resetHeader: nil, resetUnit: .seconds, limitedWhen: [])
        guard let value,
            let spec = reader.object(
                value, "/rate", allowed: ["default", "reset_header", "reset_unit", "limited_when"])
        else { return rules }
        rules.defaultRate =
            reader.number(spec["default"], "/rate/default", in: 0.001...1_000_000) ?? 10
        rules.resetHeader = reader.string(spec["reset_header"], "/rate/reset_header")
        if let header = rules.resetHeader, !DefinitionReader.isHeaderName(header) {
            reader.fail("/rate/reset_header", "expected a header name")
        }
        if let unit = reader.string(spec["reset_unit"], "/rate/reset_unit") {
            if let parsed = ResetUnit(rawValue: unit) {
                rules.resetUnit = parsed
            } else {
                reader.fail(
                    "/rate/reset_unit",
                    "expected one of " + ResetUnit.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        guard let limited = spec["limited_when"] else { return rules }
        guard case .array(let elements) = limited else {
            reader.fail(
                "/rate/limited_when", "expected an array of {status, header, equals or present}")
            return rules
        }
        for (index, element) in elements.enumerated() {
            let at = "/rate/limited_when/\(index)"
            guard
                let condition = reader.object(
                    element, at, allowed: ["status", "header", "equals", "present"],
                    required: ["status", "header"]),
                let status = reader.integer(condition["status"], at + "/status", in: 401...403),
                let header = reader.string(condition["header"], at + "/header")
            else { continue }
            if status == 402 { reader.fail(at + "/status", "expected 401 or 403") }
            // The header's value, or (`"present": true`) any value: GitHub's secondary limit
            // is a 403 with `retry-after`.
            switch (condition["equals"], condition["present"]) {
            case (let value?, nil):
                guard let equals = reader.string(value, at + "/equals", emptyAllowed: true)
                else { continue }
                rules.limitedWhen.append((Int(status), header, equals))
            case (nil, .bool(true)?):
                rules.limitedWhen.append((Int(status), header, nil))
            case (nil, _?):
                reader.fail(at + "/present", "expected true")
            default:
                reader.fail(at, "expected either equals (the header's value) or \"present\": true")
            }
        }
        return rules
    }
}
