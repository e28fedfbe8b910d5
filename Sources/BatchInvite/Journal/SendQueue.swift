import Synchronization

/// The valid rows on their way from the pipeline to the dispatcher, each written down in
/// the journal before it may go (the `DispatchLog` the dispatcher sends from): a bounded
/// queue the pipeline fills, the rows the dispatcher admitted with the position their
/// dispatch record must reach on disk, and, when the journal logs ahead, the mark that a
/// row's first request starts, written as the dispatcher takes it.
public final class SendQueue: DispatchLog, @unchecked Sendable {
    // Safe to share: `incoming`, `waitingForRows` and the journal are safe for concurrent
    // use, the observers are touched through `observersLock`; `admitted`, `positions`,
    // `head`, `durable` and `marked` belong to the dispatcher's thread (`admit`,
    // `durableCount`, `take`, `takeUnsent`).

    private let journal: Journal
    /// The rows submitted and not admitted yet.
    private let incoming: BoundedChannel<CheckedRow>
    /// Set while the dispatcher waits with room for rows: the next `submit` wakes it.
    private let waitingForRows = Atomic<Bool>(false)
    private let observersLock = Mutex<[@Sendable () -> Void]>([])
    /// Rows whose dispatch record was appended and that were not taken, from `head` on,
    /// oldest first, and the position `Journal.durablePosition` must reach for each.
    /// (Optional: a row taken is moved out, not copied.) The dispatcher's thread alone
    /// touches them: the run-time exclusivity checks have nothing to find.
    @exclusivity(unchecked) private var admitted: [CheckedRow?] = []
    @exclusivity(unchecked) private var positions: [Int64] = []
    @exclusivity(unchecked) private var head = 0
    /// How many admitted rows, from `head` on, are known to be on disk.
    @exclusivity(unchecked) private var durable = 0
    /// The numbers of the rows `take` marks (kept from one call to the next).
    @exclusivity(unchecked) private var marked: [Int] = []

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
            guard let row = nextRow() else {
                inputEnded = incoming.isClosedAndEmpty
                break
            }
            positions.append(journal.appendDispatch(row: row.row, line: row.line, key: row.key))
            admitted.append(row)
            count += 1
        }
        // One group commit for every row admitted at once.
        if count > 0 { journal.commitDispatches() }
        return (count, inputEnded)
    }

    public func pass() -> (rows: [CheckedRow], inputEnded: Bool) {
        var rows: [CheckedRow] = []
        while let row = nextRow() { rows.append(row) }
        return (rows, incoming.isClosedAndEmpty)
    }

    /// The oldest queued row, if there is one now. When there is none, the dispatcher
    /// waits for one: the next `submit` wakes it.
    private func nextRow() -> CheckedRow? {
        waitingForRows.store(true, ordering: .sequentiallyConsistent)
        guard let row = incoming.tryReceive() else { return nil }
        waitingForRows.store(false, ordering: .relaxed)
        return row
    }

    public func durableCount() throws -> Int {
        let position = try journal.durablePosition()
        while head + durable < positions.count && positions[head + durable] <= position {
            durable += 1
        }
        return durable
    }

    public func take(_ count: Int, into rows: inout [CheckedRow]) throws {
        precondition(count <= durable, "only rows whose dispatch record is on disk are taken")
        if journal.logsAhead {
            marked.removeAll(keepingCapacity: true)
            for index in head..<head + count { marked.append(admitted[index]!.row) }
            try journal.markSending(rows: marked)
        }
        for index in head..<head + count {
            var row: CheckedRow?
            swap(&row, &admitted[index])
            rows.append(row!)
        }
        head += count
        durable -= count
        if head == admitted.count {
            admitted.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 {
            admitted.removeFirst(head)
            positions.removeFirst(head)
            head = 0
        }
    }

    public func takeUnsent() -> (rows: [CheckedRow], inputEnded: Bool) {
        var rows = admitted[head...].map { $0! }
        admitted.removeAll()
        positions.removeAll()
        head = 0
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
