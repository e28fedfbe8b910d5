import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The run's record of what happened to each row: an append-only JSON Lines file, one
/// record per line, mode 0600. Appends are queued and written by a thread of their own,
/// which also encodes and checksums them (the sending thread's time goes to sending), with
/// one `fsync` per group, so many rows share the cost of each sync: a group holding a
/// dispatch record is written as soon as the previous one is on disk (a row waits for it
/// before it is sent); outcomes alone wait up to `commitInterval` or `commitRecords`
/// records, whichever comes first.
///
/// Rows may be logged ahead of free request slots (`logsAhead`): the dispatcher then writes,
/// from its own thread and without a sync, that a row's first request starts
/// (`markSending`), so that a later run on the same boot knows which rows logged ahead never
/// went out (`JournalSummary`).
///
/// Safe for concurrent use.
public final class Journal: DispatchLog, @unchecked Sendable {
    // Safe to share: `dispatches`, `others`, `appendedDispatches`, `durableDispatches`,
    // `closing`, `outcomesUnsynced`, `unwritten`, `committerIdle`, `failure` and the
    // observers are only touched with `condition` locked; `size` and `writeFailure` with `appending` locked
    // (and by `init` before the committing thread starts); `marks`, `outcomesTaken` and `marksPlaced` by the
    // dispatcher's thread alone; the descriptors are fixed. Locks are taken in the order
    // `appending`, then `condition`.

    /// The longest a record waits before its group is written and synced.
    public static let commitInterval = 0.010
    /// A group is written at once when it holds this many records.
    public static let commitRecords = 256
    /// Records queued at most: appending one more waits until a group takes them.
    static let queuedRecordsLimit = 8192

    public let path: String
    private let lock: JournalLock
    private let descriptor: Int32
    /// Used by `record(at:)` alone, once appending is over.
    private let reader: JournalReader
    private let condition = NSCondition()
    /// Dispatch records appended and not yet taken by the committing thread: a row waits
    /// for each, so a group holding one is written at once.
    private var dispatches: [Record] = []
    /// Other records appended and not yet taken (outcomes, the end record).
    private var others: [Record] = []
    /// Dispatch records appended since the journal was opened, and how many are on disk.
    private var appendedDispatches: Int64 = 0
    private var durableDispatches: Int64 = 0
    private var closing = false
    /// Whether `markSending` wrote outcomes that no sync followed yet.
    private var outcomesUnsynced = false
    /// Outcomes that could not be written.
    private var unwritten = 0
    /// Whether the committing thread waits for records (not gathering a group).
    private var committerIdle = false
    /// Threads waiting in `enqueue` for the queue to drain.
    private var producersWaiting = 0
    private var observers: [@Sendable () -> Void] = []
    private var outcomeObserver: (@Sendable (_ row: Int, _ offset: Int64) -> Void)?
    private var failure: BatchInviteError?
    /// Set by the committing thread when the path no longer names the journal.
    private var lost = false
    private let committerEnded = DispatchSemaphore(value: 0)
    /// Orders the writes of the committing thread and of `markSending`; guards `size`.
    private let appending = NSLock()
    /// The file's size as written so far.
    private var size: Int64
    /// The first write that failed (with `appending` held).
    private var writeFailure: BatchInviteError?
    /// `markSending`'s records being written, the outcomes it took, and where they are in
    /// `marks` (the dispatcher's thread only).
    private var marks: [UInt8] = []
    private var outcomesTaken: [Record] = []
    private var marksPlaced: [(row: Int, at: Int)] = []
    public let logsAhead: Bool
    /// Syncs can be switched off for benchmarks that measure their cost (never otherwise).
    private let syncs: Bool
    /// The job's ledger, written and synced with each group (`--ledger`).
    private let ledger: Ledger?
    /// Rows with a dispatch record in this run (committing thread only; with a ledger).
    var dispatchedRows = Set<Int>()

    /// A record waiting to be encoded and written.
    enum Record {
        /// A row about to be sent, and when (milliseconds since 1970).
        case dispatch(row: Int, line: Int, key: String, at: Int64)
        /// A row's outcome, and when it was decided.
        case outcome(OutcomeRecord, OutcomeMarks, at: Int64)
        case object([UInt8])
    }

