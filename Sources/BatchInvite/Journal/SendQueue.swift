import Synchronization

/// The valid rows on their way from the pipeline to the dispatcher, each written down in
/// the journal before it may go (the `DispatchLog` the dispatcher sends from): a bounded
/// queue the pipeline fills, the rows the dispatcher admitted with the position their
/// dispatch record must reach on disk, and, when the journal logs ahead, the mark that a
/// row's first request starts, written as the dispatcher takes it.
public final class SendQueue: DispatchLog, @unchecked Sendable {
    // Safe to share: `incoming`, `waitingForRows` and the journal are safe for concurrent
    // use, `observers` is touched with `observersLock` held; `admitted` and `durable`
    // belong to the dispatcher's thread (`admit`, `durableCount`, `take`, `takeUnsent`).

    private let journal: Journal
    /// The rows submitted and not admitted yet.
    private let incoming: BoundedChannel<CheckedRow>
    /// Set while the dispatcher waits with room for rows: the next `submit` wakes it.
    private let waitingForRows = Atomic<Bool>(false)
    private let observersLock = Mutex<[@Sendable () -> Void]>([])
    /// Rows whose dispatch record was appended and that were not taken, oldest first, with
    /// the position `Journal.durablePosition` must reach for each.
    private var admitted: [(row: CheckedRow, position: Int64)] = []
    /// How many of `admitted`, from the first, are known to be on disk.
    private var durable = 0

    /// A queue into `journal` holding at most `capacity` rows not yet admitted.
    public init(journal: Journal, capacity: Int) {
        self.journal = journal
        incoming = BoundedChannel(capacity: max(capacity, 1))
        journal.whenDurable { [weak self] in self?.wake() }
    }

    public var logsAhead: Bool { journal.logsAhead }

    public func submit(_ row: CheckedRow) -> Bool {
        guard incoming.send(row) else { return false }
        if waitingForRows.exchange(false, ordering: .acquiringAndReleasing) { wake() }
        return true
    }

    public func closeInput() {
        incoming.close()
        wake()
    }

    public func admit(max: Int) -> (count: Int, inputEnded: Bool) {
        var count = 0
        var inputEnded = false
        while count < max {
            waitingForRows.store(true, ordering: .sequentiallyConsistent)
            guard let row = incoming.tryReceive() else {
                inputEnded = incoming.isClosedAndEmpty
                break
            }
            waitingForRows.store(false, ordering: .relaxed)
            let position = journal.appendDispatch(row: row.row, line: row.line, key: row.key)
            admitted.append((row, position))
            count += 1
        }
        if count == max { waitingForRows.store(false, ordering: .relaxed) }
        // One group commit for every row admitted at once.
        if count > 0 { journal.commitDispatches() }
        return (count, inputEnded)
    }

    public func durableCount() throws -> Int {
        let position = try journal.durablePosition()
        while durable < admitted.count && admitted[durable].position <= position {
            durable += 1
        }
        return durable
    }

    public func take(_ count: Int) throws -> [CheckedRow] {
        precondition(count <= durable, "only rows whose dispatch record is on disk are taken")
        let rows = admitted[..<count].map(\.row)
        if journal.logsAhead {
            try journal.markSending(rows: rows.map(\.row))
        }
        admitted.removeFirst(count)
        durable -= count
        return rows
    }

    public func takeUnsent() -> (rows: [CheckedRow], inputEnded: Bool) {
        var rows = admitted.map(\.row)
        admitted.removeAll()
        durable = 0
        while let row = incoming.tryReceive() { rows.append(row) }
        return (rows, incoming.isClosedAndEmpty)
    }

    public func whenReady(_ observer: @escaping @Sendable () -> Void) {
        observersLock.withLock { $0.append(observer) }
    }

    public func append(_ record: OutcomeRecord, marks: OutcomeMarks) {
        journal.append(record, marks: marks)
    }

    private func wake() {
        observersLock.withLock { $0 }.forEach { $0() }
    }
}
