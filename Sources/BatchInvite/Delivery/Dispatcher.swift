import Foundation
import Synchronization

/// Sends the valid rows: one event-loop thread takes them from a bounded queue, has at most
/// `concurrency` requests in flight, and for each row
/// 1. appends its dispatch record to the `DispatchLog` and waits, without blocking, until
///    the record is on disk (a row is never sent before: DESIGN.md, invariant 2);
/// 2. waits its turn under the `RateLimiter` and for a free slot, sends it through the
///    `Transport`, and retries what is transient under the `RetryPolicy` (backoff as a
///    timer, not a sleep);
/// 3. hands its final outcome to `record`.
///
/// When the log allows it (`DispatchLog.logsAhead`), up to `concurrency` more rows are
/// logged ahead of the free slots, so that a slot freed by an answer is refilled at once
/// rather than after a sync; each row's first request then follows its `markSending`.
///
/// The run's first request goes alone: the others wait until it got an HTTP answer, and a
/// first request that could not be sent at all stops the run with nothing else sent. Then
/// one more request may be in flight for every two answers that are not a 429, up to
/// `concurrency` (a slow start). After
/// a stop (bad token, outage, signal), rows not yet sent are recorded `not_sent`; requests
/// in flight end at their deadline at the latest.
public final class Dispatcher: @unchecked Sendable {
    // Safe to share: every stored property is a constant; `submit` and `finishAll` only
    // touch `queue` (itself safe), the atomic `waitingForRows` and objects safe for
    // concurrent use; the rows under way are the loop thread's alone (`DispatchLoop`).

    public struct Configuration: Sendable {
        /// Requests in flight at most, and rows sent without an outcome yet (in doubt if the
        /// run died); as many more rows may wait on disk when the log logs ahead. Default 8.
        public var concurrency = 8
        /// The request path (`--path`, else the target's).
        public var path: String
        public var retry = RetryPolicy()
        /// What to do with a request whose answer was lost (it may have arrived): `retry`
        /// (the default) sends it again, `skip` reports the row `in_doubt`.
        public var inDoubt = InDoubtPolicy.retry
        /// Hides the run's secrets in what the API says back. Default: hides nothing.
        public var redactor = Redactor(secrets: [])
        /// Report a row the API says already has an invitation `failed` (`--already-invited
        /// fail`) rather than `already_invited`, which counts as done. Default false.
        public var alreadyInvitedFails = false
        /// Rows sent at most in this run (`--limit`); those after it are `not_sent`, for
        /// the next run on the same journal. Default: no limit.
        public var limit: Int?
        /// The run's token and its renewals; nil: the transport's token, never renewed (a
        /// 401 stops the run).
        public var credentials: TokenKeeper?
        /// The idempotency key every request carries, for an API that honours one; nil:
        /// none, and a resend after a lost answer may invite twice.
        public var idempotency: IdempotencyKey?

        public init(path: String) {
            self.path = path
        }
    }

    let target: any Target
    let transport: any Transport
    let limiter: RateLimiter
    let control: RunControl
    let statistics: RunStatistics
    let configuration: Configuration
    let log: any DispatchLog
    let clock: @Sendable () -> Double
    let record: @Sendable (OutcomeRecord, OutcomeMarks) -> Void
    /// The valid rows on their way from `submit` to the loop.
    let queue: BoundedChannel<CheckedRow>
    private let loopEnded = DispatchSemaphore(value: 0)
    /// Set by the loop when it waits with room for rows: the next `submit` wakes it.
    let waitingForRows = Atomic<Bool>(false)
    /// Set by the loop when `limit` turned a row away.
    let limitHit = Atomic<Bool>(false)
    /// Whether `limit` left rows unsent (read after `finishAll`).
    public var reachedLimit: Bool { limitHit.load(ordering: .acquiring) }

    /// `log` must be the run's journal (or a stand-in in tests): rows are sent only once
    /// their dispatch record in it is durable.
    public init(
        target: any Target, transport: any Transport, limiter: RateLimiter, control: RunControl,
        statistics: RunStatistics, configuration: Configuration, log: any DispatchLog,
        clock: @escaping @Sendable () -> Double = Clock.monotonic,
        record: @escaping @Sendable (OutcomeRecord, OutcomeMarks) -> Void
    ) {
        self.target = target
        self.transport = transport
        self.limiter = limiter
        self.control = control
        self.statistics = statistics
        self.configuration = configuration
        self.log = log
        self.clock = clock
        self.record = record
        queue = BoundedChannel(capacity: max(configuration.concurrency, 1) * 2)
    }

    /// Starts the loop thread.
    public func start() {
        let transport = self.transport
        control.whenStopped { transport.wakeup() }
        log.whenDurable { transport.wakeup() }
        var tokenGeneration = 0
        if let keeper = configuration.credentials {
            tokenGeneration = keeper.current.generation
            keeper.whenChanged { transport.wakeup() }
        }
        Thread { [self, tokenGeneration] in
            var loop = DispatchLoop(self, tokenGeneration: tokenGeneration)
            loop.run()
            loopEnded.signal()
        }.start()
    }

    /// Queues a valid row, waiting while the queue is full; after a stop it is recorded
    /// `not_sent` at once.
    public func submit(_ row: CheckedRow) {
        guard !control.isStopped, queue.send(row) else {
            finish(Job(row), status: .notSent, message: notSentMessage)
            return
        }
        if waitingForRows.exchange(false, ordering: .acquiringAndReleasing) {
            transport.wakeup()
        }
    }

    /// Waits until every queued row has its outcome.
    public func finishAll() {
        queue.close()
        transport.wakeup()
        loopEnded.wait()
    }
}
