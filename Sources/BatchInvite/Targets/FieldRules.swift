#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The checks the API contracts ask of single values, on UTF-8 bytes. Each adds nothing
/// when the value is fine, else a reason about `field` to `problems` (`email: "bob@" is not
/// an email address`).
public enum FieldRules {
    /// The value with leading and trailing white space removed (ASCII and Unicode
    /// White_Space, such as the no-break space spreadsheets leave behind).
    public static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        // Most values start and end with a printable ASCII character: nothing to trim.
        if let first = bytes.first, first > 0x20, first < 0x7F, bytes[bytes.count - 1] > 0x20,
            bytes[bytes.count - 1] < 0x7F
        {
            return bytes
        }
        var start = 0
        var end = bytes.count
        while start < end {
            let byte = bytes[start]
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                start += 1
            } else if byte >= 0x80, let length = whitespaceLength(bytes, at: start) {
                start += length
            } else {
                break
            }
        }
        while end > start {
            let byte = bytes[end - 1]
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                end -= 1
            } else if byte >= 0x80,
                let length = whitespaceLengthBefore(bytes, end: end, start: start)
            {
                end -= length
            } else {
                break
            }
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// A person's name: not empty, no control characters, none of the bidirectional
    /// controls that reorder the text after them (`TextBytes.isBidiControl`: a name could
    /// display reversed), at most `maxLength` characters. The marks of right-to-left text
    /// (U+200E, U+200F, U+061C) and the joiners (U+200C, U+200D) are fine.
    public static func checkName(
        _ value: UnsafeRawBufferPointer, maxLength: Int = 255, field: String,
        problems: inout RowProblems
    ) {
        if value.isEmpty { return problems.add(field, "is empty") }
        var ascii = true
        for byte in value {
            if byte >= 0x80 {
                ascii = false
                break
            }
            if byte < 0x20 || byte == 0x7F {
                return problems.add(field, value, "contains a control character")
            }
        }
        if ascii {
            if value.count > maxLength {
                tooLong(value.count, maxLength, field: field, problems: &problems)
            }
            return
        }
        // Unicode's control characters (general category Cc) are U+0000-U+001F and
        // U+007F-U+009F; the last 32 are C2 80-9F in UTF-8. Characters are counted as code
        // points: every byte that does not continue a sequence (the text is valid UTF-8).
        var count = 0
        var previous: UInt8 = 0
        for byte in value {
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && byte <= 0x9F && byte >= 0x80) {
                return problems.add(field, value, "contains a control character")
            }
            if byte & 0xC0 != 0x80 { count += 1 }
            previous = byte
        }
        // The bidirectional controls start with E2, which few names hold: memchr finds
        // each, and there is nearly always none.
        if let base = value.baseAddress {
            var index = 0
            while index < value.count, let found = memchr(base + index, 0xE2, value.count - index) {
                index = UnsafeRawPointer(found) - base
                if TextBytes.isBidiControl(value, at: index) {
                    return bidiControl(
                        value, value[index + 1], value[index + 2], field: field,
                        problems: &problems)
                }
                index += 1
            }
        }
        if count > maxLength { tooLong(count, maxLength, field: field, problems: &problems) }
    }

    /// `contains \u202E (right-to-left override), ...`, for the control E2 `second` `third`.
    private static func bidiControl(
        _ value: UnsafeRawBufferPointer, _ second: UInt8, _ third: UInt8, field: String,
        problems: inout RowProblems
    ) {
        let names = [
            "left-to-right embedding", "right-to-left embedding", "pop directional formatting",
            "left-to-right override", "right-to-left override", "left-to-right isolate",
            "right-to-left isolate", "first strong isolate", "pop directional isolate",
        ]
        let name = second == 0x80 ? names[Int(third - 0xAA)] : names[5 + Int(third - 0xA6)]
        let control = [0xE2, second, third]
        problems.begin(field)
        problems.appendQuoted(value)
        problems.append(" contains ")
        control.withUnsafeBytes { problems.append(TextBytes.shown($0)) }
        problems.append(
            " (\(name)), a bidirectional control that can show the text in another order (the "
                + "marks U+200E, U+200F and U+061C are accepted)")
    }

    /// `is 300 characters long, at most 255 are allowed`.
    private static func tooLong(
        _ count: Int, _ maxLength: Int, field: String, problems: inout RowProblems
    ) {
        problems.begin(field)
        problems.append("is ")
        problems.append(count)
        problems.append(" characters long, at most ")
        problems.append(maxLength)
        problems.append(" are allowed")
    }

    /// An e-mail address as WHATWG HTML defines a "valid e-mail address", whose domain has
    /// at least one dot, at most 254 characters, ASCII only.
    public static func checkEmail(
        _ value: UnsafeRawBufferPointer, field: String, problems: inout RowProblems
    ) {
        if value.isEmpty { return problems.add(field, "is empty") }
        let labels = value.count <= 254 ? domainLabels(value) : nil
        if let labels, labels > 1 { return }
        // Which reason, in this order (bytes over 127 fail `domainLabels` too).
        if !TextBytes.isASCII(value) {
            problems.add(
                field, value, "is not an email address (only ASCII characters are accepted)")
        } else if value.count > 254 {
            tooLong(value.count, 254, field: field, problems: &problems)
        } else if labels == nil {
            problems.add(field, value, "is not an email address")
        } else {
            problems.add(field, value, "is not an email address (the domain has no dot)")
        }
    }

    /// How many labels the domain of an address has: nil unless it has a local part, `@`
    /// and a domain of valid labels (and is ASCII).
    private static func domainLabels(_ value: UnsafeRawBufferPointer) -> Int? {
        let classes = UnsafeRawPointer(emailClasses.utf8Start)
        func kind(_ byte: UInt8) -> UInt8 {
            classes.load(fromByteOffset: Int(byte), as: UInt8.self)
        }
        let count = value.count
        var at = 0
        while at < count && kind(value[at]) & localPart != 0 { at &+= 1 }
        guard at > 0, at < count, value[at] == UInt8(ascii: "@") else { return nil }
        // The domain: labels of 1 to 63 letters, digits and hyphens, not starting or ending
        // with a hyphen, separated by single dots.
        func isLabel(_ start: Int, _ end: Int) -> Bool {
            end > start && end - start <= 63 && value[end - 1] != UInt8(ascii: "-")
        }
        var labels = 1
        var labelStart = at + 1
        var index = labelStart
        while index < count {
            let byte = value[index]
            if kind(byte) & alphanumeric == 0 {
                if byte == UInt8(ascii: ".") {
                    guard isLabel(labelStart, index) else { return nil }
                    labels &+= 1
                    labelStart = index &+ 1
                } else if byte != UInt8(ascii: "-") || index == labelStart {
                    return nil
                }
            }
            index &+= 1
        }
        return isLabel(labelStart, count) ? labels : nil
    }

    /// Bits of `emailClasses`: may appear in an e-mail's local part; is a letter or digit.
    private static var localPart: UInt8 { 1 }
    private static var alphanumeric: UInt8 { 2 }

    /// One character per byte (0 to 255), its bits (less `0`) saying what it may be in an
    /// e-mail address: `1` local part only (``!#$%&'*+-./=?^_`{|}~``), `3` local part and
    /// domain label (letters and digits), `0` neither (every byte over 127). A literal, so
    /// no lazy global sits on this hot path; `FieldRulesTests` checks it against the lists.
    static var emailClasses: StaticString {
        """
        00000000000000000000000000000000010111110011011133333333330001010333333333333333333333333330001113333333333333333333333333311110\
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        """
    }

    /// One of `allowed`, compared without regard to ASCII case.
    public static func checkChoice(
        _ value: UnsafeRawBufferPointer, _ allowed: Choices, field: String,
        problems: inout RowProblems
    ) {
        if allowed.contains(value) { return }
        problems.begin(field)
        if value.isEmpty {
            problems.append("is empty, it must be ")
        } else {
            problems.appendQuoted(value)
            problems.append(" must be ")
        }
        problems.append(allowed.list)
    }

    /// The words a value may be, for `checkChoice`: ASCII lower case; each of at most 7
    /// bytes kept as one integer so that a value is compared without a string.
    public struct Choices: Sendable {
        public let words: [String]
        /// The words joined for messages: `a or b`, `a, b, c`.
        public let list: String
        private let packed: [UInt64]
        /// The words of 8 bytes or more, compared byte by byte.
        private let long: [[UInt8]]

        public init(_ words: [String]) {
            precondition(
                words.allSatisfy { $0 == $0.lowercased() && $0.utf8.allSatisfy { $0 < 0x80 } })
            self.words = words
            list = words.count == 2 ? "\(words[0]) or \(words[1])" : words.joined(separator: ", ")
            packed = words.compactMap { word in
                var bytes = Array(word.utf8)
                return bytes.withUnsafeMutableBytes { Self.pack(UnsafeRawBufferPointer($0)) }
            }
            long = words.filter { $0.utf8.count > 7 }.map { Array($0.utf8) }
        }

        /// Whether `value` is one of the words, in any ASCII case.
        public func contains(_ value: UnsafeRawBufferPointer) -> Bool {
            guard let key = Self.pack(value) else {
                return long.contains { word in
                    word.count == value.count
                        && zip(word, value).allSatisfy {
                            $0 == ($1 >= 0x41 && $1 <= 0x5A ? $1 | 0x20 : $1)
                        }
                }
            }
            return packed.contains(key)
        }

        /// The word `value` is, as it is written in the list (its canonical spelling); nil
        /// when it is none of them.
        public func canonical(_ value: UnsafeRawBufferPointer) -> String? {
            let lower = String(
                decoding: value.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            return words.contains(lower) ? lower : nil
        }

        /// Up to 7 bytes, ASCII letters lower-cased, in one integer (its top byte the
        /// count, so no two values share one); nil when longer.
        private static func pack(_ value: UnsafeRawBufferPointer) -> UInt64? {
            guard value.count < 8 else { return nil }
            var memory: UInt64 = 0
            if let base = value.baseAddress {
                withUnsafeMutableBytes(of: &memory) {
                    $0.baseAddress!.copyMemory(from: base, byteCount: value.count)
                }
            }
            // The first byte the lowest on any machine, so the count's top byte is past them.
            let word = UInt64(littleEndian: memory)
            // A-Z (0x41-0x5A) gain 0x20, eight bytes at once: a byte's high bit is set in
            // `above` when it is over 0x40 and in `upTo` when it is at most 0x5A (the top
            // bit of each byte cleared first, so no carry crosses into the next byte).
            let low7 = word & 0x7F7F_7F7F_7F7F_7F7F
            let above = low7 &+ 0x3F3F_3F3F_3F3F_3F3F
            let upTo = ~(low7 &+ 0x2525_2525_2525_2525)
            let letters = above & upTo & ~word & 0x8080_8080_8080_8080
            return (word | letters >> 2) | UInt64(value.count) << 56
        }

    }

    /// Decimal digits only, with a value from 1 to 2^63-1.
    public static func checkPositiveInteger(
        _ value: UnsafeRawBufferPointer, field: String, problems: inout RowProblems
    ) {
        if value.isEmpty { return problems.add(field, "is empty") }
        func bad() {
            // 2^63-1, Int64.max.
            problems.add(field, value, "must be a whole number from 1 to 9223372036854775807")
        }
        var number: Int64 = 0
        var overflow = false
        for byte in value {
            guard byte >= 0x30 && byte <= 0x39 else { return bad() }
            let (times, o1) = number.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(byte - 0x30))
            overflow = overflow || o1 || o2
            number = sum
        }
        if overflow || number == 0 { bad() }
    }

    /// A UUID written `8-4-4-4-12` with hex digits of either case, or the Windows way in
    /// braces (`{123E4567-...}`, as Active Directory and PowerShell print them).
    public static func checkUUID(
        _ value: UnsafeRawBufferPointer, field: String, problems: inout RowProblems
    ) {
        if value.isEmpty { return problems.add(field, "is empty") }
        if !isUUID(unbraced(value)) {
            problems.add(field, value, "is not a UUID (8-4-4-4-12 hex digits, braces allowed)")
        }
    }

    /// `value` without the braces around it when it is written `{...}` (a UUID the
    /// Windows way), else `value` itself.
    public static func unbraced(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard value.count >= 2, value[0] == UInt8(ascii: "{"),
            value[value.count - 1] == UInt8(ascii: "}")
        else { return value }
        return UnsafeRawBufferPointer(rebasing: value[1..<(value.count - 1)])
    }

    private static func isUUID(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count == 36 else { return false }
        for (index, byte) in value.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                if byte != UInt8(ascii: "-") { return false }
            } else if !isHexDigit(byte) {
                return false
            }
        }
        return true
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }

    /// The length of the UTF-8 sequence at `index` when it is a White_Space scalar.
    private static func whitespaceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        // Unicode's White_Space beyond ASCII, with U+200B and U+FEFF, as UTF-8: U+0085 and
        // U+00A0 (C2 85, C2 A0), U+1680 (E1 9A 80), U+2000-U+200B (E2 80 80-8B), U+2028,
        // U+2029, U+202F (E2 80 A8, A9, AF), U+205F (E2 81 9F), U+3000 (E3 80 80), U+FEFF
        // (EF BB BF).
        let count = bytes.count - index
        func at(_ offset: Int) -> UInt8 { bytes[index + offset] }
        switch at(0) {
        case 0xC2:
            return count >= 2 && (at(1) == 0x85 || at(1) == 0xA0) ? 2 : nil
        case 0xE1:
            return count >= 3 && at(1) == 0x9A && at(2) == 0x80 ? 3 : nil
        case 0xE2:
            guard count >= 3 else { return nil }
            if at(1) == 0x80 {
                let third = at(2)
                return (third >= 0x80 && third <= 0x8B) || third == 0xA8 || third == 0xA9
                    || third == 0xAF ? 3 : nil
            }
            return at(1) == 0x81 && at(2) == 0x9F ? 3 : nil
        case 0xE3:
            return count >= 3 && at(1) == 0x80 && at(2) == 0x80 ? 3 : nil
        case 0xEF:
            return count >= 3 && at(1) == 0xBB && at(2) == 0xBF ? 3 : nil
        default:
            return nil
        }
    }

    private static func whitespaceLengthBefore(
        _ bytes: UnsafeRawBufferPointer, end: Int, start: Int
    ) -> Int? {
        var lead = end - 1
        while lead > start && bytes[lead] & 0xC0 == 0x80 && end - lead < 4 { lead -= 1 }
        guard let length = whitespaceLength(bytes, at: lead), lead + length == end else {
            return nil
        }
        return length
    }
}
