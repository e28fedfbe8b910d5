/// Walks the members of a flat JSON object (string, number, boolean and null values, as
/// the journal writes them) without building values: keys and values come as the bytes
/// they are written with. Far cheaper than `JSONParser` for reading a million records
/// back. Nested arrays and objects (the header's input options) are stepped over whole.
enum FlatJSONObject {
    enum Value {
        /// A string's bytes between its quotes, and whether they hold escapes.
        case string(UnsafeRawBufferPointer, escaped: Bool)
        /// A number as written.
        case number(UnsafeRawBufferPointer)
        case bool(Bool)
        case null
        /// An array or object, as written.
        case nested(UnsafeRawBufferPointer)
    }

    /// Calls `body` with every member of the object in `bytes` (from its `{`; the closing
    /// brace may be missing) until it returns false. Returns false when the bytes are not
    /// such an object (as far as they were walked).
    static func forEachMember(
        _ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Value) -> Bool
    ) -> Bool {
        var walker = Walker(bytes: bytes)
        walker.skipSpace()
        guard walker.at(UInt8(ascii: "{")) else { return false }
        walker.position += 1
        while true {
            walker.skipSpace()
            guard walker.position < walker.count else { return true }  // the closing brace left off
            if walker.at(UInt8(ascii: "}")) { return true }
            guard walker.at(0x22), let (key, _) = walker.string() else { return false }
            walker.skipSpace()
            guard walker.at(UInt8(ascii: ":")) else { return false }
            walker.position += 1
            walker.skipSpace()
            guard let value = walker.value() else { return false }
            guard body(key, value) else { return true }
            walker.skipSpace()
            guard walker.position < walker.count else { return true }
            if walker.at(UInt8(ascii: ",")) {
                walker.position += 1
            } else if !walker.at(UInt8(ascii: "}")) {
                return false
            }
        }
    }

    /// A position in an object's bytes, and the steps over what is there.
    private struct Walker {
        let bytes: UnsafeRawBufferPointer
        let count: Int
        var position = 0

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
            count = bytes.count
        }

        /// Whether the byte at the position is `byte`.
        func at(_ byte: UInt8) -> Bool {
            position < count && bytes[position] == byte
        }

        mutating func skipSpace() {
            while position < count,
                bytes[position] == 0x20 || bytes[position] == 0x09 || bytes[position] == 0x0A
                    || bytes[position] == 0x0D
            {
                position += 1
            }
        }

        /// The value at the position, stepped over; nil when there is none.
        mutating func value() -> Value? {
            guard position < count else { return nil }
            switch bytes[position] {
            case 0x22:
                guard let (text, escaped) = string() else { return nil }
                return .string(text, escaped: escaped)
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                return literal()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return number()
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                return nested()
            default:
                return nil
            }
        }

        /// The string starting at the position (its opening quote); nil when unterminated.
        /// Eight bytes at a time are searched for a quote or a backslash.
        mutating func string() -> (UnsafeRawBufferPointer, Bool)? {
            let start = position + 1
            var index = start
            var escaped = false
            while index < count {
                if index + 8 <= count {
                    let found = TextBytes.flagQuotesAndBackslashes(
                        in: TextBytes.word(bytes, at: index))
                    if found == 0 {
                        index += 8
                        continue
                    }
                    index += found.trailingZeroBitCount / 8
                }
                let byte = bytes[index]
                if byte == 0x22 {
                    position = index + 1
                    return (UnsafeRawBufferPointer(rebasing: bytes[start..<index]), escaped)
                }
                if byte == 0x5C {
                    escaped = true
                    index += 1
                }
                index += 1
            }
            return nil
        }

        /// `true`, `false` or `null`.
        mutating func literal() -> Value? {
            let start = position
            while position < count, bytes[position] >= UInt8(ascii: "a"),
                bytes[position] <= UInt8(ascii: "z")
            {
                position += 1
            }
            switch (bytes[start], position - start) {
            case (UInt8(ascii: "t"), 4): return .bool(true)
            case (UInt8(ascii: "f"), 5): return .bool(false)
            case (UInt8(ascii: "n"), 4): return .null
            default: return nil
            }
        }

        mutating func number() -> Value {
            let start = position
            position += 1
            while position < count {
                let byte = bytes[position]
                guard
                    (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: ".")
                        || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                        || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                else { break }
                position += 1
            }
            return .number(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        }

        /// An array or an object, stepped over whole.
        mutating func nested() -> Value? {
            let start = position
            var depth = 0
            repeat {
                switch bytes[position] {
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    position += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    position += 1
                case 0x22:
                    guard string() != nil else { return nil }
                default:
                    position += 1
                }
            } while depth > 0 && position < count
            guard depth == 0 else { return nil }
            return .nested(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        }
    }

    /// A number written as plain decimal digits (an optional minus), if it is one.
    static func integer(_ digits: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        let negative = digits.first == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < digits.count, digits.count - index <= 18 else { return nil }
        var value = 0
        while index < digits.count {
            let digit = Int(digits[index]) - 0x30
            guard digit >= 0 && digit <= 9 else { return nil }
            value = value * 10 + digit
            index += 1
        }
        return negative ? -value : value
    }

    /// A string value's text, escapes decoded.
    static func string(_ raw: UnsafeRawBufferPointer, escaped: Bool) -> String {
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        var quoted: [UInt8] = [0x22]
        quoted.append(contentsOf: raw)
        quoted.append(0x22)
        guard case .string(let text)? = try? quoted.withUnsafeBytes({ try JSONParser.parse($0) })
        else { return String(decoding: raw, as: UTF8.self) }
        return text
    }
}
