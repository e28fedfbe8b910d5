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
    private var key = RowKey()
    private var problems = RowProblems()

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
        key.removeAll()
        problems.removeAll()
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        if let reason = row.skipped {
            // Not a person to invite: reported with its key (as the file has it), never sent,
            // and no duplicate of anyone (its digest is none).
            if case .text(let bytes) = row.values[target.keyField] {
                key.setLowercased(FieldRules.trimmed(bytes))
                if let shown = key.withUnsafeBytes({ TextBytes.escapingUnprintable($0) }) {
                    key.set(shown)
                }
            }
            var message = Array(reason.utf8)
            key.withUnsafeBytes { key in
                message.withUnsafeMutableBytes { message in
                    batch.append(
                        row: row.row, line: row.line, status: .skipped, digest: 0, key: key,
                        message: UnsafeRawBufferPointer(message), payload: none)
                }
            }
            return
        }
        if let problem = row.problem {
            if case .text(let bytes) = row.values[target.keyField] {
                key.setLowercased(FieldRules.trimmed(bytes))
            }
            problems.add(problem)
        } else {
            target.validate(row.values, key: &key, problems: &problems)
        }
        if !problems.isEmpty {
            // An invalid row's key may hold anything: the report shows it escaped.
            if let shown = key.withUnsafeBytes({ TextBytes.escapingUnprintable($0) }) {
                key.set(shown)
            }
            key.withUnsafeBytes { key in
                problems.bytes.withUnsafeBytes { message in
                    batch.append(
                        row: row.row, line: row.line, status: .invalid, digest: 0, key: key,
                        message: message, payload: none)
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
