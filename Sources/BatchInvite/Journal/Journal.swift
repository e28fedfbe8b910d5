import Foundation

/// The run's record of what happened to each row: an append-only JSON Lines file, one
/// record per line, mode 0600. Appends are queued and written by a thread of their own,
/// which also encodes and checksums them (the sending thread's time goes to sending), with
/// one `fsync` per group, so many rows share the cost of each sync: a group holding a
/// dispatch record is written as soon as the previous one is on disk (a row waits for it
/// before it is sent); outcomes alone wait up to `commitInterval` or `commitRecords`
/// records, whichever comes first (`Journal+Committing.swift`).
///
/// Rows come to it and go on to the dispatcher through its `SendQueue`. They may be logged
/// ahead of free request slots (`logsAhead`): as the dispatcher takes a row, the queue then
/// writes, from the dispatcher's thread and without a sync, that its first request starts
/// (`markSending`), so that a later run on the same boot knows which rows logged ahead never
/// went out (`JournalSummary`).
///
/// Safe for concurrent use.
public final class Journal: @unchecked Sendable {
    // Safe to share: `queue`, `failure`, `lost`, `unwritten` and the observers are only
    // touched with `condition` locked; `marks` by the dispatcher's thread alone (in
    // `markSending`, with the file's `appending` held); the rest is fixed. Locks are taken
    // in the order `file.appending`, then `condition`.

    /// The longest a record waits before its group is written and synced.
    public static let commitInterval = 0.010
    /// A group is written at once when it holds this many records.
    public static let commitRecords = 256
    /// Records queued at most: appending one more waits until a group takes them.
    static let queuedRecordsLimit = 8192

    let file: JournalFile
    /// Held while the journal is open; tells whether its path still names it.
    let lock: JournalLock
    /// Used by `record(at:)` and `writeOutcomes`, once appending is over.
    private let reader: JournalReader
    let condition = NSCondition()
    /// The records waiting for the committing thread, and what the threads wait on.
    var queue = Queue()
    /// Called each time dispatch records become durable, or a write fails.
    var observers: [@Sendable () -> Void] = []
    /// Where each row's latest outcome starts in the file (an earlier run's too), set as
    /// they are written: the report is read back through it.
    let outcomes: RowOffsets
    /// The first write or sync that failed: nothing more may be sent.
    var failure: BatchInviteError?
    /// Set by the committing thread when the path no longer names the journal.
    var lost = false
    /// Outcomes that could not be written.
    var unwritten = 0
    let committerEnded = DispatchSemaphore(value: 0)
    /// What `markSending` writes with.
    private var marks = Marks()
    public let logsAhead: Bool
    /// The job's ledger, written and synced with each group (`--ledger`).
    let ledger: Ledger?

    /// The journal's path.
    public var path: String { file.path }

    /// Opens the journal at `path` for a run: created with `header` when it does not exist
    /// or is empty, else appended to (after `JournalScanner` checked it and cut off a torn
    /// tail). Holds the journal's lock while open. The run's `start` record comes first.
    public init(
        path: String, header: JournalHeader, start: JournalStart = JournalStart(rowsDone: 0),
        lock: JournalLock? = nil, syncs: Bool = true, ledger: Ledger? = nil,
        earlierOutcomes: [Int64] = []
    ) throws {
        self.ledger = ledger
        outcomes = RowOffsets(earlierOutcomes)
        self.lock = try lock ?? JournalLock(journal: path)
        // A ledger's records of a row logged ahead would say it is in doubt after a crash,
        // whatever the marks say; and without the boot's identity marks cannot be trusted.
        logsAhead = ledger == nil && start.boot != nil
        file = try JournalFile(path: path, syncs: syncs)
        reader = try JournalReader(path: path)
        if file.isEmpty {
            // Written at once: every other record must come after it (synced with the first group).
            var bytes: [UInt8] = []
            JournalFormat.appendFrame(header.object[...], to: &bytes)
            if let error = file.append(bytes).error { throw error }
        }
        // The thread lets go of the journal before it says it ended: once `close()`
        // returns, the journal's last reference (and with it the lock) is its owner's.
        let ended = committerEnded
        let committer = Thread { [weak self] in
            self?.commitLoop()
            ended.signal()
        }
        committer.start()
        var start = start
        start.marksSending = logsAhead
        enqueue(.object(start.object))
    }