    /// Opens the journal at `path` for a run: created with `header` when it does not exist
    /// or is empty, else appended to (after `JournalScanner` checked it and cut off a torn
    /// tail). Holds the journal's lock while open. The run's `start` record comes first.
    public init(
        path: String, header: JournalHeader, start: JournalStart = JournalStart(rowsDone: 0),
        lock: JournalLock? = nil, syncs: Bool = true, ledger: Ledger? = nil
    ) throws {
        self.path = path
        self.syncs = syncs
        self.ledger = ledger
        self.lock = try lock ?? JournalLock(journal: path)
        // A ledger's records of a row logged ahead would say it is in doubt after a crash,
        // whatever the marks say; and without the boot's identity marks cannot be trusted.
        logsAhead = ledger == nil && start.boot != nil
        descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BatchInviteError.io(
                "cannot create the journal \(path): \(String(cString: strerror(errno)))")
        }
        reader = try JournalReader(path: path)
        var info = stat()
        fstat(descriptor, &info)
        size = Int64(info.st_size)
        if info.st_size == 0 {
            // Written at once: every other record must come after it (synced with the first group).
            var bytes: [UInt8] = []
            JournalFormat.appendFrame(header.object[...], to: &bytes)
            if let error = append(bytes).error { throw error }
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

    public func appendDispatch(row: Int, line: Int, key: String) -> Int64 {
        enqueue(.dispatch(row: row, line: line, key: key, at: Clock.wallMilliseconds()))
    }

    public func commitDispatches() {
        condition.lock()
        if !dispatches.isEmpty { condition.broadcast() }
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
        appending.lock()
        condition.lock()
        // Once a write or sync failed, records may be missing: nothing more may be sent.
        if let error = failure ?? writeFailure {
            condition.unlock()
            appending.unlock()
            throw error
        }
        swap(&outcomesTaken, &others)
        if producersWaiting > 0 { condition.broadcast() }
        if !outcomesTaken.isEmpty {
            // Written here, synced by the committing thread's next group or within the
            // interval.
            outcomesUnsynced = true
            if committerIdle { condition.broadcast() }
        }
        let observer = outcomeObserver
        condition.unlock()
        marks.removeAll(keepingCapacity: true)
        marksPlaced.removeAll(keepingCapacity: true)
        encode(outcomesTaken, into: &marks, placed: &marksPlaced)
        outcomesTaken.removeAll(keepingCapacity: true)
        var object: [UInt8] = []
        for row in rows {
            object.removeAll(keepingCapacity: true)
            object.append(contentsOf: "{\"type\":\"sent\",\"row\":".utf8)
            TextBytes.appendInteger(row, to: &object)
            object.append(UInt8(ascii: "}"))
            JournalFormat.appendFrame(object[...], to: &marks)
        }
        let (start, kept, error) = appendLocked(marks)
        appending.unlock()
        tell(observer, marksPlaced, writtenAt: start, kept: kept)
        if let error {
            condition.lock()
            if failure == nil { failure = error }
            condition.unlock()
            throw error
        }
    }

    public func durablePosition() throws -> Int64 {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        return durableDispatches
    }

    public func whenDurable(_ observer: @escaping @Sendable () -> Void) {
        condition.lock()
        observers.append(observer)
        condition.unlock()
    }

    /// Calls `observer`, on the committing thread or the dispatcher's (`markSending`), with
    /// the row and file offset of each outcome once it is written (all of them before
    /// `close` returns; those that could not be written are counted in
    /// `outcomesNotWritten`). Set it before the
    /// first outcome is appended.
    public func whenOutcomeWritten(
        _ observer: @escaping @Sendable (_ row: Int, _ offset: Int64) -> Void
    ) {
        condition.lock()
        outcomeObserver = observer
        condition.unlock()
    }

    deinit {
        Glibc.close(descriptor)
    }

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
        enqueue(
            .object(
                Array("{\"type\":\"end\",\"rows\":\(rows),\"blank\":\(blankRecordsSkipped)}".utf8)))
    }

    /// Queues a record; for a dispatch record returns its number (from 1 in this run), the
    /// position `durablePosition` must reach for it to be on disk: it is written in the
    /// next group, at once, when `commitDispatches` says the batch is whole.
    @discardableResult
    private func enqueue(_ record: Record) -> Int64 {
        condition.lock()
        defer { condition.unlock() }
        if case .dispatch = record {
            dispatches.append(record)
            appendedDispatches += 1
            return appendedDispatches
        }
        others.append(record)
        // Woken only when it has a reason to act: it slept on an empty queue or the group is
        // full (a signal per record would cost a switch per record).
        if committerIdle || others.count >= Self.commitRecords { condition.broadcast() }
        // Rows settled without being sent (invalid, duplicate, held by the ledger) come
        // faster than a disk takes them: their reader waits for the committing thread
        // rather than queue the whole input in memory.
        while others.count >= Self.queuedRecordsLimit && !closing {
            producersWaiting += 1
            condition.wait()
            producersWaiting -= 1
        }
        return 0
    }

