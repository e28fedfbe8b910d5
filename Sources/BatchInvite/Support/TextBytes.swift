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
        // Most text has nothing to escape: appended at once.
        let appended = text.utf8.withContiguousStorageIfAvailable { bytes in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F })
            else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if appended != true { appendEscaping(text, to: &out) }
        out.append(0x22)
    }

    /// `text`'s bytes with quotes, backslashes and control characters escaped.
    private static func appendEscaping(_ text: String, to out: inout [UInt8]) {
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
    public static func escapingUnprintable(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        // Valid UTF-8 without controls (C1 ones start with C2) needs nothing: the common case.
        guard
            bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 })
                || !isValidUTF8(bytes)
        else { return nil }
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
                if let length = utf8SequenceLength(bytes, at: index) {
                    out.append(
                        contentsOf: UnsafeRawBufferPointer(
                            rebasing: bytes[index..<(index + length)]))
                    index += length
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
        let count = bytes.count
        var index = 0
        while index < count {
            // Runs of ASCII are skipped eight bytes at a time, up to the first byte that is
            // not ASCII (little-endian: the lowest high bit set).
            if index + 8 <= count {
                let high = word(bytes, at: index) & 0x8080_8080_8080_8080
                if high == 0 {
                    index += 8
                    continue
                }
                index += high.trailingZeroBitCount >> 3
            } else if bytes[index] < 0x80 {
                index += 1
                continue
            }
            // Latin letters are two bytes: C2-DF and a continuation byte.
            let lead = bytes[index]
            if lead >= 0xC2 && lead <= 0xDF {
                guard index + 1 < count, bytes[index + 1] & 0xC0 == 0x80 else { return false }
                index += 2
                continue
            }
            guard let length = utf8SequenceLength(bytes, at: index) else { return false }
            index += length
        }
        return true
    }

    /// Text from a file as messages show it: `"` and `\\` escaped, tab, CR and LF as `\t`,
    /// `\r`, `\n`, every other control character and every byte that is not valid UTF-8
    /// as `\xHH`, each bidirectional control (see `isBidiControl`) as `\u202E`, and cut
    /// after `limit` characters (with `…`). A message never carries raw control bytes to a
    /// terminal or a log, nor anything that would show the text around it in another order.
    public static func shown(_ bytes: UnsafeRawBufferPointer, limit: Int = 60) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(min(bytes.count, limit * 4) + 8)
        appendShown(bytes, limit: limit, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `bytes` as `shown` writes them.
    public static func appendShown(
        _ bytes: UnsafeRawBufferPointer, limit: Int = 60, to out: inout [UInt8]
    ) {
        var count = 0
        var index = 0
        while index < bytes.count {
            // Eight printable ASCII bytes, none to escape, go as they are.
            if index + 8 <= bytes.count && count + 8 <= limit
                && isPlain(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + 8)]))
                index += 8
                count += 8
                continue
            }
            if count == limit {
                out.append(0xE2)  // …
                out.append(0x80)
                out.append(0xA6)
                break
            }
            count += 1
            let byte = bytes[index]
            if byte < 0x80 {
                switch byte {
                case 0x22: appendEscaped(0x22, to: &out)
                case 0x5C: appendEscaped(0x5C, to: &out)
                case 0x09: appendEscaped(0x74, to: &out)
                case 0x0A: appendEscaped(0x6E, to: &out)
                case 0x0D: appendEscaped(0x72, to: &out)
                case 0..<0x20, 0x7F: appendHex(byte, to: &out)
                default: out.append(byte)
                }
                index += 1
            } else if let length = utf8SequenceLength(bytes, at: index) {
                // C1 controls (U+0080-U+009F, C2 80-9F) are shown as bytes too.
                if byte == 0xC2 && bytes[index + 1] <= 0x9F {
                    appendHex(byte, to: &out)
                    appendHex(bytes[index + 1], to: &out)
                } else if isBidiControl(bytes, at: index) {
                    appendBidiEscape(bytes[index + 1], bytes[index + 2], to: &out)
                } else {
                    out.append(
                        contentsOf: UnsafeRawBufferPointer(
                            rebasing: bytes[index..<(index + length)]))
                }
                index += length
            } else {
                appendHex(byte, to: &out)
                index += 1
            }
        }
    }

    /// Appends `\` and `letter`.
    @inline(__always)
    private static func appendEscaped(_ letter: UInt8, to out: inout [UInt8]) {
        out.append(0x5C)
        out.append(letter)
    }

    /// Appends `byte` as `\xHH`.
    @inline(__always)
    private static func appendHex(_ byte: UInt8, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        appendEscaped(0x78, to: &out)
        out.append(digits.utf8Start[Int(byte >> 4)])
        out.append(digits.utf8Start[Int(byte & 15)])
    }

    /// Whether the UTF-8 sequence at `index` is one of the bidirectional controls that act
    /// on the text after them: the embeddings and overrides U+202A-U+202E (LRE, RLE, PDF,
    /// LRO, RLO) and the isolates U+2066-U+2069 (LRI, RLI, FSI, PDI), E2 80 AA-AE and
    /// E2 81 A6-A9 (a name holding U+202E shows the rest of it reversed). The marks that
    /// real text carries (U+200E, U+200F, U+061C) and the joiners (U+200C, U+200D) are not.
    @inline(__always)
    public static func isBidiControl(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        guard bytes[index] == 0xE2, index + 2 < bytes.count else { return false }
        let second = bytes[index + 1]
        let third = bytes[index + 2]
        return (second == 0x80 && third >= 0xAA && third <= 0xAE)
            || (second == 0x81 && third >= 0xA6 && third <= 0xA9)
    }

    /// Appends the bidirectional control whose UTF-8 bytes are E2, `second`, `third` as
    /// `\u202E`.
    private static func appendBidiEscape(_ second: UInt8, _ third: UInt8, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789ABCDEF"
        let scalar = 0x2000 | Int(second & 0x3F) << 6 | Int(third & 0x3F)
        out.append(0x5C)
        out.append(UInt8(ascii: "u"))
        for shift in [12, 8, 4, 0] { out.append(digits.utf8Start[scalar >> shift & 15]) }
    }

    /// `bytes` with each bidirectional control (see `isBidiControl`) written `\u202E`, and
    /// nothing else changed: for whatever goes to a terminal (standard error, `inspect`'s
    /// JSON, where `\u202E` is the same string) and the HTML page. Nil when there is none.
    public static func escapingBidiControls(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let first = bytes.indices.first(where: { isBidiControl(bytes, at: $0) }) else {
            return nil
        }
        var out = Array(bytes[..<first])
        var index = first
        while index < bytes.count {
            if isBidiControl(bytes, at: index) {
                appendBidiEscape(bytes[index + 1], bytes[index + 2], to: &out)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    /// `text` with each bidirectional control written `\u202E` (see `escapingBidiControls`).
    public static func escapingBidiControls(_ text: String) -> String {
        var text = text
        return text.withUTF8 { utf8 in
            escapingBidiControls(UnsafeRawBufferPointer(utf8)).map {
                String(decoding: $0, as: UTF8.self)
            }
        } ?? text
    }

    /// The high bit of each byte of `word` below `limit` (1 to 0x80) set; exact for the
    /// lowest such byte (bytes above it may be flagged wrongly), which is all a search for
    /// the first one needs. With `limit` 1 it flags zero bytes: of `word ^ 0x2222...`, the
    /// quotes.
    @inline(__always)
    static func flagBytes(below limit: UInt64, in word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101 &* limit) & ~word & 0x8080_8080_8080_8080
    }

    /// The eight bytes at `offset` of `bytes` as a word whose byte k is bits 8k...8k+7
    /// whatever the machine's order.
    @inline(__always)
    static func word(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// `flagBytes` for the quotes and backslashes of `word`: the lowest flagged byte is the
    /// first `"` or `\`.
    @inline(__always)
    static func flagQuotesAndBackslashes(in word: UInt64) -> UInt64 {
        flagBytes(below: 1, in: word ^ 0x2222_2222_2222_2222)
            | flagBytes(below: 1, in: word ^ 0x5C5C_5C5C_5C5C_5C5C)
    }

    /// Whether the eight bytes of `word` are all printable ASCII (0x20 to 0x7E) other than
    /// `"` and `\\`: none of them is shown otherwise.
    @inline(__always)
    private static func isPlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x }
        let below = (word &- ones &* 0x20) & ~word  // a byte under 0x20
        let odd =
            hasZero(word ^ (ones &* 0x7F)) | hasZero(word ^ (ones &* 0x22))
            | hasZero(word ^ (ones &* 0x5C))
        return (word | below | odd) & highs == 0
    }

    /// The length of the well-formed UTF-8 sequence that starts at `index` with a byte of
    /// 0x80 or more (RFC 3629: no overlong form, surrogate or code point past U+10FFFF);
    /// nil when there is none.
    @inline(__always)
    static func utf8SequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80  // the second byte's range
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: return nil
        }
        guard index + length <= bytes.count, bytes[index + 1] >= low, bytes[index + 1] <= high
        else { return nil }
        for next in (index + 2)..<(index + length) where bytes[next] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }

    /// `shown` for a string.
    public static func shown(_ text: String, limit: Int = 60) -> String {
        var text = text
        return text.withUTF8 { shown(UnsafeRawBufferPointer($0), limit: limit) }
    }
}
