/// The reading and checking stages of the pipeline for one input and one target, put
/// together in this one place for `validate`, `run` (resumed or not) and `report
/// --journal`: the input read and mapped to the target's fields (`RowSource`), each row
/// handed to the target's check (`RowCheck`), whose verdicts are gathered a few batches
/// ahead, on a thread of their own where that pays, and checked for duplicates
/// (`CheckedRows`). What follows the rows (a report, the dispatcher)
/// is the caller's.
public struct RowPipeline {
    public let options: InputOptions
    public let target: any Target
    /// The rows' source, for its counts and progress once reading began.
    public let source: RowSource

    /// Opens the input; `onWarning` hears what the user should know (ignored columns).
    public init(
        options: InputOptions, target: any Target, onWarning: @escaping (String) -> Void = { _ in }
    ) throws {
        self.options = options
        self.target = target
        source = try RowSource(options: options, target: target)
        source.onWarning = onWarning
    }

    /// The rows, checked. With a `requestPath`, valid rows carry their request's payload
    /// for that path (those `needsPayload` accepts: a resumed run sends only some); with
    /// `checksAhead`, on a thread of their own, `readAhead` batches ahead of the caller.
    public func checkedRows(
        requestPath: String? = nil, needsPayload: (@Sendable (_ row: Int) -> Bool)? = nil,
        readAhead: Int = 8, checksAhead: Bool = CheckedRows.checksAheadByDefault
    ) -> CheckedRows {
        var check = RowCheck(target: target, requestPath: requestPath)
        if let needsPayload { check.needsPayload = needsPayload }
        return CheckedRows(
            source: source, check: check, readAhead: readAhead, checksAhead: checksAhead)
    }

    /// Reads the file through once, on a reader of its own, so that what would stop a run
    /// half way stops it (exit 2) before anything is sent: broken CSV quoting far down, or
    /// a byte that is not UTF-8 past the 64 KiB the encoding was guessed from. (A broken
    /// JSON line is one invalid row.) Returns the input's data rows and blank records, for
    /// the journal: from then on `status` counts every input row, those never reached too.
    public func checkWholeInput() throws -> (rows: Int, blankRecords: Int) {
        let reader = try RowSource(options: options, target: target)
        reader.stopsOnInvalidText = true
        var rows = 0
        try reader.forEachRow { _ in rows += 1 }
        return (rows, reader.blankRecordsSkipped)
    }
}