    /// Encodes `records` into `out`, noting in `placed` each outcome's row and where in
    /// `out` it starts.
    private func encode(
        _ records: [Record], into out: inout [UInt8], placed: inout [(row: Int, at: Int)]
    ) {
        var object: [UInt8] = []
        for record in records {
            object.removeAll(keepingCapacity: true)
            switch record {
            case .dispatch(let row, let line, let key, let time):
                object.append(contentsOf: "{\"type\":\"dispatch\",\"row\":".utf8)
                TextBytes.appendInteger(row, to: &object)
                object.append(contentsOf: ",\"line\":".utf8)
                TextBytes.appendInteger(line, to: &object)
                object.append(contentsOf: ",\"key\":".utf8)
                TextBytes.appendJSONString(key, to: &object)
                object.append(contentsOf: ",\"at\":".utf8)
                TextBytes.appendInteger(Int(time), to: &object)
                object.append(UInt8(ascii: "}"))
            case .outcome(let outcome, let marks, let time):
                placed.append((outcome.row, out.count))
                object.append(contentsOf: "{\"type\":\"outcome\",".utf8)
                // Flags before the row: a reader's walk stops once it has the status.
                if marks.transient { object.append(contentsOf: "\"transient\":true,".utf8) }
                if marks.unsettled { object.append(contentsOf: "\"unsettled\":true,".utf8) }
                outcome.appendJournalMembers(at: time, to: &object)
            case .object(let bytes):
                object.append(contentsOf: bytes)
            }
            JournalFormat.appendFrame(object[...], to: &out)
        }
    }

    /// Writes and syncs everything appended, stops the committing thread, and reports a
    /// write error that happened on the way.
    public func close() throws {
        condition.lock()
        closing = true
        condition.broadcast()
        condition.unlock()
        committerEnded.wait()
        if let failure { throw failure }
    }

    /// The record written at `offset` (read back for the report, once appending is over).
    public func record(at offset: Int64) throws -> OutcomeRecord {
        try reader.record(at: offset)
    }

