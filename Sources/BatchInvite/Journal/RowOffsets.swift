import Foundation

/// Where each row's latest journal record starts, by row number. Kept in chunks of
/// 65,536 rows, so that growing never copies (nor doubles) what is there. Safe for
/// concurrent use.
final class RowOffsets: @unchecked Sendable {
    // Safe to share: `chunks` and `count` are only touched with `lock` held.
    private static let chunkSize = 1 << 16
    private let lock = NSLock()
    private var chunks: [[Int64]] = []
    private var rows = 0

    /// Offsets known from an earlier run, by row.
    init(_ earlier: [Int64]) {
        grow(to: earlier.count)
        for (index, offset) in earlier.enumerated() where offset >= 0 {
            chunks[index / Self.chunkSize][index % Self.chunkSize] = offset
        }
    }

    /// Makes room for row `row` (rows come in order).
    func reserve(row: Int) {
        lock.lock()
        grow(to: row)
        lock.unlock()
    }

    func set(row: Int, offset: Int64) {
        lock.lock()
        grow(to: row)
        chunks[(row - 1) / Self.chunkSize][(row - 1) % Self.chunkSize] = offset
        lock.unlock()
    }

    /// Where row `row`'s record starts; -1 when it has none.
    func offset(row: Int) -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        guard row >= 1, row <= rows else { return -1 }
        return chunks[(row - 1) / Self.chunkSize][(row - 1) % Self.chunkSize]
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return rows
    }

    /// Calls `body` with the offset of every row that has a record, in row order.
    func forEachOffset(_ body: (Int64) throws -> Void) rethrows {
        lock.lock()
        let (chunks, rows) = (self.chunks, self.rows)
        lock.unlock()
        var left = rows
        for chunk in chunks where left > 0 {
            for offset in chunk.prefix(left) where offset >= 0 { try body(offset) }
            left -= chunk.count
        }
    }

    private func grow(to row: Int) {
        while chunks.count * Self.chunkSize < row {
            chunks.append([Int64](repeating: -1, count: Self.chunkSize))
        }
        rows = max(rows, row)
    }
}