    /// Appends the record that row `row` (starting on input line `line`, with key `key`) is
    /// about to be sent, without waiting; returns the position `durablePosition` must reach
    /// before the row may be sent (see `SendQueue`).
    public func appendDispatch(row: Int, line: Int, key: String) -> Int64 {
        enqueue(.dispatch(row: row, line: line, key: key, at: Clock.wallMilliseconds()))
    }

    /// Has the dispatch records appended so far written and synced now, as one group.
    public func commitDispatches() {
        condition.lock()
        if !queue.dispatches.isEmpty { condition.broadcast() }
        condition.unlock()
    }

    /// Writes, without a sync, the outcomes appended so far and then a `sent` record per
    /// row. The outcomes come first for the reason the committing thread writes them before
    /// dispatch records: a run killed after these rows went out must find every earlier
    /// answer recorded (a process's writes outlive it), so that it leaves no more rows in
    /// doubt than it had requests under way.
    public func markSending(rows: [Int]) throws {
        precondition(logsAhead, "rows are marked only when logged ahead")
        // Taken before `condition`, as the committing thread does: an outcome it took is
        // written before the marks.
        file.appending.lock()
        condition.lock()
        // Once a write or sync failed, records may be missing: nothing more may be sent.
        if let error = failure ?? file.writeFailure {
            condition.unlock()
            file.appending.unlock()
            throw error
        }
        swap(&marks.outcomesTaken, &queue.others)
        if queue.producersWaiting > 0 { condition.broadcast() }
        if !marks.outcomesTaken.isEmpty {
            // Written here, synced by the committing thread's next group or within the
            // interval.
            queue.outcomesUnsynced = true
            if queue.committerIdle { condition.broadcast() }
        }
        condition.unlock()
        marks.encode(sent: rows)
        let (start, kept, error) = file.appendLocked(marks.bytes)
        file.appending.unlock()
        tell(marks.placed, writtenAt: start, kept: kept)
        if let error {
            fail(error, tellingObservers: false)
            throw error
        }
    }

    /// How many dispatch records of this run are on disk. Throws when the journal could
    /// not be written: nothing more may be sent.
    public func durablePosition() throws -> Int64 {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        return queue.durableDispatches
    }

    /// Calls `observer`, from any thread, each time `durablePosition` moves past a dispatch
    /// record or a write fails.
    public func whenDurable(_ observer: @escaping @Sendable () -> Void) {
        condition.lock()
        observers.append(observer)
        condition.unlock()
    }

    /// Where row `row`'s latest outcome starts in the file, once written; -1 before.
    public func outcomeOffset(row: Int) -> Int64 {
        outcomes.offset(row: row)
    }

    /// Makes room in the outcomes' index for rows up to `row` (rows come in order), and
    /// counts them read (`rowsKnown`).
    public func expect(rowsUpTo row: Int) {
        outcomes.reserve(row: row)
    }

    /// The rows read so far (and those an earlier run read).
    public var rowsKnown: Int { outcomes.count }

    /// Appends one record (the outcome of a row), with what a later run must know of it.
    public func append(_ record: OutcomeRecord, marks: OutcomeMarks = OutcomeMarks()) {
        enqueue(.outcome(record, marks, at: Clock.wallMilliseconds()))
    }

    /// Appends the record of one second of the run (`RunTimeline`).
    public func append(second: RunTimeline.Second) {
        enqueue(.object(second.object))
    }

    /// Appends the record that the input was read to its end: `rows` data rows and
    /// `blankRecordsSkipped` blank records. With it, a later run whose journal settles
    /// every row need not read the input again.
    public func end(rows: Int, blankRecordsSkipped: Int) {
        enqueue(JournalRecord.end(rows: rows, blank: blankRecordsSkipped))
    }

