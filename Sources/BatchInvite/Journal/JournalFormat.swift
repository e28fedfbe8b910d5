#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How journal lines are framed: each is one JSON object whose last member is
/// `"sum":"xxxxxxxx"`, the CRC-32 of the object written without it. A reader can so tell a
/// whole record from a torn or damaged one.
public enum JournalFormat {
    /// The format written by this version (in the header record).
    /// 2 since run start records, record times and unsettled outcomes; 3 since the header
    /// holds the preamble lines skipped (`input_skip_lines`). 1 and 2 are read as well.
    public static let version = 3

    /// Appends `object` (a JSON object's bytes) framed as a line to `out`.
    public static func appendFrame(_ object: ArraySlice<UInt8>, to out: inout [UInt8]) {
        let sum = object.withUnsafeBytes { CRC32.finish(CRC32.update(CRC32.initial, $0)) }
        out.append(contentsOf: object.dropLast())
        out.append(contentsOf: ",\"sum\":\"".utf8)
        out.append(contentsOf: CRC32.hex(sum).utf8)
        out.append(contentsOf: "\"}\n".utf8)
    }

    /// The object inside a framed line (without its newline) up to its checksum member,
    /// that is without its closing brace; nil when the line is not whole or its checksum
    /// does not match.
    /// `verifying` false skips the checksum (for lines read again after a scan checked them).
    public static func checkedMembers(_ line: UnsafeRawBufferPointer, verifying: Bool = true)
        -> UnsafeRawBufferPointer?
    {
        let marker: StaticString = ",\"sum\":\""
        let suffixLength = 19  // ,"sum":"xxxxxxxx"}
        guard let base = line.baseAddress, line.count > suffixLength,
            line[line.count - 1] == UInt8(ascii: "}"), line[line.count - 2] == UInt8(ascii: "\"")
        else { return nil }
        let sumStart = line.count - 10
        let members = UnsafeRawBufferPointer(rebasing: line[0..<(sumStart - 8)])
        guard memcmp(base + sumStart - 8, marker.utf8Start, 8) == 0 else { return nil }
        guard verifying else { return members }
        var written: UInt32 = 0
        for byte in line[sumStart..<(sumStart + 8)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 0x61 + 10
            default: return nil
            }
            written = written << 4 | UInt32(digit)
        }
        var crc = CRC32.update(CRC32.initial, members)
        var brace = UInt8(ascii: "}")
        crc = withUnsafeBytes(of: &brace) { CRC32.update(crc, $0) }
        return CRC32.finish(crc) == written ? members : nil
    }
}

/// CRC-32 (IEEE 802.3, the zlib one), eight bytes at a time ("slicing by 8").
public enum CRC32 {
    /// `tables[k][b]`: the CRC of byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 {
                value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
            }
            tables[index] = value
        }
        for index in 0..<256 {
            for slice in 1..<8 {
                let previous = tables[(slice - 1) * 256 + index]
                tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    static let initial: UInt32 = 0xFFFF_FFFF

    static func finish(_ crc: UInt32) -> UInt32 { crc ^ 0xFFFF_FFFF }

    /// `crc` carried on over `bytes`.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = crc
        tables.withUnsafeBufferPointer { table in
            var index = 0
            let count = bytes.count
            while index + 8 <= count {
                let word = TextBytes.word(bytes, at: index)
                let low = UInt32(truncatingIfNeeded: word) ^ crc
                let high = UInt32(truncatingIfNeeded: word >> 32)
                crc =
                    table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                index += 8
            }
            while index < count {
                crc = table[Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
            }
        }
        return crc
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        finish(bytes.withUnsafeBytes { update(initial, $0) })
    }

    /// Eight lower-case hex digits.
    public static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
