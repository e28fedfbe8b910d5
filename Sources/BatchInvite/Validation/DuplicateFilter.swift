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

    /// Marks the valid rows of `batch` whose key an earlier valid row had; the batch's
    /// rows must follow those checked before. Table slots are loaded a few rows ahead so
    /// the memory waits overlap.
    public mutating func check(_ batch: CheckedBatch) {
        var sink: UInt32 = 0
        let entries = batch.entries
        for index in 0..<entries.count {
            let ahead = index + Self.lookahead
            if ahead < entries.count && entries[ahead].status == .valid {
                sink &+= seen.prefetch(digest: entries[ahead].digest)
            }
            let entry = entries[index]
            guard entry.status == .valid,
                let earlier = seen.insert(digest: entry.digest, row: entry.row)
            else { continue }
            batch.mark(index, .duplicate, message: "same \(keyName) as row \(earlier)")
        }
        prefetchSink = sink  // keeps the prefetching loads from being optimised away
    }
}
