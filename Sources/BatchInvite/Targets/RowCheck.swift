/// Where a target's check writes its verdict on each row, and hands the row on: the
/// validation stage (`CheckedRows`), which gathers verdicts into batches.
public protocol VerdictSink: AnyObject {
    /// Takes row `row`'s verdict; `key`, `message` and `payload` are borrowed for the call.
    /// Throws what stops the rows (the stage after could not take them).
    func take(
        row: Int, line: Int, status: RowStatus, digest: UInt64, key: UnsafeRawBufferPointer,
        message: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) throws
}

/// A target's check of one row at a time, with no memory of other rows (safe to run ahead
/// of the stages that follow, on another thread): the row's key, `valid` or `invalid` with
/// every reason, and for a valid row the payload of its request; the verdict goes on to a
/// `VerdictSink`. The row comes from the mapping (`RowSource.forEachRow(checkedBy:into:)`).
public struct RowCheck: Sendable {
    public let target: any Target
    /// The path valid rows' requests go to, when they get their request payload (for
    /// sending; validation alone skips it): `--path`, else the target's. Nil: no payloads.
    public let requestPath: String?
    /// Which rows (by number) need their payload when there is a `requestPath`: rows a
    /// resumed run will not send need none. Default: every row.
    public var needsPayload: @Sendable (_ row: Int) -> Bool = { _ in true }
    // Scratch space reused from row to row.
    private var key = RowKey()
    private var problems = RowProblems()

    public init(target: any Target, requestPath: String? = nil) {
        self.target = target
        self.requestPath = requestPath
    }

    /// Checks the row numbered `row`, starting on line `line`, with `values` (by the
    /// target's field index), and hands its verdict to `sink`: `skipped` when a `--where`
    /// leaves it out (with that reason), `invalid` with `problem` when the record as a whole
    /// is wrong, else the target's verdict.
    public mutating func check(
        row: Int, line: Int, values: RowValues, problem: String?, skipped: String?,
        into sink: some VerdictSink
    ) throws {
        key.removeAll()
        problems.removeAll()
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        if let reason = skipped {
            // Not a person to invite: reported with its key (as the file has it), never sent,
            // and no duplicate of anyone (its digest is none).
            if case .text(let bytes) = values[target.keyField] {
                key.setLowercased(FieldRules.trimmed(bytes))
                if let shown = key.withUnsafeBytes({ TextBytes.escapingUnprintable($0) }) {
                    key.set(shown)
                }
            }
            var message = Array(reason.utf8)
            try key.withUnsafeBytes { key in
                try message.withUnsafeMutableBytes { message in
                    try sink.take(
                        row: row, line: line, status: .skipped, digest: 0, key: key,
                        message: UnsafeRawBufferPointer(message), payload: none)
                }
            }
            return
        }
        if let problem {
            if case .text(let bytes) = values[target.keyField] {
                key.setLowercased(FieldRules.trimmed(bytes))
            }
            problems.add(problem)
        } else {
            target.validate(values, key: &key, problems: &problems)
        }
        if !problems.isEmpty {
            // An invalid row's key may hold anything: the report shows it escaped.
            if let shown = key.withUnsafeBytes({ TextBytes.escapingUnprintable($0) }) {
                key.set(shown)
            }
            try key.withUnsafeBytes { key in
                try problems.bytes.withUnsafeBytes { message in
                    try sink.take(
                        row: row, line: line, status: .invalid, digest: 0, key: key,
                        message: message, payload: none)
                }
            }
            return
        }
        var payload: [UInt8] = []
        if let requestPath, needsPayload(row) {
            payload = target.payload(values, path: requestPath)
        }
        try key.withUnsafeBytes { key in
            try payload.withUnsafeBytes { payload in
                try sink.take(
                    row: row, line: line, status: .valid, digest: KeyDigest.digest(key),
                    key: key, message: none, payload: payload)
            }
        }
    }
}
