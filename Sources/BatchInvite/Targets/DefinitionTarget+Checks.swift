/// How a definition's target checks a row: each field by the rule it names, the same
/// checks the tool's own targets always used, from plain values so that a row costs what
/// the hand-written checks cost (BENCHMARKS.md, issue 28).
extension DefinitionTarget {
    public func validate(_ values: RowValues, key: inout RowKey, problems: inout RowProblems) {
        checks.withUnsafeBufferPointer { checks in
            for index in 0..<checks.count {
                let check = checks[index]
                let text: UnsafeRawBufferPointer
                if case .text(let bytes) = values[index] {
                    text = FieldRules.trimmed(bytes)  // the common case, as `trimmedText` does
                } else {
                    if case .missing = values[index], !check.required { continue }
                    guard let other = trimmedText(values, index, problems: &problems) else {
                        continue
                    }
                    text = other
                }
                if text.isEmpty && !check.required { continue }
                switch check.key {
                case .none: break
                case .unbraced: key.setLowercased(FieldRules.unbraced(text))
                case .lowercased: key.setLowercased(text)
                case .exact: key.set(Array(text))
                }
                // Lent, not retained and released for each row.
                check.words._withUnsafeGuaranteedRef {
                    Self.check(text, check, $0, problems: &problems)
                    // A value the path places must stay one segment of it.
                    // (An empty one was told "is empty".)
                    if check.inPath, !text.isEmpty, text.count <= 2,
                        text.allSatisfy({ $0 == UInt8(ascii: ".") })
                    {
                        problems.add($0.name, text, "cannot be placed in the URL's path")
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func check(
        _ text: UnsafeRawBufferPointer, _ check: Check, _ words: FieldWords,
        problems: inout RowProblems
    ) {
        switch check.rule {
        case .text:
            FieldRules.checkName(
                text, maxLength: check.maxLength, field: words.name, problems: &problems)
        case .email: FieldRules.checkEmail(text, field: words.name, problems: &problems)
        case .uuid: FieldRules.checkUUID(text, field: words.name, problems: &problems)
        case .choice:
            FieldRules.checkChoice(text, words.choices!, field: words.name, problems: &problems)
        case .integer:
            FieldRules.checkInteger(text, in: check.range, field: words.name, problems: &problems)
        case .phone: FieldRules.checkPhone(text, field: words.name, problems: &problems)
        case .url: FieldRules.checkURL(text, field: words.name, problems: &problems)
        }
    }

    /// A field's name (for messages) and the words of a `choice` field.
    final class FieldWords: Sendable {
        let name: String
        let choices: FieldRules.Choices?

        init(_ field: TargetDefinition.Field) {
            name = field.name
            if case .choice(let words) = field.rule { choices = words } else { choices = nil }
        }
    }

    /// A field's check as plain values: a row copies nothing that needs counting. Safe to
    /// share: immutable, and `words` points at an immutable object the target holds.
    struct Check: @unchecked Sendable {
        enum Rule { case text, email, uuid, choice, integer, phone, url }
        enum Key { case none, unbraced, lowercased, exact }
        let rule: Rule
        let key: Key
        let required: Bool
        let maxLength: Int
        let range: ClosedRange<Int64>
        /// Held by the target's `words`.
        let words: Unmanaged<FieldWords>
        /// Whether the request's path places it.
        let inPath: Bool

        init(_ field: TargetDefinition.Field, isKey: Bool, inPath: Bool, words: FieldWords) {
            self.words = Unmanaged.passUnretained(words)
            self.inPath = inPath
            var maxLength = 0
            var range: ClosedRange<Int64> = 0...0
            switch field.rule {
            case .text(let length): (rule, maxLength) = (.text, length)
            case .email: rule = .email
            case .uuid: rule = .uuid
            case .choice: rule = .choice
            case .integer(let bounds): (rule, range) = (.integer, bounds)
            case .phone: rule = .phone
            case .url: rule = .url
            }
            self.maxLength = maxLength
            self.range = range
            required = field.required
            if !isKey {
                key = .none
            } else if rule == .uuid {
                key = .unbraced
            } else {
                key = field.keyLowercased ? .lowercased : .exact
            }
        }
    }

    /// Each field's value as it is sent (nil when empty): trimmed, a UUID bare and lower
    /// case, a choice as the definition writes it, a number without leading zeros, a phone
    /// number as `+` and digits.
    func sentValues(_ values: RowValues) -> [String?] {
        var discard = RowProblems()
        var sent: [String?] = []
        sent.reserveCapacity(checks.count)
        checks.withUnsafeBufferPointer { checks in
            for index in 0..<checks.count {
                if case .missing = values[index] {
                    sent.append(nil)
                    continue
                }
                guard let text = trimmedText(values, index, problems: &discard), !text.isEmpty
                else {
                    sent.append(nil)
                    continue
                }
                let check = checks[index]
                switch check.rule {
                case .uuid:
                    sent.append(
                        String(decoding: FieldRules.unbraced(text), as: UTF8.self).lowercased())
                case .choice:
                    sent.append(
                        check.words._withUnsafeGuaranteedRef { $0.choices!.canonical(text) })
                case .integer: sent.append(FieldRules.integer(text).map { String($0) })
                case .phone: sent.append(FieldRules.canonicalPhone(text))
                default: sent.append(String(decoding: text, as: UTF8.self))
                }
            }
        }
        return sent
    }
}
