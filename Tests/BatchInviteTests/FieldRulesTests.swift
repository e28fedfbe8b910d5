import Foundation
import Testing

@testable import BatchInvite

/// Runs a rule on a string's bytes, about a field without a name: its message, or nil
/// when the value passes.
func apply(
    _ rule: (UnsafeRawBufferPointer, String, inout RowProblems) -> Void, _ value: String
) -> String? {
    var bytes = Array(value.utf8)
    var problems = RowProblems()
    bytes.withUnsafeMutableBytes { rule(UnsafeRawBufferPointer($0), "", &problems) }
    return problems.isEmpty ? nil : problems.text
}

/// The embeddings, overrides and isolates, which reorder the text after them.
let bidiControls = Set<UInt32>([
    0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
])

func trimmed(_ value: String) -> String {
    var bytes = Array(value.utf8)
    return bytes.withUnsafeMutableBytes {
        String(decoding: FieldRules.trimmed(UnsafeRawBufferPointer($0)), as: UTF8.self)
    }
}

@Suite struct FieldRulesTests {
    @Test(arguments: [
        "ada@example.com", "Grace.Hopper@Example.COM", "a.b+tag@sub.example.co.uk",
        "o'brien@example.ie",
        "x!#$%&'*+/=?^_`{|}~-@example.com", "a@b-c.de", "1@2.3",
    ])
    func acceptsValidEmails(email: String) {
        #expect(apply({ FieldRules.checkEmail($0, field: $1, problems: &$2) }, email) == nil)
    }

    @Test(arguments: [
        ("bob@", "\"bob@\" is not an email address"),
        ("@example.com", "\"@example.com\" is not an email address"),
        ("bob", "\"bob\" is not an email address"),
        ("bob@localhost", "\"bob@localhost\" is not an email address (the domain has no dot)"),
        ("bob@ex..com", "\"bob@ex..com\" is not an email address"),
        ("bob@-ex.com", "\"bob@-ex.com\" is not an email address"),
        ("bob@ex-.com", "\"bob@ex-.com\" is not an email address"),
        ("bo b@ex.com", "\"bo b@ex.com\" is not an email address"),
        ("bob@ex.com.", "\"bob@ex.com.\" is not an email address"),
        ("a@b@c.com", "\"a@b@c.com\" is not an email address"),
        ("\"quoted\"@ex.com", "\"\\\"quoted\\\"@ex.com\" is not an email address"),
        (
            "josé@example.com",
            "\"josé@example.com\" is not an email address (only ASCII characters are accepted)"
        ),
        ("", "is empty"),
    ])
    func refusesInvalidEmails(email: String, message: String) {
        #expect(apply({ FieldRules.checkEmail($0, field: $1, problems: &$2) }, email) == message)
    }

