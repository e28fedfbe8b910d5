/// The keys seen so far, each kept as a 64-bit digest with the row number that first had
/// it: 12 bytes a key in an open-addressing table, so a million keys need about 24 MB.
///
/// Two different keys share a digest with a probability of about n²/2⁶⁵ (3·10⁻⁸ for a
/// million rows); the digest's seed is random for each process, so such a collision does
/// not repeat from one run to the next. Not safe for concurrent use.
public struct KeyDigestSet {
    private var digests: [UInt64]
    private var rows: [UInt32]
    private var mask: Int
    public private(set) var count = 0
    private let seed: (UInt64, UInt64)

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        digests = Array(repeating: 0, count: size)
        rows = Array(repeating: 0, count: size)
        mask = size - 1
        seed = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))
    }

    /// Adds `key` for row `row`. Returns nil when the key is new, else the row that had it first.
    public mutating func insert(_ key: UnsafeRawBufferPointer, row: Int) -> Int? {
        let digest = self.digest(key)
        var slot = Int(truncatingIfNeeded: digest >> 20) & mask
        while digests[slot] != 0 {
            if digests[slot] == digest { return Int(rows[slot]) }
            slot = (slot + 1) & mask
        }
        digests[slot] = digest
        rows[slot] = UInt32(truncatingIfNeeded: row)
        count += 1
        if count * 4 > digests.count * 3 { grow() }
        return nil
    }

    /// A 64-bit digest of `key`, never 0 (0 marks an empty slot).
    private func digest(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(seed.0)
        hasher.combine(bytes: key)
        let value = UInt64(UInt(bitPattern: hasher.finalize()))
        return value == 0 ? seed.1 | 1 : value
    }

    private mutating func grow() {
        let oldDigests = digests
        let oldRows = rows
        digests = Array(repeating: 0, count: oldDigests.count * 2)
        rows = Array(repeating: 0, count: oldDigests.count * 2)
        mask = digests.count - 1
        for (index, digest) in oldDigests.enumerated() where digest != 0 {
            var slot = Int(truncatingIfNeeded: digest >> 20) & mask
            while digests[slot] != 0 { slot = (slot + 1) & mask }
            digests[slot] = digest
            rows[slot] = oldRows[index]
        }
    }
}
