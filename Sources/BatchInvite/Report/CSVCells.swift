/// Writes report lines as CSV straight into an output buffer: integers two digits at a
/// time, cells copied whole unless they need quoting or a spreadsheet would run them as a
/// formula (OWASP's advice on CSV injection: such a cell is prefixed with `'`).
enum CSVCells {
    /// The most bytes `putLine` writes for text columns of `textBytes` bytes in all.
    static func bound(textBytes: Int) -> Int {
        4 * 21 + 16 + 9 + textBytes * 2 + 4 * 3
    }

    /// Writes one report line (the report's nine columns, a newline at the end).
    static func putLine(
        row: Int, line: Int, key: UnsafeRawBufferPointer, status: RowStatus, httpStatus: Int?,
        message: UnsafeRawBufferPointer, invitationStatus: UnsafeRawBufferPointer,
        expiresAt: UnsafeRawBufferPointer, attempts: Int?, at cursor: inout UnsafeMutableRawPointer
    ) {
        putInteger(row, at: &cursor)
        put(0x2C, at: &cursor)
        putInteger(line, at: &cursor)
        put(0x2C, at: &cursor)
        putCell(key, at: &cursor)
        put(0x2C, at: &cursor)
        putStatus(status, at: &cursor)
        put(0x2C, at: &cursor)
        if let httpStatus { putInteger(httpStatus, at: &cursor) }
        put(0x2C, at: &cursor)
        putCell(message, at: &cursor)
        put(0x2C, at: &cursor)
        putCell(invitationStatus, at: &cursor)
        put(0x2C, at: &cursor)
        putCell(expiresAt, at: &cursor)
        put(0x2C, at: &cursor)
        if let attempts { putInteger(attempts, at: &cursor) }
        put(0x0A, at: &cursor)
    }

    @inline(__always)
    static func put(_ byte: UInt8, at cursor: inout UnsafeMutableRawPointer) {
        cursor.storeBytes(of: byte, as: UInt8.self)
        cursor += 1
    }

    /// How many decimal digits `value` has (1 for 0): estimated from its bit length (a bit
    /// is log10(2) ≈ 1233/4096 of a digit), then one more when it reaches the next power of
    /// ten. Constant time: the report writes two integers a row.
    @inline(__always)
    static func decimalDigits(_ value: UInt) -> Int {
        let bits = UInt.bitWidth - (value | 1).leadingZeroBitCount
        let estimate = (bits &* 1233) >> 12  // 0 to 19
        return max(1, estimate + (value >= powerOfTen(estimate) ? 1 : 0))
    }

    /// 10 to the power `exponent`, from 0 to 19.
    @inline(__always)
    private static func powerOfTen(_ exponent: Int) -> UInt {
        switch exponent {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        default: 10_000_000_000_000_000_000
        }
    }

    /// "00" to "99" back to back: a literal, so no lazy global sits on this path.
    private static var digitPairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    static func putInteger(_ value: Int, at cursor: inout UnsafeMutableRawPointer) {
        if value < 0 { put(UInt8(ascii: "-"), at: &cursor) }
        var magnitude = value.magnitude
        let digits = decimalDigits(magnitude)
        // Written backwards, two digits at a time, straight into the output.
        let pairs = UnsafeRawPointer(digitPairs.utf8Start)
        var index = digits
        while magnitude >= 100 {
            let pair = Int(magnitude % 100) * 2
            magnitude /= 100
            index -= 2
            cursor.storeBytes(
                of: pairs.loadUnaligned(fromByteOffset: pair, as: UInt16.self), toByteOffset: index,
                as: UInt16.self)
        }
        if magnitude >= 10 {
            cursor.storeBytes(
                of: pairs.loadUnaligned(fromByteOffset: Int(magnitude) * 2, as: UInt16.self),
                toByteOffset: 0, as: UInt16.self)
        } else {
            cursor.storeBytes(
                of: UInt8(truncatingIfNeeded: magnitude) + 0x30, toByteOffset: 0, as: UInt8.self)
        }
        cursor += digits
    }

