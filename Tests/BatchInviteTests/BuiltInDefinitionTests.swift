import Testing

@testable import BatchInvite

/// The two built-ins are definitions now (compiled in as text); these tests hold each to
/// the Swift it replaced (`Reference/`), case by case: the same fields, checks and keys,
/// the same requests, the same reading of every answer and rate-limit header.
@Suite struct BuiltInDefinitionTests {
    static let pairs: [(builtIn: any Target, reference: any Target)] = [
        (SendosoTarget(), ReferenceSendoso()), (CyberArkSMSTarget(), ReferenceCyberArkSMS()),
    ]

    @Test func theDefinitionsAreValidAndNamedAsBefore() throws {
        for source in [SendosoTarget.definition, CyberArkSMSTarget.definition] {
            let definition = try TargetDefinition.parse(Array(source.utf8)).get()
            #expect(Targets.named(definition.name) != nil)
        }
        #expect(Targets.all.map(\.name) == ["sendoso", "cyberark-sms"])
        #expect(Targets.all.allSatisfy { $0.definitionDigest == nil })
    }

    @Test func fieldsAliasesOptionsAndFullNamesAreTheSame() {
        for (builtIn, reference) in Self.pairs {
            #expect(builtIn.name == reference.name)
            #expect(builtIn.keyField == reference.keyField)
            #expect(builtIn.defaultPath == reference.defaultPath)
            #expect(builtIn.defaultRate == reference.defaultRate)
            #expect(builtIn.defaultBaseURL == nil && builtIn.tokenHeader == nil)
            #expect(builtIn.fields.count == reference.fields.count)
            for (new, old) in zip(builtIn.fields, reference.fields) {
                #expect(new.name == old.name)
                #expect(new.aliases == old.aliases)
                #expect(new.acceptsNumber == old.acceptsNumber)
                #expect(new.optional == old.optional)
                #expect(new.defaultOption?.name == old.defaultOption?.name)
                #expect(new.defaultOption?.value == old.defaultOption?.value)
                #expect(new.defaultOption?.help == old.defaultOption?.help)
                #expect(new.defaultOption?.choices == old.defaultOption?.choices)
            }
            #expect(builtIn.fullName?.first == reference.fullName?.first)
            #expect(builtIn.fullName?.last == reference.fullName?.last)
            #expect(builtIn.fullName?.aliases == reference.fullName?.aliases)
        }
    }

    /// Values each field is tried with: valid ones, each rule's faults, blanks, numbers.
    static let sendosoValues: [[FieldTry]] = [
        [
            .text("Ada"), .text("  Zoë "), .text(""), .text("A\u{1}b"), .text("Bad\u{85}x"),
            .text(String(repeating: "n", count: 256)), .text(String(repeating: "é", count: 255)),
            .missing, .number("5"), .kind(.bool),
        ],
        [.text("Lovelace"), .text(""), .text(" "), .text("O'Brien-Smith"), .missing],
        [
            .text("Ada@Example.COM"), .text(" ada@x.io "), .text("bob@"), .text(""),
            .text("a b@x.io"), .text("x@[127.0.0.1]"), .missing, .number("7"),
        ],
        [
            .text("manager"), .text("Regular"), .text(" MANAGER "), .text("admin"), .text(""),
            .missing, .number("1"),
        ],
        [
            .text("12"), .text("0012"), .number("42"), .number("-3"), .number("1.5"),
            .text("0"), .text("-1"), .text("9223372036854775807"),
            .text("9223372036854775808"), .text("12a"), .text(""), .missing, .kind(.array),
        ],
    ]

    static let cyberArkValues: [[FieldTry]] = [
        [
            .text("3F2504E0-4F89-11D3-9A0C-0305E82C3301"),
            .text("{3f2504e0-4f89-11d3-9a0c-0305e82c3301}"),
            .text(" 3f2504e0-4f89-11d3-9a0c-0305e82c3301 "), .text("3f2504e0"),
            .text("{3f2504e0-4f89-11d3-9a0c-0305e82c3301"), .text(""), .missing, .number("1"),
        ]
    ]

