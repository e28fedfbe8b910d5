#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The keys seen so far, each kept as a 64-bit digest with the row number that first had
/// it: 12 bytes a slot in an open-addressing table kept at most three quarters full, so a
/// million keys need 16 MB.
///
/// Two different keys share a digest with a probability of about n²/2⁶⁵ (3·10⁻⁸ for a
/// million rows); the digest's seed is random for each process, so such a collision does
/// not repeat from one run to the next. Not safe for concurrent use.
public struct KeyDigestSet: Sendable {
    /// Slot `i` is words `3i` (digest, low half), `3i+1` (high half), `3i+2` (row): one
    /// cache line holds a whole slot, so an insert costs one miss. Any number of slots (not
    /// just powers of two), so a table sized for a million keys is not rounded up to two.
    private var table: SlotTable
    public private(set) var count = 0
    /// The table grows past three quarters full, where linear probing stays short.
    private static let maxLoad = 0.75

    /// An empty set with room for `capacity` keys before it first grows.
    public init(capacity: Int = 1024) {
        table = SlotTable(size: max(16, Int((Double(capacity) / Self.maxLoad).rounded(.up))))
    }

    /// Adds `key` for row `row`. Returns nil when the key is new, else the row that had it first.
    public mutating func insert(_ key: UnsafeRawBufferPointer, row: Int) -> Int? {
        insert(digest: KeyDigest.digest(key), row: row)
    }

    /// Where `digest` is looked for first: the digest scaled to the table (multiply-shift).
    @inline(__always)
    private static func home(_ digest: UInt64, size: Int) -> Int {
        Int(truncatingIfNeeded: digest.multipliedFullWidth(by: UInt64(size)).high)
    }

    /// Starts loading the slot where `digest` would go, so that a later `insert` of it does
    /// not wait for memory (call it a few keys ahead).
    @inline(__always)
    public func prefetch(digest: UInt64) -> UInt32 {
        table.words[Self.home(digest, size: table.size) * 3]
    }

    /// `insert(_:row:)` for a key whose `KeyDigest.digest` is already known.
    public mutating func insert(digest: UInt64, row: Int) -> Int? {
        makeUnique()
        return insertIntoUnique(digest: digest, row: row)
    }

    /// Makes the table this set's own (copy on write), before `insertIntoUnique` calls.
    @inline(__always)
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&table) { table = table.copy(size: table.size) }
    }

    /// `insert(digest:row:)` once `makeUnique()` was called (and no copy made since).
    @inline(__always)
    mutating func insertIntoUnique(digest: UInt64, row: Int) -> Int? {
        let (base, found) = slot(of: digest)
        if found { return Int(table.words[base + 2]) }
        add(digest, UInt32(truncatingIfNeeded: row), at: base)
        return nil
    }

    /// The number kept with `digest` (its first row, or what `update` set), if any.
    public func value(digest: UInt64) -> UInt32? {
        let (base, found) = slot(of: digest)
        return found ? table.words[base + 2] : nil
    }

    /// Keeps `value` with `digest`, in place of what it had.
    public mutating func update(digest: UInt64, value: UInt32) {
        makeUnique()
        let (base, found) = slot(of: digest)
        if found {
            table.words[base + 2] = value
        } else {
            add(digest, value, at: base)
        }
    }

    /// The first word of `digest`'s slot, or of the empty slot where it would go.
    @inline(__always)
    private func slot(of digest: UInt64) -> (base: Int, found: Bool) {
        let low = UInt32(truncatingIfNeeded: digest)
        let high = UInt32(truncatingIfNeeded: digest >> 32)
        let size = table.size
        let words = table.words
        var slot = Self.home(digest, size: size)
        while true {
            let base = slot * 3
            if words[base] == 0 && words[base + 1] == 0 { return (base, false) }
            if words[base] == low && words[base + 1] == high { return (base, true) }
            slot += 1
            if slot == size { slot = 0 }
        }
    }

    /// Fills the empty slot at `base`; the table grows when that makes it too full.
    @inline(__always)
    private mutating func add(_ digest: UInt64, _ value: UInt32, at base: Int) {
        table.words[base] = UInt32(truncatingIfNeeded: digest)
        table.words[base + 1] = UInt32(truncatingIfNeeded: digest >> 32)
        table.words[base + 2] = value
        count += 1
        if count > table.growthThreshold { table = table.copy(size: table.size + table.size / 2) }
    }

    /// The slots, in memory of their own that asks the kernel for huge pages: a table of
    /// millions of slots is read at random, and with 4 KiB pages nearly every look-up
    /// would also miss the TLB.
    private final class SlotTable: @unchecked Sendable {
        // Safe to share: `KeyDigestSet` copies the table before writing to a shared one.
        let size: Int
        let words: UnsafeMutablePointer<UInt32>
        private let mapping: UnsafeMutableRawPointer
        private let mappedBytes: Int
        private static let hugePage = 2 << 20

        /// More keys than this and the table grows (see `maxLoad`).
        let growthThreshold: Int

        init(size: Int) {
            self.size = size
            growthThreshold = Int(Double(size) * KeyDigestSet.maxLoad)
            let bytes = size * 3 * MemoryLayout<UInt32>.stride
            // Anonymous memory reads as zeros: every slot starts empty.
            mappedBytes = bytes + Self.hugePage
            guard
                let mapped = mmap(
                    nil, mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                mapped != MAP_FAILED
            else {
                // Out of address space: nothing sensible is left to do.
                fatalError("cannot map \(mappedBytes) bytes for the duplicate table")
            }
            mapping = mapped
            let aligned = (Int(bitPattern: mapped) + Self.hugePage - 1) & ~(Self.hugePage - 1)
            let start = UnsafeMutableRawPointer(bitPattern: aligned) ?? mapped
            _ = madvise(start, bytes, MADV_HUGEPAGE)  // advice only: 4 KiB pages work too
            words = start.bindMemory(to: UInt32.self, capacity: size * 3)
        }

        deinit {
            munmap(mapping, mappedBytes)
        }

        /// A table of `size` slots holding the same digests.
        func copy(size newSize: Int) -> SlotTable {
            let other = SlotTable(size: newSize)
            var index = 0
            while index < size * 3 {
                let low = words[index]
                let high = words[index + 1]
                if low != 0 || high != 0 {
                    var slot = KeyDigestSet.home(UInt64(high) << 32 | UInt64(low), size: newSize)
                    while other.words[slot * 3] != 0 || other.words[slot * 3 + 1] != 0 {
                        slot += 1
                        if slot == newSize { slot = 0 }
                    }
                    other.words[slot * 3] = low
                    other.words[slot * 3 + 1] = high
                    other.words[slot * 3 + 2] = words[index + 2]
                }
                index += 3
            }
            return other
        }
    }
}
