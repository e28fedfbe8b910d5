/// Marks a valid row `duplicate` when an earlier valid row had the same key
/// (`same email as row 12`). Rows must come in input order.
public struct DuplicateFilter: Sendable {
    private var seen: KeyDigestSet
    private let keyName: String
    private var prefetchSink: UInt32 = 0
    /// How many rows ahead the table slot is loaded (see `KeyDigestSet.prefetch`).
    private static let lookahead = 16

    /// `keyName` names the key in messages (`email`, `ID`); `expectedRows` sizes the table.
    public init(keyName: String, expectedRows: Int = 1024) {
        self.keyName = keyName
        seen = KeyDigestSet(capacity: expectedRows)
    }

    /// Checks one row (its `keyDigest` must be set for a valid row).
    public mutating func check(_ row: inout CheckedRow) {
        guard row.status == .valid, let earlier = seen.insert(digest: row.keyDigest, row: row.row)
        else { return }
        row.status = .duplicate
        row.message = "same \(keyName) as row \(earlier)"
    }

    /// Checks a batch of consecutive rows, loading table slots a few rows ahead so the
    /// memory waits overlap.
    public mutating func check(_ rows: inout [CheckedRow]) {
        var sink: UInt32 = 0
        for index in rows.indices {
            let ahead = index + Self.lookahead
            if ahead < rows.count && rows[ahead].status == .valid {
                sink &+= seen.prefetch(digest: rows[ahead].keyDigest)
            }
            check(&rows[index])
        }
        prefetchSink = sink  // keeps the prefetching loads from being optimised away
    }
}