    /// Queues a record; for a dispatch record returns its number (from 1 in this run), the
    /// position `durablePosition` must reach for it to be on disk: it is written in the
    /// next group, at once, when `commitDispatches` says the batch is whole.
    @discardableResult
    private func enqueue(_ record: JournalRecord) -> Int64 {
        condition.lock()
        defer { condition.unlock() }
        if case .dispatch = record {
            queue.dispatches.append(record)
            queue.appendedDispatches += 1
            return queue.appendedDispatches
        }
        queue.others.append(record)
        // Woken only when it has a reason to act: it slept on an empty queue or the group is
        // full (a signal per record would cost a switch per record).
        if queue.committerIdle || queue.others.count >= Self.commitRecords {
            condition.broadcast()
        }
        // Rows settled without being sent (invalid, duplicate, held by the ledger) come
        // faster than a disk takes them: their reader waits for the committing thread
        // rather than queue the whole input in memory.
        while queue.others.count >= Self.queuedRecordsLimit && !queue.closing {
            queue.producersWaiting += 1
            condition.wait()
            queue.producersWaiting -= 1
        }
        return 0
    }

    /// Writes and syncs everything appended, stops the committing thread, and reports a
    /// write error that happened on the way.
    public func close() throws {
        condition.lock()
        queue.closing = true
        condition.broadcast()
        condition.unlock()
        committerEnded.wait()
        if let failure { throw failure }
    }

    /// The record written at `offset` (read back for the report, once appending is over).
    public func record(at offset: Int64) throws -> OutcomeRecord {
        try reader.record(at: offset)
    }

    /// Hands `sink` (the report) every row's latest outcome, in row order, read back
    /// through the file this journal opened, whatever became of its path since (once
    /// appending is over).
    public func writeOutcomes(to sink: any OutcomeSink) throws {
        try outcomes.forEachOffset { try reader.writeOutcome(at: $0, to: sink) }
    }

    /// Whether the journal's path stopped naming this journal during the run (the file was
    /// removed or replaced); noticed at each group commit, and it stops the run.
    public var pathLost: Bool {
        condition.lock()
        defer { condition.unlock() }
        return lost
    }

    /// After `close`, when the path was lost: writes the journal's content back to its
    /// path, or beside it (`<journal>.recovered`) when another file took the path; returns
    /// where, nil when it could not be written.
    public func restore() -> String? {
        file.restore()
    }

    /// Outcomes that could not be written (the disk full, a write error): the report made
    /// from the journal would lack their rows.
    public var outcomesNotWritten: Int {
        condition.lock()
        defer { condition.unlock() }
        return unwritten
    }

    /// Notes where the outcomes `placed` in bytes written at `start` are (`outcomes`), for
    /// those among the `kept` bytes; counts the others as not written.
    func tell(
        _ placed: [(row: Int, at: Int)], writtenAt start: Int64, kept: Int
    ) {
        var lost = 0
        for (row, at) in placed {
            if at < kept {
                outcomes.set(row: row, offset: start + Int64(at))
            } else {
                lost += 1
            }
        }
        guard lost > 0 else { return }
        condition.lock()
        unwritten += lost
        condition.unlock()
    }

    /// Keeps `error` as the journal's failure, unless one came first; with
    /// `tellingObservers`, wakes whoever waits for the journal, to find it.
    func fail(_ error: BatchInviteError, tellingObservers: Bool) {
        condition.lock()
        if failure == nil { failure = error }
        let observers = tellingObservers ? self.observers : []
        condition.unlock()
        observers.forEach { $0() }
    }

    /// What `markSending` writes (the dispatcher's thread only): the outcomes it took from
    /// the queue, then its `sent` records.
    private struct Marks {
        var outcomesTaken: [JournalRecord] = []
        var bytes: [UInt8] = []
        /// Each outcome's row and where it starts in `bytes`.
        var placed: [(row: Int, at: Int)] = []
        var json = JSONWriter()

        /// Frames the outcomes taken, then a `sent` record for each of `rows`, into `bytes`.
        mutating func encode(sent rows: [Int]) {
            bytes.removeAll(keepingCapacity: true)
            placed.removeAll(keepingCapacity: true)
            JournalRecord.encode(outcomesTaken, into: &bytes, placed: &placed, using: &json)
            outcomesTaken.removeAll(keepingCapacity: true)
            JournalRecord.encodeSent(rows: rows, into: &bytes, using: &json)
        }
    }
}
