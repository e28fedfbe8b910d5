/// Checks one row at a time against its target, with no memory of other rows: safe to
/// run ahead of the stages that follow, on another thread.
public struct RowValidator: Sendable {
    public let target: any Target
    /// Whether valid rows get their request payload (for sending; validation alone skips it).
    public let buildsPayloads: Bool
    /// Which rows (by number) need their payload when `buildsPayloads` is set: rows a
    /// resumed run will not send need none. Default: every row.
    public var needsPayload: @Sendable (_ row: Int) -> Bool = { _ in true }
    // Scratch space reused from row to row.
    private var key: [UInt8] = []
    private var problems: [String] = []

    public init(target: any Target, buildsPayloads: Bool = false) {
        self.target = target
        self.buildsPayloads = buildsPayloads
    }

    /// The verdict on `row`: `valid`, or `invalid` with every reason.
    public mutating func check(_ row: RowSource.Row) -> CheckedRow {
        let batch = CheckedBatch()
        check(row, into: batch)
        return batch[0].checkedRow
    }

    /// Adds the verdict on `row` to `batch`.
    public mutating func check(_ row: RowSource.Row, into batch: CheckedBatch) {
        key.removeAll(keepingCapacity: true)
        problems.removeAll(keepingCapacity: true)
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        if let problem = row.problem {
            if case .text(let bytes) = row.values[target.keyField] {
                FieldRules.appendLowercased(FieldRules.trimmed(bytes), to: &key)
            }
            problems.append(problem)
        } else {
            target.validate(row.values, key: &key, problems: &problems)
        }
        if !problems.isEmpty {
            // An invalid row's key may hold anything: the report shows it escaped.
            if let shown = TextBytes.escapingUnprintable(key) { key = shown }
            var message = problems.count == 1 ? problems[0] : problems.joined(separator: "; ")
            key.withUnsafeBytes { key in
                message.withUTF8 { message in
                    batch.append(
                        row: row.row, line: row.line, status: .invalid, digest: 0, key: key,
                        message: UnsafeRawBufferPointer(message), payload: none)
                }
            }
            return
        }
        let payload = buildsPayloads && needsPayload(row.row) ? target.payload(row.values) : []
        key.withUnsafeBytes { key in
            payload.withUnsafeBytes { payload in
                batch.append(
                    row: row.row, line: row.line, status: .valid, digest: KeyDigest.digest(key),
                    key: key, message: none, payload: payload)
            }
        }
    }
}

/// A row after validation: where it came from, its key and its status so far.
public struct CheckedRow: Sendable, Equatable {
    /// The data row's number, from 1.
    public var row: Int
    /// The physical line where the row starts.
    public var line: Int
    /// The row's key (normalised), or what there is of it in an invalid row.
    public var key: String
    /// `valid`, `invalid`, or `duplicate` once `DuplicateFilter` has seen it.
    public var status: RowStatus
    /// Why the row is invalid or a duplicate; empty for a valid row.
    public var message: String
    /// `KeyDigest.digest` of the key, for a valid row (computed here, off the ordered path).
    public var keyDigest: UInt64 = 0
    /// What the request carries, for a valid row when the validator builds payloads.
    public var payload: [UInt8] = []
    /// Said at the end of the row's message whatever happens (an earlier interrupted
    /// attempt, for a resumed row).
    public var note: String = ""

    public init(row: Int, line: Int, key: String, status: RowStatus, message: String) {
        self.row = row
        self.line = line
        self.key = key
        self.status = status
        self.message = message
    }
}