    /// Reads the records back through the file this journal opened, whatever became of its
    /// path since (for the report, once appending is over).
    public var recordReader: JournalReader { reader }

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
        let target = FileManager.default.fileExists(atPath: path) ? path + ".recovered" : path
        let temporary = target + ".tmp-\(getpid())"
        let output = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        var complete = true
        while complete {
            let count = buffer.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress, $0.count, off_t(offset))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                complete = count == 0
                break
            }
            complete = buffer.withUnsafeBytes {
                FileDescriptors.writeAll(output, UnsafeRawBufferPointer(rebasing: $0[0..<count]))
            }
            offset += Int64(count)
        }
        complete = complete && fsync(output) == 0
        Glibc.close(output)
        guard complete, rename(temporary, target) == 0 else {
            unlink(temporary)
            return nil
        }
        return target
    }

    private func commitLoop() {
        var dispatchGroup: [Record] = []
        var otherGroup: [Record] = []
        var bytes: [UInt8] = []
        var placed: [(row: Int, at: Int)] = []
        condition.lock()
        while true {
            while dispatches.isEmpty && others.isEmpty && !outcomesUnsynced && !closing {
                committerIdle = true
                condition.wait()
                committerIdle = false
            }
            if dispatches.isEmpty && others.isEmpty && closing { break }
            // Outcomes alone gather a group for up to the interval; rows waiting for their
            // dispatch records do not wait for company (records appended during this
            // group's sync form the next).
            let deadline = Date(timeIntervalSinceNow: Self.commitInterval)
            while dispatches.isEmpty && others.count < Self.commitRecords && !closing
                && condition.wait(until: deadline)
            {}
            // The group is taken and written with `appending` held (taken first: see
            // `markSending`), the sync after.
            condition.unlock()
            appending.lock()
            condition.lock()
            swap(&dispatchGroup, &dispatches)
            swap(&otherGroup, &others)
            outcomesUnsynced = false
            if producersWaiting > 0 { condition.broadcast() }
            let observer = outcomeObserver
            condition.unlock()
            guard !dispatchGroup.isEmpty || !otherGroup.isEmpty else {
                // `markSending` wrote the outcomes: they are synced within the interval too.
                appending.unlock()
                if let error = sync() {
                    condition.lock()
                    if failure == nil { failure = error }
                    let observers = self.observers
                    condition.unlock()
                    observers.forEach { $0() }
                }
                condition.lock()
                continue
            }
            // Outcomes first: once a dispatch record is on disk, so is every outcome
            // appended before it (a run killed then leaves no more rows in doubt than it
            // had requests under way).
            bytes.removeAll(keepingCapacity: true)
            placed.removeAll(keepingCapacity: true)
            encode(otherGroup, into: &bytes, placed: &placed)
            encode(dispatchGroup, into: &bytes, placed: &placed)
            let (start, kept, writeError) = appendLocked(bytes)
            appending.unlock()
            var error = writeError ?? sync()
            tell(observer, placed, writtenAt: start, kept: kept)
            // The ledger's records of the same group, on disk before any row of it is sent.
            if let ledger, error == nil {
                error = ledger.write(
                    ledgerRecords(otherGroup + dispatchGroup, ledger), syncs: syncs)
            }
            // Someone removed or replaced the file: whatever is written from now on could
            // not be found by the next run, so nothing more may be sent.
            let gone = !lock.pathNamesLockedFile
            if gone && error == nil {
                error = .io(
                    "the journal \(path) was removed or replaced during the run, so nothing more "
                        + "may be sent")
            }
            let count = Int64(dispatchGroup.count)
            dispatchGroup.removeAll(keepingCapacity: true)
            otherGroup.removeAll(keepingCapacity: true)
            condition.lock()
            durableDispatches += count
            if gone { lost = true }
            if let error, failure == nil { failure = error }
            if count > 0 || error != nil {
                let observers = self.observers
                condition.unlock()
                observers.forEach { $0() }
                condition.lock()
            }
        }
        condition.unlock()
        // What `markSending` wrote after the last group.
        if let error = sync() {
            condition.lock()
            if failure == nil { failure = error }
            condition.unlock()
        }
    }

    /// Tells the outcome observer where the outcomes `placed` in bytes written at `start`
    /// are, for those among the `kept` bytes; counts the others as not written.
    private func tell(
        _ observer: ((Int, Int64) -> Void)?, _ placed: [(row: Int, at: Int)],
        writtenAt start: Int64,
        kept: Int
    ) {
        var lost = 0
        for (row, at) in placed {
            if at < kept {
                observer?(row, start + Int64(at))
            } else {
                lost += 1
            }
        }
        guard lost > 0 else { return }
        condition.lock()
        unwritten += lost
        condition.unlock()
    }

    /// Outcomes that could not be written (the disk full, a write error): the report made
    /// from the journal would lack their rows.
    public var outcomesNotWritten: Int {
        condition.lock()
        defer { condition.unlock() }
        return unwritten
    }

    /// Writes `bytes` (whole records) at the end of the journal. A write that fails part
    /// way (a full disk) keeps the records written whole and cuts off the torn one, so that
    /// no torn record sits before later ones; after a failed write nothing more is written
    /// (a record after a cut that did not take would make the journal unreadable). Returns
    /// where the bytes start in the file and how many of them were kept.
    private func append(_ bytes: [UInt8]) -> (start: Int64, kept: Int, error: BatchInviteError?) {
        appending.lock()
        defer { appending.unlock() }
        return appendLocked(bytes)
    }

    /// `append`, with `appending` held.
    private func appendLocked(_ bytes: [UInt8]) -> (
        start: Int64, kept: Int, error: BatchInviteError?
    ) {
        let start = size
        if let writeFailure { return (start, 0, writeFailure) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let error = BatchInviteError.io(
                    "cannot write the journal \(path): \(String(cString: strerror(errno)))")
                var kept = offset
                while kept > 0 && bytes[kept - 1] != UInt8(ascii: "\n") { kept -= 1 }
                if kept < offset { _ = ftruncate(descriptor, off_t(start) + off_t(kept)) }
                if writeFailure == nil { writeFailure = error }
                size += Int64(kept)
                return (start, kept, error)
            }
            offset += written
        }
        size += Int64(bytes.count)
        return (start, bytes.count, nil)
    }

    /// Syncs the journal (unless syncs are switched off for a benchmark).
    private func sync() -> BatchInviteError? {
        guard syncs, fsync(descriptor) != 0 else { return nil }
        return .io("cannot sync the journal \(path): \(String(cString: strerror(errno)))")
    }
}
