/// Converts a stream of bytes in one of the `TextEncoding`s into UTF-8, chunk by chunk,
/// and drops a leading byte order mark. Byte sequences that cannot be converted (an
/// unpaired UTF-16 surrogate, an odd final byte, bytes that are no character in an iconv
/// encoding) come out as the byte 0xFF, which is never valid UTF-8, so the record holding
/// them is reported invalid instead of being garbled. UTF-8, windows-1252 and UTF-16 are
/// converted here; the other encodings by iconv (`IconvConverter`).
///
/// A copy made before any bytes are decoded decodes on its own; one made later shares the
/// iconv state it was made with until its first `decode`, which starts it afresh.
struct TextDecoder {
    /// The encoding in force; `.utf16` is refined by `bigEndian` once the first bytes are seen.
    private(set) var encoding: TextEncoding
    private(set) var bigEndian = false
    private var sawStart = false
    /// Bytes held back between chunks: an incomplete BOM, half a UTF-16 code unit, a high
    /// surrogate waiting for its low half.
    private var carry: [UInt8] = []
    private var pendingHighSurrogate: UInt16?
    /// The converter of an `.iconv` encoding.
    private var converter: IconvConverter?

    init(encoding: TextEncoding) {
        self.encoding = encoding
        converter = Self.converter(for: encoding)
    }

    /// Reads the rest as `encoding` (for a guess made after the start was seen).
    mutating func use(_ encoding: TextEncoding, bigEndian: Bool = false) {
        self.encoding = encoding
        self.bigEndian = bigEndian
        converter = Self.converter(for: encoding)
    }

    private static func converter(for encoding: TextEncoding) -> IconvConverter? {
        guard case .iconv(let name) = encoding else { return nil }
        return IconvConverter(from: name)
    }

    /// Whether bytes pass through unchanged (UTF-8 after its BOM), so callers can skip a copy.
    var isPassThrough: Bool { sawStart && encoding == .utf8 }

    /// Looks at the first bytes of the input to find a byte order mark. Returns how many
    /// bytes to skip, or nil when more bytes are needed to decide (and `isFinal` is false).
    mutating func detectStart(_ bytes: UnsafeRawBufferPointer, isFinal: Bool) -> Int? {
        let b = Array(bytes.prefix(3))
        if b.count < 3 && !isFinal && (b.isEmpty || [0xEF, 0xFF, 0xFE].contains(b[0])) {
            return nil
        }
        sawStart = true
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
            encoding = .utf8
            return 3
        }
        if b.count >= 2 && b[0] == 0xFF && b[1] == 0xFE {
            encoding = .utf16
            bigEndian = false
            return 2
        }
        if b.count >= 2 && b[0] == 0xFE && b[1] == 0xFF {
            encoding = .utf16
            bigEndian = true
            return 2
        }
        if encoding == .utf16 && b.count >= 2 {
            // No BOM: text starts with ASCII almost always, so the zero byte tells the order.
            bigEndian = b[0] == 0 && b[1] != 0
        }
        return 0
    }

    /// Appends the UTF-8 form of `bytes` to `out`. `isFinal` flushes anything held back.
    mutating func decode(_ bytes: UnsafeRawBufferPointer, isFinal: Bool, into out: inout [UInt8]) {
        switch encoding {
        case .utf8:
            out.append(contentsOf: bytes)
        case .windows1252:
            out.reserveCapacity(out.count + bytes.count * 2)
            for byte in bytes {
                if byte < 0x80 {
                    out.append(byte)
                } else {
                    appendUTF8(Self.windows1252High[Int(byte - 0x80)], to: &out)
                }
            }
        case .utf16:
            decodeUTF16(bytes, isFinal: isFinal, into: &out)
        case .iconv:
            // A copy of this decoder holds the same converter: it gets one of its own.
            if !isKnownUniquelyReferenced(&converter) { converter = converter?.fresh() }
            guard let converter else {
                // iconv knew the name when it was parsed; it does not forget it.
                out.append(contentsOf: repeatElement(0xFF, count: bytes.count))
                return
            }
            converter.convert(bytes, isFinal: isFinal, into: &out)
        }
    }

    private mutating func decodeUTF16(
        _ bytes: UnsafeRawBufferPointer, isFinal: Bool, into out: inout [UInt8]
    ) {
        var index = 0
        func nextUnit(_ first: UInt8, _ second: UInt8) -> UInt16 {
            bigEndian
                ? UInt16(first) << 8 | UInt16(second) : UInt16(second) << 8 | UInt16(first)
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2 + 1)
        if let first = carry.first, !bytes.isEmpty {
            units.append(nextUnit(first, bytes[0]))
            carry.removeAll()
            index = 1
        }
        while index + 1 < bytes.count {
            units.append(nextUnit(bytes[index], bytes[index + 1]))
            index += 2
        }
        if index < bytes.count {
            carry.append(bytes[index])
        }
        for unit in units {
            if let high = pendingHighSurrogate {
                pendingHighSurrogate = nil
                if UTF16.isTrailSurrogate(unit) {
                    let value = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
                    appendUTF8(value, to: &out)
                    continue
                }
                out.append(0xFF)
            }
            if UTF16.isLeadSurrogate(unit) {
                pendingHighSurrogate = unit
            } else if UTF16.isTrailSurrogate(unit) {
                out.append(0xFF)
            } else {
                appendUTF8(UInt32(unit), to: &out)
            }
        }
        if isFinal {
            if pendingHighSurrogate != nil || !carry.isEmpty {
                out.append(0xFF)
            }
            pendingHighSurrogate = nil
            carry.removeAll()
        }
    }

    private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Unicode scalars of bytes 0x80...0x9F in Windows-1252 (WHATWG's table: the five
    /// unassigned bytes map to the C1 controls of the same value), then Latin-1 above.
    private static let windows1252High: [UInt32] = {
        let c1: [UInt32] = [
            0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
            0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
            0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
            0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
        ]
        return c1 + (0xA0...0xFF).map { UInt32($0) }
    }()
}
