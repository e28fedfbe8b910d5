/// Where the dispatcher writes down, durably, that a row is about to be sent: a row goes
/// out only once its dispatch record is on disk, so a run that dies mid-request leaves the
/// row in doubt, never forgotten (DESIGN.md, invariant 2). The journal is one.
///
/// A log may also let rows be logged *ahead*, before a request slot is free for them, so
/// that a freed slot never waits for a sync. It then tells apart, after a crash, the rows
/// logged ahead that were never sent: `markSending` writes, before a row's first request
/// starts, that it starts (written, not synced: a run that dies leaves it in the page cache,
/// and a later run on the same boot trusts it; after a restart of the machine every
/// dispatched row without an outcome is in doubt, as without marks).
///
/// `appendDispatch`, `durablePosition` and `markSending` are called by the dispatcher's one
/// thread.
public protocol DispatchLog: AnyObject, Sendable {
    /// Appends the record that row `row` (starting on input line `line`, with key `key`) is
    /// about to be sent, without waiting; returns the position `durablePosition` must reach
    /// before the row may be sent. It may wait for `commitDispatches` to be written.
    func appendDispatch(row: Int, line: Int, key: String) -> Int64

    /// Has the dispatch records appended so far written and synced now, as one group.
    func commitDispatches()

    /// How far the log is on disk. Throws when it could not be written: nothing more may
    /// be sent.
    func durablePosition() throws -> Int64

    /// Calls `observer`, from any thread, each time `durablePosition` moves past a
    /// dispatch record.
    func whenDurable(_ observer: @escaping @Sendable () -> Void)

    /// Whether rows may be logged ahead of free request slots (then every row's first
    /// request must follow its `markSending`).
    var logsAhead: Bool { get }

    /// Writes that the first requests of `rows` start now, before they start. Throws when
    /// it could not be written: the rows must not be sent.
    func markSending(rows: [Int]) throws
}
