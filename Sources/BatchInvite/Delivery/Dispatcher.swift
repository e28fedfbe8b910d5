import Foundation
import Synchronization

/// Sends the valid rows: one event-loop thread takes them from the `DispatchLog` (the
/// journal's `SendQueue`, which the pipeline fills), has at most `concurrency` requests in
/// flight, and for each row
/// 1. admits it when there is room, so that its dispatch record is appended, and takes it
///    only once that record is on disk (a row is never sent before: DESIGN.md, invariant
///    2), without blocking;
/// 2. waits its turn under the `RateLimiter` and for a free slot, sends it through the
///    `Transport`, and retries what is transient under the `RetryPolicy` (backoff as a
///    timer, not a sleep);
/// 3. appends its final outcome to the same log.
///
/// When the log allows it (`DispatchLog.logsAhead`), up to `concurrency` more rows are
/// logged ahead of the free slots, so that a slot freed by an answer is refilled at once
/// rather than after a sync; each row's first request then follows its mark (`take`).
///
/// The run's first request goes alone: the others wait until it got an HTTP answer, and a
/// first request that could not be sent at all stops the run with nothing else sent. Then
/// one more request may be in flight for every two answers that are not a 429, up to
/// `concurrency` (a slow start). After
/// a stop (bad token, outage, signal), rows not yet sent are recorded `not_sent`; requests
/// in flight end at their deadline at the latest.
public final class Dispatcher: @unchecked Sendable {
    // Safe to share: every stored property is a constant; `finishAll` only touches objects
    // safe for concurrent use; the rows under way are the loop thread's alone
    // (`DispatchLoop`).

    public struct Configuration: Sendable {
        /// Requests in flight at most, and rows sent without an outcome yet (in doubt if the
        /// run died); as many more rows may wait on disk when the log logs ahead. Default 8.
        public var concurrency = 8
        /// Rows sent at most in this run (`--limit`); those after it are `not_sent`, for
        /// the next run on the same journal. Default: no limit.
        public var limit: Int?
        /// The request path (`--path`; nil: the target's) of the target's request frame:
        /// the path of every request when no row places a value in it. It must be the path
        /// the rows' payloads were made for (`RowCheck.requestPath`), which hold the path
        /// when a row does.
        public var path: String?
        public var retry = RetryPolicy()
        /// What to do with a request whose answer was lost (it may have arrived): `retry`
        /// (the default) sends it again, `skip` reports the row `in_doubt`.
        public var inDoubt = InDoubtPolicy.retry
        /// Hides the run's secrets in what the API says back. Default: hides nothing.
        public var redactor = Redactor(secrets: [])
        /// Report a row the API says already has an invitation `failed` (`--already-invited
        /// fail`) rather than `already_invited`, which counts as done. Default false.
        public var alreadyInvitedFails = false
        /// The run's token and its renewals; nil: the transport's token, never renewed (a
        /// 401 stops the run).
        public var credentials: TokenKeeper?
        /// The idempotency key every request carries, for an API that honours one; nil:
        /// none, and a resend after a lost answer may invite twice.
        public var idempotency: IdempotencyKey?

        public init() {}
    }

    let target: any Target
    let transport: any Transport
    let limiter: RateLimiter
    let control: RunControl
    let statistics: RunStatistics
    let configuration: Configuration
    let log: any DispatchLog
    let clock: @Sendable () -> Double
    /// What every request has alike (`Target.requestFrame`); a row's payload gives the rest.
    let requestFrame: APIRequest
    private let loopEnded = DispatchSemaphore(value: 0)
    /// Set by the loop when `limit` turned a row away.
    let limitHit = Atomic<Bool>(false)
    /// Whether `limit` left rows unsent (read after `finishAll`).
    public var reachedLimit: Bool { limitHit.load(ordering: .acquiring) }

    /// `log` must be the run's journal's `SendQueue` (or a stand-in in tests): rows come
    /// from it, are sent only once their dispatch record in it is durable, and their
    /// outcomes go to it.
    public init(
        target: any Target, transport: any Transport, limiter: RateLimiter, control: RunControl,
        statistics: RunStatistics, configuration: Configuration, log: any DispatchLog,
        clock: @escaping @Sendable () -> Double = Clock.monotonic
    ) {
        self.target = target
        self.transport = transport
        self.limiter = limiter
        self.control = control
        self.statistics = statistics
        self.configuration = configuration
        self.log = log
        self.clock = clock
        requestFrame = target.requestFrame(path: configuration.path ?? target.defaultPath)
    }

    /// Starts the loop thread.
    public func start() {
        let transport = self.transport
        control.whenStopped { transport.wakeup() }
        log.whenReady { transport.wakeup() }
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

    /// Says that no more rows come, and waits until every row in the log has its outcome.
    public func finishAll() {
        log.closeInput()
        transport.wakeup()
        loopEnded.wait()
    }
}
