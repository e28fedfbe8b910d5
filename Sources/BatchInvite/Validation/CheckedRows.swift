/// The validation stage of the pipeline: reads rows from a `RowSource` and checks them
/// with a `RowValidator` on a thread of its own, a few batches ahead, and hands them to
/// the caller in input order. Per-row work (parsing, mapping, validation) thus runs beside
/// whatever the caller does in order (duplicates, the report, sending).
public final class CheckedRows {
    private let stage: Stage
    /// Rows per batch handed between the threads.
    static let batchSize = 512

    private var duplicates: DuplicateFilter?

    /// Rows of `source` checked by `validator`, and by `duplicates` if given.
    private let readAhead: Int

    /// Rows of `source` checked by `validator`, and by `duplicates` if given; at most
    /// `readAhead` batches of rows are checked ahead of the caller.
    public init(
        source: RowSource, validator: RowValidator, duplicates: DuplicateFilter?,
        readAhead: Int = 32
    ) {
        stage = Stage(source: source, validator: validator)
        self.duplicates = duplicates
        self.readAhead = readAhead
    }

    /// Calls `body` with every row, checked, in input order. Errors of the input (a bad
    /// file) are thrown after the rows before them were handed on.
    public func forEach(_ body: (CheckedRow) throws -> Void) throws {
        let stage = self.stage
        try Pipeline.run(
            capacity: readAhead,
            produce: { send in try stage.run(send: send) },
            consume: { (batch: [CheckedRow]) in
                var batch = batch
                duplicates?.check(&batch)
                for row in batch {
                    try body(row)
                }
            })
    }

    /// The source and validator, used by the stage's thread alone while it runs.
    private final class Stage: @unchecked Sendable {
        let source: RowSource
        let validator: RowValidator

        init(source: RowSource, validator: RowValidator) {
            self.source = source
            self.validator = validator
        }

        func run(send: ([CheckedRow]) throws -> Void) throws {
            var batch: [CheckedRow] = []
            batch.reserveCapacity(CheckedRows.batchSize)
            var validator = self.validator
            do {
                try source.forEachRow { row in
                    batch.append(validator.check(row))
                    if batch.count == CheckedRows.batchSize {
                        try send(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            } catch {
                if !batch.isEmpty && !(error is CancellationError) { try send(batch) }
                throw error
            }
            if !batch.isEmpty { try send(batch) }
        }
    }
}