    @inline(__always)
    static func putStatus(_ status: RowStatus, at cursor: inout UnsafeMutableRawPointer) {
        let name: StaticString
        switch status {
        case .valid: name = "valid"
        case .invalid: name = "invalid"
        case .duplicate: name = "duplicate"
        case .invited: name = "invited"
        case .alreadyInvited: name = "already_invited"
        case .failed: name = "failed"
        case .notSent: name = "not_sent"
        case .inDoubt: name = "in_doubt"
        case .skipped: name = "skipped"
        case .wouldSend: name = "would_send"
        case .wouldReinvite: name = "would_reinvite"
        case .done: name = "done"
        case .overLimit: name = "over_limit"
        }
        putBytes(
            UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount),
            at: &cursor)
    }

    /// Copies `bytes` (short ones: a loop beats calling `memcpy`).
    @inline(__always)
    private static func putBytes(
        _ bytes: UnsafeRawBufferPointer, at cursor: inout UnsafeMutableRawPointer
    ) {
        var index = 0
        while index + 8 <= bytes.count {
            cursor.storeBytes(
                of: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self),
                toByteOffset: index,
                as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            cursor.storeBytes(of: bytes[index], toByteOffset: index, as: UInt8.self)
            index += 1
        }
        cursor += bytes.count
    }

    /// Writes a cell given as a string.
    static func putCell(_ text: String, at cursor: inout UnsafeMutableRawPointer) {
        var copy = text
        copy.withUTF8 { putCell(UnsafeRawBufferPointer($0), at: &cursor) }
    }

    /// Writes a cell: quoted when it holds a delimiter, quote or line break, and prefixed
    /// with `'` when a spreadsheet would take it for a formula.
    @inline(__always)
    static func putCell(_ bytes: UnsafeRawBufferPointer, at cursor: inout UnsafeMutableRawPointer) {
        guard let first = bytes.first else { return }
        let risky: Bool
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
            0x0A, 0:
            risky = true
        default:
            risky = false
        }
        if !risky && !mayNeedQuotes(bytes) {
            putBytes(bytes, at: &cursor)
            return
        }
        var needsQuotes = false
        for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        if needsQuotes { put(0x22, at: &cursor) }
        if risky { put(UInt8(ascii: "'"), at: &cursor) }
        for byte in bytes {
            if byte == 0x22 { put(0x22, at: &cursor) }
            put(byte, at: &cursor)
        }
        if needsQuotes { put(0x22, at: &cursor) }
    }

    /// False when `bytes` hold no comma, quote or byte below 0x0E (line breaks among
    /// them), eight bytes at a time; true may be a false alarm (a tab, say).
    private static func mayNeedQuotes(_ bytes: UnsafeRawBufferPointer) -> Bool {
        func any(_ word: UInt64) -> Bool {
            let highs: UInt64 = 0x8080_8080_8080_8080
            let ones: UInt64 = 0x0101_0101_0101_0101
            let comma = word ^ (ones &* 0x2C)
            let quote = word ^ (ones &* 0x22)
            let found =
                ((comma &- ones) & ~comma) | ((quote &- ones) & ~quote)
                | ((word &- ones &* 0x0E) & ~word)
            return found & highs != 0
        }
        var index = 0
        while index + 8 <= bytes.count {
            if any(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { return true }
            index += 8
        }
        guard index < bytes.count else { return false }
        if bytes.count >= 8 {
            // The last eight bytes, overlapping those already looked at.
            return any(bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
        }
        var tail: UInt64 = 0x4141_4141_4141_4141  // "A"s: none of the bytes looked for
        withUnsafeMutableBytes(of: &tail) { tail in
            tail.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[index...]))
        }
        return any(tail)
    }
}
