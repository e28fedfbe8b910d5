/// Consecutive rows after validation, kept so that a row costs no allocation of its own:
/// per row its numbers, status and key digest, and its key, message and request payload
/// as ranges of one byte buffer.
///
/// Filled by the validation stage, handed to the ordered stage (duplicates, the report,
/// sending), then emptied and handed back for reuse: one holder at a time, so the
/// unchecked `Sendable` is safe.
public final class CheckedBatch: @unchecked Sendable {
    struct Entry: BitwiseCopyable {
        var row: Int
        var line: Int
        var status: RowStatus
        var digest: UInt64
        var key: Span
        var message: Span
        var payload: Span
    }

    /// Where some bytes of a row lie in `bytes` (`Range` is not `BitwiseCopyable`).
    struct Span: BitwiseCopyable {
        var start: Int
        var end: Int
    }

    // One holder at a time (see above): the run-time exclusivity checks, which cost more
    // than the appends they guard, have nothing to find.
    @exclusivity(unchecked) private(set) var bytes = RawList<UInt8>(capacity: 32 * 1024)
    @exclusivity(unchecked) private(set) var entries = RawList<Entry>(capacity: 512)

    public init() {}

    deinit {
        bytes.free()
        entries.free()
    }

    /// How many rows the batch holds.
    public var count: Int { entries.count }

    /// Row `index` of the batch; its bytes are valid until the batch is emptied or grows.
    public subscript(index: Int) -> Row {
        let entry = entries[index]
        let all = UnsafeRawBufferPointer(bytes.buffer)
        return Row(
            row: entry.row, line: entry.line, status: entry.status, keyDigest: entry.digest,
            key: UnsafeRawBufferPointer(rebasing: all[entry.key.start..<entry.key.end]),
            message: UnsafeRawBufferPointer(rebasing: all[entry.message.start..<entry.message.end]),
            payload: UnsafeRawBufferPointer(rebasing: all[entry.payload.start..<entry.payload.end]))
    }

    /// One row of a batch, pointing into it.
    public struct Row {
        /// The data row's number, from 1.
        public let row: Int
        /// The physical line where the row starts.
        public let line: Int
        /// `valid`, `invalid`, or `duplicate` once `DuplicateFilter` has seen it.
        public let status: RowStatus
        /// `KeyDigest.digest` of the key, for a valid row.
        public let keyDigest: UInt64
        /// The row's key (normalised), or what there is of it in an invalid row.
        public let key: UnsafeRawBufferPointer
        /// Why the row is invalid or a duplicate; empty for a valid row.
        public let message: UnsafeRawBufferPointer
        /// What the request carries, for a valid row when the validator builds payloads.
        public let payload: UnsafeRawBufferPointer

        /// The row with its own copies of the bytes.
        public var checkedRow: CheckedRow {
            var row = CheckedRow(
                row: self.row, line: line, key: String(decoding: key, as: UTF8.self),
                status: status, message: String(decoding: message, as: UTF8.self))
            row.keyDigest = keyDigest
            row.payload = Array(payload.bindMemory(to: UInt8.self))
            return row
        }

        /// The row's report columns (`validate`'s report: nothing sent), pointing into the
        /// batch.
        public var reportColumns: OutcomeColumns {
            OutcomeColumns(row: row, line: line, status: status, key: key, message: message)
        }
    }

    /// Adds a row; `key`, `message` and `payload` are copied.
    func append(
        row: Int, line: Int, status: RowStatus, digest: UInt64, key: UnsafeRawBufferPointer,
        message: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
    ) {
        let keyRange = appendBytes(key)
        let messageRange = appendBytes(message)
        let payloadRange = appendBytes(payload)
        entries.append(
            Entry(
                row: row, line: line, status: status, digest: digest, key: keyRange,
                message: messageRange, payload: payloadRange))
    }

    /// Changes row `index` to `status` with `message`.
    func mark(_ index: Int, _ status: RowStatus, message: String) {
        var message = message
        let range = message.withUTF8 { appendBytes(UnsafeRawBufferPointer($0)) }
        entries[index].status = status
        entries[index].message = range
    }

    /// Empties the batch for reuse.
    public func removeAll() {
        bytes.truncate(to: 0)
        entries.truncate(to: 0)
    }

    private func appendBytes(_ source: UnsafeRawBufferPointer) -> Span {
        let start = bytes.count
        bytes.append(contentsOf: source)
        return Span(start: start, end: bytes.count)
    }
}

extension RowStatus: BitwiseCopyable {}
