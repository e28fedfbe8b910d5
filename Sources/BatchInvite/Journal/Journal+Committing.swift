import Foundation

/// The journal's committing thread: it takes the queued records in groups, writes each
/// group and syncs it, and tells who waits where the outcomes are and how far the
/// dispatch records are on disk.
extension Journal {
    /// The records appended and not yet taken by the committing thread, and what the
    /// threads wait on (touched with `condition` locked).
    struct Queue {
        /// Dispatch records appended and not yet taken: a row waits for each, so a group
        /// holding one is written at once.
        var dispatches: [JournalRecord] = []
        /// Other records appended and not yet taken (outcomes, the end record).
        var others: [JournalRecord] = []
        /// Dispatch records appended since the journal was opened, and how many are on disk.
        var appendedDispatches: Int64 = 0
        var durableDispatches: Int64 = 0
        var closing = false
        /// Whether `markSending` wrote outcomes that no sync followed yet.
        var outcomesUnsynced = false
        /// Whether the committing thread waits for records (not gathering a group).
        var committerIdle = false
        /// Threads waiting in `enqueue` for the queue to drain.
        var producersWaiting = 0

        var isEmpty: Bool { dispatches.isEmpty && others.isEmpty }
    }

    /// A group of records taken from the queue, and the committing thread's buffers
    /// (kept from one group to the next).
    struct Group {
        var dispatches: [JournalRecord] = []
        var others: [JournalRecord] = []
        var bytes: [UInt8] = []
        /// Each outcome's row and where it starts in `bytes`.
        var placed: [(row: Int, at: Int)] = []
        var json = JSONWriter()
        /// Rows with a dispatch record and no outcome yet in this run (with a ledger).
        var dispatchedRows = Set<Int>()

        var isEmpty: Bool { dispatches.isEmpty && others.isEmpty }

        /// Frames the group into `bytes`: outcomes first, so that once a dispatch record
        /// is on disk, so is every outcome appended before it (a run killed then leaves no
        /// more rows in doubt than it had requests under way).
        mutating func encode() {
            bytes.removeAll(keepingCapacity: true)
            placed.removeAll(keepingCapacity: true)
            JournalRecord.encode(others, into: &bytes, placed: &placed, using: &json)
            JournalRecord.encode(dispatches, into: &bytes, placed: &placed, using: &json)
        }
    }

    /// The committing thread's work, until the journal closes and its queue is empty.
    func commitLoop() {
        var group = Group()
        condition.lock()
        while waitForGroup() {
            // The group is taken and written with `appending` held (taken first: see
            // `markSending`), the sync after.
            condition.unlock()
            file.appending.lock()
            condition.lock()
            take(into: &group)
            condition.unlock()
            if group.isEmpty {
                // `markSending` wrote the outcomes: they are synced within the interval too.
                file.appending.unlock()
                if let error = file.sync() { fail(error, tellingObservers: true) }
            } else {
                commit(&group)
            }
            condition.lock()
        }
        condition.unlock()
        // What `markSending` wrote after the last group.
        if let error = file.sync() { fail(error, tellingObservers: false) }
    }

    /// Waits, with `condition` locked, until there is a group to take or outcomes to sync;
    /// false once the journal closes with nothing left.
    private func waitForGroup() -> Bool {
        while queue.isEmpty && !queue.outcomesUnsynced && !queue.closing {
            queue.committerIdle = true
            condition.wait()
            queue.committerIdle = false
        }
        if queue.isEmpty && queue.closing { return false }
        // Outcomes alone gather a group for up to the interval; rows waiting for their
        // dispatch records do not wait for company (records appended during this group's
        // sync form the next).
        let deadline = Date(timeIntervalSinceNow: Self.commitInterval)
        while queue.dispatches.isEmpty && queue.others.count < Self.commitRecords
            && !queue.closing && condition.wait(until: deadline)
        {}
        return true
    }

    /// Takes the queued records into `group`, with `condition` locked.
    private func take(into group: inout Group) {
        swap(&group.dispatches, &queue.dispatches)
        swap(&group.others, &queue.others)
        queue.outcomesUnsynced = false
        if queue.producersWaiting > 0 { condition.broadcast() }
    }

    /// Writes `group` (with `appending` held, let go once written) and syncs it, notes
    /// where its outcomes are (`outcomes`), and writes the ledger's records of it; then
    /// counts its dispatch records as on disk, or keeps why nothing more may be sent, and
    /// wakes whoever waits for either.
    private func commit(
        _ group: inout Group
    ) {
        group.encode()
        let (start, kept, writeError) = file.appendLocked(group.bytes)
        file.appending.unlock()
        var error = writeError ?? file.sync()
        tell(group.placed, writtenAt: start, kept: kept)
        // The ledger's records of the same group, on disk before any row of it is sent.
        if let ledger, error == nil {
            let records = ledgerRecords(
                group.others + group.dispatches, ledger, dispatched: &group.dispatchedRows)
            error = ledger.write(records, syncs: file.syncs)
        }
        // Someone removed or replaced the file: whatever is written from now on could
        // not be found by the next run, so nothing more may be sent.
        let gone = !lock.pathNamesLockedFile
        if gone && error == nil {
            error = .io(
                "the journal \(path) was removed or replaced during the run, so nothing more "
                    + "may be sent")
        }
        let count = Int64(group.dispatches.count)
        group.dispatches.removeAll(keepingCapacity: true)
        group.others.removeAll(keepingCapacity: true)
        condition.lock()
        queue.durableDispatches += count
        if gone { lost = true }
        if let error, failure == nil { failure = error }
        let observers = count > 0 || error != nil ? self.observers : []
        condition.unlock()
        observers.forEach { $0() }
    }
}
