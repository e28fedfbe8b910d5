/// Small writers of text into byte buffers, for the report and other line-oriented output.
public enum TextBytes {
    /// Appends `value` in decimal.
    public static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value >= 0 && value < 10 {
            out.append(UInt8(truncatingIfNeeded: value) + 0x30)
            return
        }
        var magnitude = value.magnitude
        // Digits are written backwards into a 24-byte buffer on the stack, then appended once.
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { digits in
            var index = digits.count
            repeat {
                index -= 1
                digits[index] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                index -= 1
                digits[index] = UInt8(ascii: "-")
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[index...]))
        }
    }

    /// Appends `text` as a JSON string literal (quotes, backslashes and control
    /// characters escaped).
    public static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }

    /// `text` as a JSON string literal.
    public static func jsonString(_ text: String) -> String {
        var out: [UInt8] = []
        appendJSONString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `bytes` with each control character (below 0x20, and 0x7F) and each byte that is not
    /// part of valid UTF-8 written as `\xHH`, so that a report cell shows what was there
    /// instead of carrying it; nil when there is nothing to escape.
    public static func escapingUnprintable(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.contains(where: { $0 < 0x20 || $0 >= 0x7F }) else { return nil }
        var out: [UInt8] = []
        var changed = false
        var index = 0
        func escape(_ byte: UInt8) {
            let digits = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [0x5C, 0x78, digits[Int(byte >> 4)], digits[Int(byte & 15)]])
            changed = true
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F {
                escape(byte)
                index += 1
            } else if byte < 0x80 {
                out.append(byte)
                index += 1
            } else {
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0
                let end = index + length
                if length > 0, end <= bytes.count,
                    String(validating: bytes[index..<end], as: UTF8.self) != nil
                {
                    out.append(contentsOf: bytes[index..<end])
                    index = end
                } else {
                    escape(byte)
                    index += 1
                }
            }
        }
        return changed ? out : nil
    }

    /// Whether every byte is ASCII, eight bytes at a time.
    public static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080
                != 0
            {
                return false
            }
            index += 8
        }
        while index < count {
            if bytes[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// Whether `bytes` is well-formed UTF-8 (ASCII checked eight bytes at a time first).
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if isASCII(bytes) { return true }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Text from a file as messages show it: `"` and `\\` escaped, tab, CR and LF as `\t`,
    /// `\r`, `\n`, every other control character and every byte that is not valid UTF-8
    /// as `\xHH`, and cut after `limit` characters (with `…`). A message never carries raw
    /// control bytes to a terminal or a log.
    public static func shown(_ bytes: UnsafeRawBufferPointer, limit: Int = 60) -> String {
        var out = ""
        var count = 0
        var index = 0
        func hex(_ byte: UInt8) {
            let digits = Array("0123456789abcdef")
            out += "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
        }
        while index < bytes.count {
            if count == limit {
                out += "…"
                break
            }
            count += 1
            let byte = bytes[index]
            if byte < 0x80 {
                switch byte {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x09: out += "\\t"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0..<0x20, 0x7F: hex(byte)
                default: out.unicodeScalars.append(Unicode.Scalar(byte))
                }
                index += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0
            let end = index + length
            if length > 0, end <= bytes.count,
                let text = String(validating: bytes[index..<end], as: UTF8.self),
                let scalar = text.unicodeScalars.first
            {
                if scalar.properties.generalCategory == .control {
                    for byte in bytes[index..<end] { hex(byte) }
                } else {
                    out += text
                }
                index = end
            } else {
                hex(byte)
                index += 1
            }
        }
        return out
    }

    /// `shown` for a string.
    public static func shown(_ text: String, limit: Int = 60) -> String {
        var text = text
        return text.withUTF8 { shown(UnsafeRawBufferPointer($0), limit: limit) }
    }
}
