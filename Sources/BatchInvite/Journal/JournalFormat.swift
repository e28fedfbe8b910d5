/// How journal lines are framed: each is one JSON object whose last member is
/// `"sum":"xxxxxxxx"`, the CRC-32 of the object written without it. A reader can so tell a
/// whole record from a torn or damaged one.
public enum JournalFormat {
    /// The format written by this version (in the header record).
    public static let version = 1

    /// `object` (a JSON object's bytes, `{...}`, no newline) framed as a journal line.
    public static func frame(_ object: [UInt8]) -> [UInt8] {
        let sum = CRC32.checksum(object)
        var line = Array(object.dropLast())
        line.append(contentsOf: ",\"sum\":\"".utf8)
        line.append(contentsOf: CRC32.hex(sum).utf8)
        line.append(contentsOf: "\"}\n".utf8)
        return line
    }

    /// The object inside a framed line (without its newline), or nil when the line is not
    /// whole or its checksum does not match.
    public static func unframe(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        let suffixLength = 19  // ,"sum":"xxxxxxxx"}
        guard line.count > suffixLength, line.last == UInt8(ascii: "}") else { return nil }
        let sumStart = line.endIndex - 10
        let marker = Array(",\"sum\":\"".utf8)
        guard Array(line[(sumStart - marker.count)..<sumStart]) == marker,
            line[line.endIndex - 2] == UInt8(ascii: "\"")
        else { return nil }
        var object = Array(line[line.startIndex..<(sumStart - marker.count)])
        object.append(UInt8(ascii: "}"))
        let written = String(decoding: line[sumStart..<(sumStart + 8)], as: UTF8.self)
        return CRC32.hex(CRC32.checksum(object)) == written ? object : nil
    }
}

/// CRC-32 (IEEE 802.3, the zlib one).
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        bytes.withUnsafeBufferPointer { buffer in
            table.withUnsafeBufferPointer { table in
                for byte in buffer {
                    crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
                }
            }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// Eight lower-case hex digits.
    public static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