    @Test func refusesEmailsOver254Characters() {
        let long =
            String(repeating: "a", count: 64) + "@" + String(repeating: "b", count: 60) + "."
            + String(repeating: "c", count: 60) + "." + String(repeating: "d", count: 60)
            + ".eeeeeeeeee.com"
        #expect(
            apply({ FieldRules.checkEmail($0, field: $1, problems: &$2) }, long)
                == "is \(long.count) characters long, at most 254 are allowed")
        #expect(
            apply(
                { FieldRules.checkEmail($0, field: $1, problems: &$2) },
                "a@" + String(repeating: "b", count: 64) + ".com") != nil)
    }

    /// The blanks trimmed from the edges of a value are exactly Unicode's White_Space (and
    /// U+200B, U+FEFF), every code point checked against the standard library's properties;
    /// names count characters and find control characters as Unicode does.
    @Test func blanksAndControlsAreUnicodesOwnForEveryCodePoint() {
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let blank = scalar.properties.isWhitespace || value == 0x200B || value == 0xFEFF
            let text = String(scalar)
            #expect(
                trimmed(text + "x" + text) == (blank ? "x" : text + "x" + text),
                "U+\(String(value, radix: 16))")
            let control = scalar.properties.generalCategory == .control
            let message = apply({ FieldRules.checkName($0, field: $1, problems: &$2) }, "a" + text)
            #expect(
                (message?.contains("control character") ?? false) == control,
                "U+\(String(value, radix: 16))")
            #expect(
                (message?.contains("a bidirectional control") ?? false)
                    == bidiControls.contains(value), "U+\(String(value, radix: 16))")
        }
        #expect(
            apply({ FieldRules.checkName($0, maxLength: 3, field: $1, problems: &$2) }, "Zoë")
                == nil)
        #expect(
            apply({ FieldRules.checkName($0, maxLength: 3, field: $1, problems: &$2) }, "Zoëé")
                == "is 4 characters long, at most 3 are allowed")
    }

    /// `shown` copies eight plain ASCII bytes at a time: random mixes of plain runs, bytes to
    /// escape and UTF-8 come out as a character-by-character rendering says, at limits that
    /// fall anywhere.
    @Test func valuesAreShownAsEachCharacterSays() {
        func reference(_ bytes: [UInt8], limit: Int) -> String {
            var out = ""
            var count = 0
            var index = 0
            while index < bytes.count {
                if count == limit { return out + "…" }
                count += 1
                let byte = bytes[index]
                let rest = Array(bytes[index...])
                var length = 0
                for candidate in 1...min(4, rest.count)
                where String(validating: rest[0..<candidate], as: UTF8.self) != nil {
                    length = candidate
                    break
                }
                switch byte {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x09: out += "\\t"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0..<0x20, 0x7F: out += String(format: "\\x%02x", byte)
                case 0xC2 where length == 2 && rest[1] <= 0x9F:
                    out += String(format: "\\xc2\\x%02x", rest[1])
                default:
                    let scalar =
                        String(decoding: rest[0..<max(length, 1)], as: UTF8.self)
                        .unicodeScalars.first?.value ?? 0
                    if byte < 0x80 {
                        out += String(UnicodeScalar(byte))
                    } else if length > 0 && bidiControls.contains(scalar) {
                        out += "\\u" + String(scalar, radix: 16, uppercase: true)
                    } else if length > 0 {
                        out += String(decoding: rest[0..<length], as: UTF8.self)
                    } else {
                        out += String(format: "\\x%02x", byte)
                    }
                }
                index += max(length, 1)
            }
            return out
        }
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [
            Array("abcdefgh".utf8), Array("ada.lovelace@example.org".utf8), [0x22], [0x5C], [0x09],
            [0x0A], [0x01], [0x7F], [0x20], [0xC3, 0xA9], [0xC2, 0x85], [0xE2, 0x80, 0xA6], [0xFF],
            [0xF0, 0x9F, 0x98, 0x80], [0xE2, 0x80, 0xAE], [0xE2, 0x81, 0xA6], [0xE2, 0x80, 0x8F],
        ]
        for _ in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...8, using: &generator) {
                bytes += pieces.randomElement(using: &generator)!
            }
            let limit = Int.random(in: 1...70, using: &generator)
            let shown = bytes.withUnsafeBytes { TextBytes.shown($0, limit: limit) }
            #expect(shown == reference(bytes, limit: limit), "\(bytes) \(limit)")
        }
    }

    /// The hand-written UTF-8 check agrees with the standard library's on every kind of
    /// sequence: ASCII runs, each lead byte, overlong forms, surrogates, past U+10FFFF, cut.
    @Test func utf8IsCheckedAsTheStandardLibraryDoes() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [
            [0x41], Array("abcdefghij".utf8), [0xC3, 0xA9], [0xC0, 0x80], [0xC1, 0xBF], [0xC2],
            [0xE0, 0x80, 0x80], [0xE0, 0xA0, 0x80], [0xED, 0xA0, 0x80], [0xED, 0x9F, 0xBF],
            [0xEF, 0xBB, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80],
            [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0x80], [0xBF], [0xFF], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
        ]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                bytes += pieces.randomElement(using: &generator)!
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(bytes.withUnsafeBytes { TextBytes.isValidUTF8($0) } == expected, "\(bytes)")
            // What is not UTF-8 is shown as bytes, what is shows as itself.
            let shown = bytes.withUnsafeBytes { TextBytes.shown($0, limit: 100) }
            let text = String(decoding: bytes, as: UTF8.self)
            let plain = !text.unicodeScalars.contains {
                $0.properties.generalCategory == .control || $0 == "\"" || $0 == "\\"
            }
            if expected && plain { #expect(shown == text) }
            if !expected { #expect(shown.contains("\\x")) }
        }
    }

    @Test func emailCharacterTableMatchesTheWhatwgLists() {
        let alphanumeric = Set(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        let localPart = alphanumeric.union(".!#$%&'*+/=?^_`{|}~-".utf8)
        let table = FieldRules.emailClasses
        #expect(table.utf8CodeUnitCount == 256)
        for byte in UInt8(0)...255 {
            let bits = table.utf8Start[Int(byte)] - UInt8(ascii: "0")
            #expect((bits & 1 == 1) == localPart.contains(byte), "byte \(byte)")
            #expect((bits & 2 == 2) == alphanumeric.contains(byte), "byte \(byte)")
        }
    }

    @Test(
        arguments: [
            ("Ada", nil), ("Zoë-Ünal O'Neil", nil), ("", "is empty"),
            ("A\tB", "\"A\\tB\" contains a control character"),
            ("A\u{7}B", "\"A\\x07B\" contains a control character"),
            ("A\u{85}B", "\"A\\xc2\\x85B\" contains a control character"),
            (String(repeating: "é", count: 255), nil),
            (String(repeating: "é", count: 256), "is 256 characters long, at most 255 are allowed"),
        ] as [(String, String?)])
    func namesMustBePrintableAndShort(name: String, message: String?) {
        #expect(apply({ FieldRules.checkName($0, field: $1, problems: &$2) }, name) == message)
    }

    @Test(
        arguments: [
            ("regular", nil), ("Manager", nil), ("REGULAR", nil),
            ("admin", "\"admin\" must be regular or manager"),
            ("", "is empty, it must be regular or manager"),
        ] as [(String, String?)])
    func roleIsOneOfTwo(role: String, message: String?) {
        #expect(
            apply(
                { FieldRules.checkChoice($0, SendosoTarget.roles, field: $1, problems: &$2) }, role)
                == message)
    }

    /// Choices compares eight bytes at once: every byte value in every place of each word
    /// (and the words cut short or made longer) gets the answer of a plain comparison, so
    /// `@` is not `` ` ``, `[` is not `{`, and `Ä` is not `ä`.
    @Test func choicesMatchOnlyTheirWordsInAnyASCIICase() {
        let choices = FieldRules.Choices(["regular", "manager", "x", "a`{z"])
        func plain(_ bytes: [UInt8]) -> Bool {
            let lowered = bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            return choices.words.contains { Array($0.utf8) == lowered }
        }
        var checked = 0
        for word in choices.words + ["regula", "managers", ""] {
            let base = Array(word.utf8)
            for place in 0..<max(base.count, 1) {
                for byte in 0...255 {
                    var bytes = base
                    if bytes.isEmpty { bytes = [UInt8(byte)] } else { bytes[place] = UInt8(byte) }
                    let found = bytes.withUnsafeBytes { choices.contains($0) }
                    #expect(found == plain(bytes), "\(bytes)")
                    checked += 1
                }
            }
        }
        #expect(checked == 256 * (7 + 7 + 1 + 4 + 6 + 8 + 1))
    }

    @Test(
        arguments: [
            ("1234", nil), ("1", nil), ("007", nil), ("9223372036854775807", nil),
            ("0", "\"0\" must be a whole number from 1 to 9223372036854775807"),
            (
                "9223372036854775808",
                "\"9223372036854775808\" must be a whole number from 1 to 9223372036854775807"
            ),
            ("-5", "\"-5\" must be a whole number from 1 to 9223372036854775807"),
            ("12a", "\"12a\" must be a whole number from 1 to 9223372036854775807"),
            ("1.0", "\"1.0\" must be a whole number from 1 to 9223372036854775807"),
            ("", "is empty"),
        ] as [(String, String?)])
    func teamGroupIDIsAPositiveInteger(value: String, message: String?) {
        #expect(
            apply({ FieldRules.checkPositiveInteger($0, field: $1, problems: &$2) }, value)
                == message)
    }

    @Test(
        arguments: [
            ("3f2504e0-4f89-11d3-9a0c-0305e82c3301", nil),
            ("6FA459EA-EE8A-3CA4-894E-DB77E160355E", nil),
            ("{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", nil),
            (
                "{3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                "\"{3f2504e0-4f89-11d3-9a0c-0305e82c3301\" is not a UUID (8-4-4-4-12 hex digits, "
                    + "braces allowed)"
            ),
            (
                "3f2504e04f8911d39a0c0305e82c3301",
                "\"3f2504e04f8911d39a0c0305e82c3301\" is not a UUID (8-4-4-4-12 hex digits, "
                    + "braces allowed)"
            ),
            (
                "3f2504e0-4f89-11d3-9a0c-0305e82c330g",
                "\"3f2504e0-4f89-11d3-9a0c-0305e82c330g\" is not a UUID (8-4-4-4-12 hex digits, "
                    + "braces allowed)"
            ),
            ("", "is empty"),
        ] as [(String, String?)])
    func idIsAUUID(value: String, message: String?) {
        #expect(apply({ FieldRules.checkUUID($0, field: $1, problems: &$2) }, value) == message)
    }

    @Test func trimmingRemovesASCIIAndUnicodeWhiteSpaceOnly() {
        #expect(trimmed("  ada@example.com\t\r\n") == "ada@example.com")
        #expect(trimmed("\u{A0}Ada\u{2003}\u{FEFF}") == "Ada")
        #expect(trimmed("A d a") == "A d a")
        #expect(trimmed("é") == "é")
        #expect(trimmed("   ") == "")
    }

    @Test func messagesShowLongValuesShortened() {
        let long = String(repeating: "x", count: 100)
        #expect(
            apply({ FieldRules.checkEmail($0, field: $1, problems: &$2) }, long) == "\""
                + String(repeating: "x", count: 60)
                + "…\" is not an email address")
    }

    @Test func utf8ValidationFindsBrokenSequences() {
        var good = Array("Zoë 😀".utf8)
        var bad: [UInt8] = [0x61, 0xC3, 0x28]
        var truncated: [UInt8] = [0xF0, 0x9F, 0x98]
        #expect(good.withUnsafeMutableBytes { TextBytes.isValidUTF8(UnsafeRawBufferPointer($0)) })
        #expect(!bad.withUnsafeMutableBytes { TextBytes.isValidUTF8(UnsafeRawBufferPointer($0)) })
        #expect(
            !truncated.withUnsafeMutableBytes { TextBytes.isValidUTF8(UnsafeRawBufferPointer($0)) }
        )
    }
}
