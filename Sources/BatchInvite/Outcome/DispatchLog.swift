/// The way a valid row goes from the pipeline to the dispatcher, written down on the way:
/// the pipeline queues it (`submit`), the dispatcher admits rows as it has room for them
/// (`admit`: their dispatch records are appended) and takes them once those records are on
/// disk, as it sends them (`take`), so that a row goes out only once its dispatch record is
/// durable and a run that dies mid-request leaves the row in doubt, never forgotten
/// (DESIGN.md, invariant 2); the dispatcher appends each row's outcome to it (`append`).
/// The journal's `SendQueue` is one. Delivery and the journal meet here, and only here.
///
/// A log may let rows be logged *ahead*, before a request slot is free for them, so that a
/// freed slot never waits for a sync (`logsAhead`). `take` then writes, before it hands the
/// rows over, that their first requests start (a mark: written, not synced: a run that
/// dies leaves it in the page cache, and a later run on the same boot trusts it; after a
/// restart of the machine every dispatched row without an outcome is in doubt, as without
/// marks), so that a later run tells apart the rows logged ahead that were never sent.
///
/// `admit`, `pass`, `durableCount`, `take` and `takeUnsent` are called by the dispatcher's
/// one thread; `submit` by the pipeline's.
public protocol DispatchLog: AnyObject, Sendable {
    /// Queues a valid row for the dispatcher, waiting while the queue is full; false when
    /// the queue was closed (the row is not queued).
    func submit(_ row: CheckedRow) -> Bool

    /// Says that no more rows come.
    func closeInput()

    /// Appends the dispatch records of up to `max` queued rows, oldest first, without
    /// waiting for them to reach the disk; returns how many, and whether the queue is
    /// closed and empty.
    func admit(max: Int) -> (count: Int, inputEnded: Bool)

    /// Takes every queued row, oldest first, without writing them down: rows this run will
    /// not send (past `--limit`); returns them, and whether the queue is closed and empty.
    func pass() -> (rows: [CheckedRow], inputEnded: Bool)

    /// How many admitted rows have their dispatch record on disk and were not taken.
    /// Throws when the log could not be written: nothing more may be sent.
    func durableCount() throws -> Int

    /// Takes the `count` oldest admitted rows (at most `durableCount`) into `rows` (appended),
    /// written down as starting when the log logs ahead. Throws when that could not be
    /// written: the rows stay, and must not be sent.
    func take(_ count: Int, into rows: inout [CheckedRow]) throws

    /// Takes every row admitted or queued and not taken (after a stop), and says whether
    /// the queue is closed and empty.
    func takeUnsent() -> (rows: [CheckedRow], inputEnded: Bool)

    /// Calls `observer`, from any thread, each time a row arrives for a dispatcher that
    /// waits for one, a dispatch record reaches the disk, or writing failed.
    func whenReady(_ observer: @escaping @Sendable () -> Void)

    /// Whether rows are logged ahead of free request slots (`take` then marks them).
    var logsAhead: Bool { get }

    /// Appends a row's outcome in this run, with what a later run must know of it.
    func append(_ record: OutcomeRecord, marks: OutcomeMarks)
}
