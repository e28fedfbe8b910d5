import Foundation

/// The validation stage of the pipeline: the rows of a `RowSource` come to it checked by
/// the target (`RowCheck`, which the source hands each row to), are gathered into batches,
/// checked against each other (`DuplicateFilter`) and handed to the caller in input order.
/// With
/// `checksAhead`, the checks run on a thread of their own, a few batches ahead, beside
/// whatever the caller does in order (duplicates, the report, sending); else on the
/// caller's thread, between its batches.
public final class CheckedRows {
    private let stage: Stage
    /// Rows per batch handed on.
    static let batchSize = 2048

    private var duplicates: DuplicateFilter?
    private let readAhead: Int
    /// Whether rows are checked on a thread of their own (else on the caller's).
    private let checksAhead: Bool

    /// Whether checking rows on a thread of their own pays: with reading already on one,
    /// a third busy thread on two cores only takes turns with the reader (and slows it,
    /// which every other stage waits for), so there rows are checked on the caller's thread.
    public static let checksAheadByDefault = ProcessInfo.processInfo.activeProcessorCount > 2

    /// Rows of `source` checked by `check` and, with `findsDuplicates`, against each
    /// other (their key, see `DuplicateFilter`); with `checksAhead`, on a thread of their
    /// own, at most `readAhead` batches of rows ahead of the caller.
    public init(
        source: RowSource, check: RowCheck, findsDuplicates: Bool = true,
        readAhead: Int = 8, checksAhead: Bool = true
    ) {
        stage = Stage(source: source, check: check)
        // Made here and held nowhere else: a second reference to its table would make the
        // first insert copy it whole (copy on write).
        let target = check.target
        duplicates =
            findsDuplicates
            ? DuplicateFilter(
                keyName: target.fields[target.keyField].name, expectedRows: source.expectedRows)
            : nil
        self.readAhead = readAhead
        self.checksAhead = checksAhead
    }

    /// Calls `body` with every batch of rows, checked, in input order. The batch is only
    /// valid during the call. Errors of the input (a bad file) are thrown after the rows
    /// before them were handed on.
    public func forEachBatch(_ body: (CheckedBatch) throws -> Void) throws {
        let stage = self.stage
        let recycled = BoundedChannel<CheckedBatch>(capacity: readAhead + 1)
        defer { recycled.close() }
        func consume(_ batch: CheckedBatch) throws {
            duplicates?.check(batch)
            try body(batch)
            batch.removeAll()
            _ = recycled.trySend(batch)
        }
        guard checksAhead else {
            return try stage.run(send: consume, recycled: recycled)
        }
        try Pipeline.run(
            capacity: readAhead,
            produce: { send in try stage.run(send: send, recycled: recycled) },
            consume: consume)
    }

    /// Calls `body` with every row, checked, in input order (see `forEachBatch`).
    public func forEach(_ body: (CheckedRow) throws -> Void) throws {
        try forEachBatch { batch in
            for index in 0..<batch.count {
                try body(batch[index].checkedRow)
            }
        }
    }

    /// The source and the check, used by one thread at a time (the stage's, or the
    /// caller's) while it runs.
    private final class Stage: @unchecked Sendable {
        let source: RowSource
        let check: RowCheck

        init(source: RowSource, check: RowCheck) {
            self.source = source
            self.check = check
        }

        func run(send: (CheckedBatch) throws -> Void, recycled: BoundedChannel<CheckedBatch>)
            throws
        {
            try withoutActuallyEscaping(send) { send in
                let batches = Batches(send: send, recycled: recycled)
                var check = self.check
                do {
                    try source.forEachRow(checkedBy: &check, into: batches)
                } catch {
                    // The input's error: the rows before it are handed on first.
                    if !batches.sendFailed { try batches.sendRest() }
                    throw error
                }
                try batches.sendRest()
            }
        }
    }

    /// Where the target's verdicts are gathered: a batch at a time, each handed on once
    /// full.
    private final class Batches: VerdictSink {
        let send: (CheckedBatch) throws -> Void
        let recycled: BoundedChannel<CheckedBatch>
        /// The batch being filled; `current` is the same, lent to each row without a
        /// retain and release of its own (`batch` keeps it).
        var batch: CheckedBatch {
            didSet { current = Unmanaged.passUnretained(batch) }
        }
        var current: Unmanaged<CheckedBatch>
        /// Whether handing a batch on failed (the caller threw, or stopped taking them):
        /// then nothing more is handed on, not even the rows before the error.
        var sendFailed = false

        init(send: @escaping (CheckedBatch) throws -> Void, recycled: BoundedChannel<CheckedBatch>)
        {
            self.send = send
            self.recycled = recycled
            let first = recycled.tryReceive() ?? CheckedBatch()
            batch = first
            current = Unmanaged.passUnretained(first)
        }

        func take(
            row: Int, line: Int, status: RowStatus, digest: UInt64, key: UnsafeRawBufferPointer,
            message: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
        ) throws {
            let full = current._withUnsafeGuaranteedRef { batch in
                batch.append(
                    row: row, line: line, status: status, digest: digest, key: key,
                    message: message, payload: payload)
                return batch.count == CheckedRows.batchSize
            }
            guard full else { return }
            do {
                try send(batch)
            } catch {
                sendFailed = true
                throw error
            }
            batch = recycled.tryReceive() ?? CheckedBatch()
        }

        /// Hands on the last batch, if it holds rows.
        func sendRest() throws {
            if batch.count > 0 { try send(batch) }
        }
    }
}