    @Test func everyRowIsCheckedKeyedAndSentAsBefore() {
        for ((builtIn, reference), tries) in zip(
            Self.pairs, [Self.sendosoValues, Self.cyberArkValues])
        {
            // Each field's every value, with the other fields at their first (valid) value.
            for (field, values) in tries.enumerated() {
                for value in values {
                    var row = tries.map { $0[0] }
                    row[field] = value
                    let new = Self.check(builtIn, row)
                    let old = Self.check(reference, row)
                    #expect(new.key == old.key, "\(builtIn.name) \(row)")
                    #expect(new.problems == old.problems, "\(builtIn.name) \(row)")
                    guard new.problems.isEmpty else { continue }
                    for path in [builtIn.defaultPath, "/other/path"] {
                        guard let newPayload = Self.check(builtIn, row, path: path).payload,
                            let oldPayload = Self.check(reference, row, path: path).payload
                        else { continue }
                        #expect(
                            APIRequest(builtIn.requestFrame(path: path), payload: newPayload)
                                == APIRequest(
                                    reference.requestFrame(path: path), payload: oldPayload),
                            "\(builtIn.name) \(row)")
                    }
                }
            }
        }
    }

    /// Statuses and bodies of every kind: the documented ones, their faults, other JSON.
    static var answers: [(Int, String)] {
        let statuses = [200, 201, 202, 204, 400, 404, 409, 422, 501]
        var bodies = [
            "", "<html>busy</html>", "[1]", "\"text\"", "null", "{", "{}",
            #"{"success":true,"message":"Invitation sent","invitation_status":"pending","expires_at":"2026-12-31T00:00:00Z"}"#,
            #"{"success":true,"invitation_status":3,"expires_at":null}"#,
            #"{"success":false,"message":"Email has already been invited"}"#,
            #"{"success":false,"message":"Email is invalid"}"#,
            #"{"message":"User has ALREADY been invited"}"#, #"{"message":""}"#,
            #"{"success":"true","message":"x"}"#, #"{"success":null}"#,
            #"{"success":true,"Result":null,"Message":null,"Error":null}"#,
            #"{"success":true,"Message":"SMS sent"}"#,
            #"{"success":false,"Message":"no such user","ErrorID":"E1"}"#,
            #"{"success":true,"Error":"partial failure"}"#,
            #"{"success":false,"Error":{"code":1},"Message":"m"}"#,
            #"{"success":false,"Error":["a","b"]}"#, #"{"success":false,"Error":""}"#,
            #"{"success":false,"Error":null,"Message":"","ErrorID":"E9"}"#,
            #"{"Error":"bad id"}"#, #"{"success":false}"#,
        ]
        bodies.append(String(repeating: "x", count: 300))
        return statuses.flatMap { status in bodies.map { (status, $0) } }
    }

    @Test func everyAnswerMeansWhatItMeantBefore() {
        for (builtIn, reference) in Self.pairs {
            for (status, body) in Self.answers {
                #expect(
                    builtIn.interpret(status: status, body: Array(body.utf8))
                        == reference.interpret(status: status, body: Array(body.utf8)),
                    "\(builtIn.name) HTTP \(status) \(body)")
            }
        }
    }

    /// Where the Swift was not what a definition says, the definition's reading: a number
    /// where the message is is shown (CyberArk skipped it), and an object there is quoted
    /// (Sendoso showed the whole body).
    @Test func messagesOfOtherKindsAreShownAsDefinitionsShowThem() {
        #expect(
            CyberArkSMSTarget().interpret(status: 200, body: Array(#"{"Error":5}"#.utf8))
                == .refused(message: "5"))
        #expect(
            SendosoTarget().interpret(status: 400, body: Array(#"{"message":{"a":1}}"#.utf8))
                == .refused(message: #"{"a":1}"#))
    }

    @Test func rateLimitHeadersAreReadAsBefore() {
        let now = 1_800_000_000.0
        for (builtIn, reference) in Self.pairs {
            for value in ["30", "0", "-5", "1800000042", "1e3", "soon", ""] {
                let headers = HTTPHeaders([("X-Rate-Limit-Reset", value)])
                #expect(
                    builtIn.rateLimitWait(headers, now: now)
                        == reference.rateLimitWait(headers, now: now), "\(value)")
                #expect(!builtIn.isRateLimit(status: 403, headers: headers))
            }
        }
    }

    // MARK: - Rows

    enum FieldTry: CustomStringConvertible {
        case text(String)
        case number(String)
        case kind(JSONKind)
        case missing

        var description: String {
            switch self {
            case .text(let text): return "\"\(text.prefix(20))\""
            case .number(let text): return text
            case .kind(let kind): return "\(kind)"
            case .missing: return "missing"
            }
        }
    }

    /// The key, the problems and (for a valid row) the payload `target` makes of `row`.
    static func check(_ target: any Target, _ row: [FieldTry], path: String? = nil) -> (
        key: [UInt8], problems: [String], payload: [UInt8]?
    ) {
        let storage = row.map { value -> [UInt8] in
            switch value {
            case .text(let text), .number(let text): return Array(text.utf8)
            default: return []
            }
        }
        var key = RowKey()
        var problems = RowProblems()
        var payload: [UInt8]?
        func run(_ index: Int, _ buffers: [UnsafeRawBufferPointer]) {
            if index < storage.count {
                storage[index].withUnsafeBytes { run(index + 1, buffers + [$0]) }
                return
            }
            let values = zip(row, buffers).map { value, bytes -> FieldValue in
                switch value {
                case .text: return .text(bytes)
                case .number: return .number(bytes)
                case .kind(let kind): return .wrongKind(kind)
                case .missing: return .missing
                }
            }
            values.withUnsafeBufferPointer {
                target.validate(RowValues($0), key: &key, problems: &problems)
                if problems.isEmpty {
                    payload = target.payload(RowValues($0), path: path ?? target.defaultPath)
                }
            }
        }
        run(0, [])
        return (key.withUnsafeBytes { Array($0) }, problems.reasons, payload)
    }
}
