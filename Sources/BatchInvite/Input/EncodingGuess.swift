/// What the first bytes of a file without a byte order mark say about its encoding, when
/// no `--encoding` was given: UTF-16 by its pattern of zero bytes, UTF-8 when the sample is
/// valid UTF-8, windows-1252 when it is not but every byte above 0x7F is a windows-1252
/// character, else nothing the tool can read without being told.
enum EncodingGuess: Equatable {
    case utf8
    case utf16(bigEndian: Bool)
    /// Not UTF-8; the first byte that is not, from the start of the sample.
    case windows1252(firstInvalid: Int)
    case unknown(firstInvalid: Int)

    /// How many bytes of a file the guess looks at.
    static let sampleSize = 64 * 1024

    /// Guesses from `sample`, the file's first bytes after any byte order mark;
    /// `isWhole` says whether it is the whole file (else a character cut at its end is
    /// not held against it).
    static func guess(_ sample: UnsafeRawBufferPointer, isWhole: Bool) -> EncodingGuess {
        if let bigEndian = utf16Order(sample) { return .utf16(bigEndian: bigEndian) }
        guard let invalid = firstInvalidUTF8(sample, isWhole: isWhole) else { return .utf8 }
        // Five bytes are unassigned in windows-1252, and C0 controls other than tab and
        // line breaks do not occur in its text either.
        let unassigned: Set<UInt8> = [0x81, 0x8D, 0x8F, 0x90, 0x9D]
        let plausible = sample.allSatisfy { byte in
            // Tab, line breaks, and the vertical tab, form feed and DOS end-of-file mark some
            // old exporters leave.
            byte >= 0x20 ? !unassigned.contains(byte) : [9, 10, 11, 12, 13, 0x1A].contains(byte)
        }
        return plausible ? .windows1252(firstInvalid: invalid) : .unknown(firstInvalid: invalid)
    }

    /// The byte order of UTF-16 text without a byte order mark, told by its zero bytes:
    /// text in the Latin script has a zero in every other byte. Nil when it is not so.
    static func utf16Order(_ sample: UnsafeRawBufferPointer) -> Bool? {
        let pairs = min(sample.count, 4096) / 2
        guard pairs >= 2 else { return nil }
        var evenZeros = 0
        var oddZeros = 0
        for pair in 0..<pairs {
            if sample[2 * pair] == 0 { evenZeros += 1 }
            if sample[2 * pair + 1] == 0 { oddZeros += 1 }
        }
        if oddZeros * 10 >= pairs * 3 && evenZeros * 20 < pairs { return false }
        if evenZeros * 10 >= pairs * 3 && oddZeros * 20 < pairs { return true }
        return nil
    }

    /// The offset of the first byte of `bytes` that is not part of valid UTF-8, or nil.
    /// Unless `isWhole`, a sequence cut short by the end is taken as valid.
    static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer, isWhole: Bool) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            for offset in 1..<length {
                guard index + offset < count else { return isWhole ? index : nil }
                let byte = bytes[index + offset]
                if offset == 1 ? (byte < low || byte > high) : (byte < 0x80 || byte > 0xBF) {
                    return index
                }
            }
            index += length
        }
        return nil
    }
}
