/// Marks a valid row `duplicate` when an earlier valid row had the same key
/// (`same email as row 12`). Rows must come in input order.
public struct DuplicateFilter: Sendable {
    private var seen: KeyDigestSet
    private let keyName: String
    private var prefetchSink: UInt32 = 0

    /// `keyName` names the key in messages (`email`, `ID`); `expectedRows` sizes the table.
    public init(keyName: String, expectedRows: Int = 1024) {
        self.keyName = keyName
        seen = KeyDigestSet(capacity: expectedRows)
    }

    /// Marks the valid rows of `batch` whose key an earlier valid row had; the batch's
    /// rows must follow those checked before. The table slots of the whole batch are
    /// loaded first, side by side, so their memory waits overlap instead of adding up.
    public mutating func check(_ batch: CheckedBatch) {
        var sink: UInt32 = 0
        let entries = batch.entries
        for index in 0..<entries.count where entries[index].status == .valid {
            sink &+= seen.prefetch(digest: entries[index].digest)
        }
        prefetchSink = sink  // keeps the loads from being optimised away
        seen.makeUnique()
        for index in 0..<entries.count {
            let entry = entries[index]
            guard entry.status == .valid,
                let earlier = seen.insertIntoUnique(digest: entry.digest, row: entry.row)
            else { continue }
            batch.mark(index, .duplicate, message: "same \(keyName) as row \(earlier)")
        }
    }
}
