import Foundation

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
    public init(source: RowSource, validator: RowValidator, duplicates: DuplicateFilter?) {
        stage = Stage(source: source, validator: validator)
        self.duplicates = duplicates
    }

    /// Calls `body` with every row, checked, in input order. Errors of the input (a bad
    /// file) are thrown after the rows before them were handed on.
    public func forEach(_ body: (CheckedRow) throws -> Void) throws {
        let batches = BoundedChannel<Result<[CheckedRow], Error>>(capacity: 32)
        let done = DispatchSemaphore(value: 0)
        let stage = self.stage
        let thread = Thread {
            stage.run(into: batches)
            batches.close()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        defer {
            batches.close()
            while batches.receive() != nil {}
            done.wait()
        }
        while let item = batches.receive() {
            var batch = try item.get()
            duplicates?.check(&batch)
            for row in batch {
                try body(row)
            }
        }
    }

    /// The source and validator, used by the stage's thread alone while it runs.
    private final class Stage: @unchecked Sendable {
        let source: RowSource
        let validator: RowValidator

        init(source: RowSource, validator: RowValidator) {
            self.source = source
            self.validator = validator
        }

        func run(into batches: BoundedChannel<Result<[CheckedRow], Error>>) {
            var batch: [CheckedRow] = []
            batch.reserveCapacity(CheckedRows.batchSize)
            var validator = self.validator
            do {
                try source.forEachRow { row in
                    batch.append(validator.check(row))
                    if batch.count == CheckedRows.batchSize {
                        guard batches.send(.success(batch)) else { throw CancellationError() }
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { _ = batches.send(.success(batch)) }
            } catch {
                if !batch.isEmpty { _ = batches.send(.success(batch)) }
                _ = batches.send(.failure(error))
            }
        }
    }
}
