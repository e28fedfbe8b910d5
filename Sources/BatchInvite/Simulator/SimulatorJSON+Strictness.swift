extension SimulatorJSON {
    /// Values nested in more containers than this are not read.
    static let maxDepth = 256

    /// `bytes` as `JSONSerialization` is to read them, or nil where RFC 8259 refuses what
    /// it would take:
    /// - a text that does not start with an ASCII byte (a byte order mark) or holds a zero
    ///   byte (UTF-16 or UTF-32, which it guesses from their zero bytes; UTF-8 JSON has none);
    /// - a comma before a closing bracket;
    /// - a value nested in more than `maxDepth` containers.
    ///
    /// Two things it refuses are given the meaning a strict reader gives them: an escaped
    /// surrogate without its pair (`"\ud800"`) is U+FFFD, and a number too large for a
    /// Double (`1e400`) is read as 0.5, a number that is not whole, which is all the APIs'
    /// rules ask of it. And a U+FEFF written as it is in a string, which it drops where the
    /// string starts or an escape ends (`"\u{FEFF}role"` would be `"role"`), is given as the
    /// escape `\ufeff`, which it keeps.
    static func strictText(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.first.map({ $0 < 0x80 }) ?? true, !bytes.contains(0) else { return nil }
        var scan = StrictScan(bytes: bytes)
        return scan.run()
    }
}

/// One pass over a JSON text, outside its strings and through them, for `strictText`.
private struct StrictScan {
    let bytes: [UInt8]
    /// The text so far where something was replaced: `bytes[..<copied]` with replacements.
    private var out: [UInt8] = []
    private var copied = 0
    private var index = 0
    /// Containers open around `index`.
    private var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func run() -> [UInt8]? {
        // The last byte outside strings that is not white space.
        var previous: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
                continue
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if previous == UInt8(ascii: ",") { return nil }
                depth -= 1
                index += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                index += 1
            default:
                // Every other byte starts a value, a key, or what JSONSerialization refuses.
                guard depth < SimulatorJSON.maxDepth else { return nil }
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    index += 1
                case UInt8(ascii: "\""): skipString()
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): skipNumber()
                default: index += 1
                }
            }
            previous = byte
        }
        guard copied > 0 else { return bytes }
        return out + bytes[copied...]
    }

    /// Past the string that starts at `index`, its unpaired surrogate escapes and its
    /// U+FEFFs replaced.
    private mutating func skipString() {
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                guard let unit = escapedUnit(at: index) else {
                    index += 2
                    continue
                }
                if UTF16.isLeadSurrogate(unit), let next = escapedUnit(at: index + 6),
                    UTF16.isTrailSurrogate(next)
                {
                    index += 12
                } else {
                    if UTF16.isLeadSurrogate(unit) || UTF16.isTrailSurrogate(unit) {
                        replace(index..<(index + 6), with: #"\ufffd"#)
                    }
                    index += 6
                }
            case 0xEF
            where index + 2 < bytes.count && bytes[index + 1] == 0xBB
                && bytes[index + 2] == 0xBF:
                replace(index..<(index + 3), with: #"\ufeff"#)
                index += 3
            default:
                index += 1
            }
        }
    }

    /// The code unit of the `\uXXXX` escape at `start`; nil where there is none.
    private func escapedUnit(at start: Int) -> UInt16? {
        guard start + 6 <= bytes.count, bytes[start] == UInt8(ascii: "\\"),
            bytes[start + 1] == UInt8(ascii: "u")
        else { return nil }
        return UInt16(String(decoding: bytes[(start + 2)..<(start + 6)], as: UTF8.self), radix: 16)
    }

    /// Past the number that starts at `index`; one a Double cannot hold becomes `0.5`.
    private mutating func skipNumber() {
        let start = index
        characters: while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                index += 1
            default:
                break characters
            }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        // Only a number as RFC 8259 writes it: Double also reads "01e400" and "1.e400".
        if let value = Double(text), !value.isFinite,
            text.wholeMatch(of: #/-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/#) != nil
        {
            replace(start..<index, with: "0.5")
        }
    }

    private mutating func replace(_ range: Range<Int>, with text: String) {
        out += bytes[copied..<range.lowerBound]
        out += text.utf8
        copied = range.upperBound
    }
}
