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
    // Safe to share: `submit` and `finishAll` only touch `queue` (itself safe), the
    // atomic `waitingForRows` and objects safe for concurrent use; the job queues are the
    // loop thread's alone.

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

        public init(path: String) {
            self.path = path
        }
    }

    private let target: any Target
    private let transport: any Transport
    private let limiter: RateLimiter
    let control: RunControl
    let statistics: RunStatistics
    let configuration: Configuration
    private let log: any DispatchLog
    private let clock: @Sendable () -> Double
    let record: @Sendable (OutcomeRecord, OutcomeMarks) -> Void
    private let queue: BoundedChannel<CheckedRow>
    private let loopEnded = DispatchSemaphore(value: 0)
    /// Set by the loop when it waits with room for rows: the next `submit` wakes it.
    private let waitingForRows = Atomic<Bool>(false)

    // The loop thread's state.
    /// Rows whose dispatch record is not on disk yet, oldest first.
    private var unlogged = JobQueue()
    /// Rows whose first request may start as soon as the rate allows, oldest first.
    private var ready = JobQueue()
    /// Rows that began and may be sent again as soon as the rate allows (after a backoff,
    /// for a renewed token): they go before `ready`.
    private var retries = JobQueue()
    /// Rows whose first request started and that have no outcome yet: at most
    /// `concurrency`, so that a run killed at any moment leaves no more rows in doubt.
    var begun = 0
    /// Rows waiting out a backoff.
    private var delayed: [Job] = []
    /// Rows whose token was rejected, waiting for the renewed one.
    private var awaitingToken: [Job] = []
    /// The generation of the token the transport sends.
    private var tokenGeneration = 0
    /// Rows whose request is in flight, by the transport's tag.
    private var inFlight: [Job?]
    private var freeTags: [Int]
    /// Whether an HTTP answer came back in this run (the first request goes alone until then).
    private var answered = false
    /// Answers other than 429 so far (the slow start's count, up to `2 × concurrency`).
    private var answersTaken = 0
    /// Requests in flight at most: one, and one more for every two answers that are not a
    /// 429, up to `concurrency` (TCP's slow start, which doubles every round trip, grown
    /// by half as fast), so that a run with no rate limit opens with a few requests at an
    /// API whose limit it does not know yet, not a burst of `concurrency`: the requests in
    /// flight when the API's allowance runs out are those its first 429 finds.
    private var window: Int { min(configuration.concurrency, 1 + answersTaken / 2) }
    /// Whether rows are logged ahead of free slots (`DispatchLog.logsAhead`).
    private let logsAhead: Bool
    /// Rows worked on at once (logged, waiting or in flight) once the API answered.
    private let rowsAtOnce: Int
    /// The rows whose first request starts in this turn (`sendDueRows`).
    private var starting: [Job] = []
    private var startingRows: [Int] = []
    private var inputEnded = false
    /// Rows taken to be sent in this run (for `limit`).
    private var admitted = 0
    private let limitHit = Atomic<Bool>(false)
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
        let slots = max(configuration.concurrency, 1)
        queue = BoundedChannel(capacity: slots * 2)
        inFlight = Array(repeating: nil, count: slots)
        logsAhead = log.logsAhead
        rowsAtOnce = logsAhead ? slots * 2 : slots
        freeTags = Array((0..<slots).reversed())
    }

    /// Starts the loop thread.
    public func start() {
        let transport = self.transport
        control.whenStopped { transport.wakeup() }
        log.whenDurable { transport.wakeup() }
        if let keeper = configuration.credentials {
            tokenGeneration = keeper.current.generation
            keeper.whenChanged { transport.wakeup() }
        }
        Thread { [self] in
            runLoop()
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

    // MARK: The loop

    private var active: Int {
        unlogged.count + ready.count + retries.count + delayed.count + awaitingToken.count
            + (inFlight.count - freeTags.count)
    }

    private func runLoop() {
        while true {
            var wait = 0.1
            if control.isStopped {
                abandonUnsent()
            } else {
                admitRows()
                moveLoggedRows()
                let (canSend, recheck) = keepToken()
                wait = min(wait, recheck)
                if canSend { wait = min(wait, sendDueRows()) }
            }
            if inputEnded && active == 0 { return }
            transport.poll(timeout: wait) { tag, result in
                guard let job = inFlight[tag] else { return }
                inFlight[tag] = nil
                freeTags.append(tag)
                handle(result, of: job)
            }
        }
    }

    /// Takes rows from the queue while there is room: `rowsAtOnce` rows at once, one until
    /// the API has answered.
    private func admitRows() {
        let room = answered ? rowsAtOnce : 1
        var admitted = false
        defer {
            // One group commit for every row admitted in this round.
            if admitted { log.commitDispatches() }
        }
        while active < room {
            waitingForRows.store(true, ordering: .sequentiallyConsistent)
            guard let row = queue.tryReceive() else {
                if queue.isClosedAndEmpty { inputEnded = true }
                return
            }
            waitingForRows.store(false, ordering: .relaxed)
            if let limit = configuration.limit, self.admitted >= limit {
                limitHit.store(true, ordering: .releasing)
                finish(
                    Job(row), status: .notSent,
                    message: "not sent: this run's --limit of \(limit) was reached; the same "
                        + "command sends it")
                continue
            }
            self.admitted += 1
            let job = Job(row)
            job.request = target.request(payload: row.payload, path: configuration.path)
            job.logPosition = log.appendDispatch(row: row.row, line: row.line, key: row.key)
            unlogged.append(job)
            admitted = true
        }
        waitingForRows.store(false, ordering: .relaxed)
    }

    /// Moves the rows whose dispatch record is on disk to `ready`.
    private func moveLoggedRows() {
        guard let first = unlogged.first else { return }
        let durable: Int64
        do {
            durable = try log.durablePosition()
        } catch {
            control.stop(.localFailure("\(error)"))
            return
        }
        guard first.logPosition <= durable else { return }
        while let job = unlogged.first, job.logPosition <= durable {
            ready.append(unlogged.removeFirst())
        }
    }

    /// Sends what is due and allowed; returns the seconds until the next row may be due.
    private func sendDueRows() -> Double {
        var wait = Double.infinity
        let now = clock()
        if !delayed.isEmpty {
            var index = 0
            while index < delayed.count {
                if delayed[index].notBefore <= now {
                    retries.append(delayed.remove(at: index))
                } else {
                    wait = min(wait, delayed[index].notBefore - now)
                    index += 1
                }
            }
        }
        let room = answered ? min(configuration.concurrency, window) : 1
        // Empty on entry: emptied on the way out.
        defer { starting.removeAll(keepingCapacity: true) }
        var beginning = 0
        while inFlight.count - freeTags.count + starting.count < room {
            // Rows that began go first; a new row only while fewer than `room` are under way.
            let fromRetries = !retries.isEmpty
            guard fromRetries || (!ready.isEmpty && begun + beginning < room) else { break }
            let untilAllowed = limiter.reserve()
            guard untilAllowed == 0 else {
                wait = min(wait, untilAllowed)
                break
            }
            if fromRetries {
                starting.append(retries.removeFirst())
            } else {
                starting.append(ready.removeFirst())
                beginning += 1
            }
        }
        guard !starting.isEmpty else { return wait }
        // A row's first request is written down as starting before it starts.
        startingRows.removeAll(keepingCapacity: true)
        if logsAhead {
            for job in starting where !job.began { startingRows.append(job.row.row) }
        }
        do {
            if !startingRows.isEmpty {
                try log.markSending(rows: startingRows)
            } else {
                // Nothing to mark (rows sent again, or a log that does not log ahead), but
                // nothing goes out once the log failed: no outcome could be recorded.
                _ = try log.durablePosition()
            }
        } catch {
            control.stop(.localFailure("\(error)"))
            for job in starting { stopped(job) }
            return wait
        }
        for job in starting {
            if !job.began {
                job.began = true
                begun += 1
            }
            job.attempts += 1
            job.tokenGeneration = tokenGeneration
            job.sentAt = limiter.now
            statistics.request()
            let tag = freeTags.removeLast()
            transport.start(job.request, tag: tag)
            inFlight[tag] = job
        }
        return wait
    }

    /// Keeps the transport's token the keeper's newest (rows held for it go on), stops the
    /// run when no token can be had, and lets the keeper renew in time; returns whether
    /// requests may go now and the seconds until it should be asked again.
    private func keepToken() -> (canSend: Bool, recheck: Double) {
        guard let keeper = configuration.credentials else { return (true, .infinity) }
        if let failure = keeper.failure {
            control.stop(.credentialsFailed(failure))
            return (false, 0)
        }
        let (token, generation) = keeper.current
        if generation != tokenGeneration {
            transport.setToken(token)
            tokenGeneration = generation
            for job in awaitingToken { retries.append(job) }
            awaitingToken.removeAll()
        }
        return keeper.maintain()
    }

    /// After a stop: every row not in flight is recorded `not_sent`.
    private func abandonUnsent() {
        var left: [Job] = []
        while !unlogged.isEmpty { left.append(unlogged.removeFirst()) }
        while !ready.isEmpty { left.append(ready.removeFirst()) }
        while !retries.isEmpty { left.append(retries.removeFirst()) }
        left += delayed + awaitingToken
        delayed.removeAll()
        awaitingToken.removeAll()
        while let row = queue.tryReceive() { left.append(Job(row)) }
        if queue.isClosedAndEmpty { inputEnded = true }
        for job in left {
            stopped(job)
        }
    }

    // MARK: One answer

    private func handle(_ result: TransportResult, of job: Job) {
        let retry = configuration.retry
        var pausedByServer = false
        switch result {
        case .answered(let answer):
            let status = answer.status
            job.lastStatus = status
            var statusClass = RetryPolicy.classify(status: status)
            if statusClass == .unauthorized
                && target.isRateLimit(status: status, headers: answer.headers)
            {
                statusClass = .throttled
            }
            if statusClass != .throttled {
                limiter.admitted(sentAt: job.sentAt)
                answersTaken = min(answersTaken + 1, 2 * configuration.concurrency)
            }
            let first = !answered
            if statusClass != .redirect { answered = true }
            if status != 401 { configuration.credentials?.worked(generation: job.tokenGeneration) }
            switch statusClass {
            case .unauthorized:
                if status == 401, let keeper = configuration.credentials {
                    switch keeper.rejected(generation: job.tokenGeneration) {
                    case .sendAgain:
                        // The API did not act on it: no attempt used up.
                        job.attempts -= 1
                        retries.append(job)
                        return
                    case .wait:
                        job.attempts -= 1
                        awaitingToken.append(job)
                        return
                    case .rejected:
                        break
                    }
                }
                control.stop(.tokenRejected(status: status))
                finish(
                    job, status: .notSent, httpStatus: status,
                    message: "not sent: the API rejected the token (HTTP \(status))")
                return
            case .redirect:
                control.rowAnswered()
                let location = answer.headers["location"] ?? "nowhere (no Location header)"
                if first { control.stop(.redirected(status: status, location: location)) }
                finish(
                    job, status: .failed, httpStatus: status,
                    message: "HTTP \(status) redirect to \(location), not followed (the token "
                        + "only goes to --base-url)" + note(job.lostAnswers))
                return
            case .throttled:
                statistics.throttled()
                job.lastError =
                    status == 429 ? "HTTP 429 Too Many Requests" : "HTTP \(status) (a rate limit)"
                let delay = retry.retryDelay(headers: answer.headers, target: target)
                limiter.throttled(sentAt: job.sentAt, retryAfter: delay)
                pausedByServer = delay != nil
            case .transient(let answerLost):
                job.lastError = "HTTP \(status)"
                if answerLost {
                    job.lostAnswers.append("attempt \(job.attempts) got HTTP \(status)")
                }
            case .final:
                control.rowAnswered()
                // Secrets out of the body before anything quotes it, or cuts it to quote a
                // part: a secret across the cut would leave a piece the redactor cannot
                // recognise. A body without one is not copied.
                let body = configuration.redactor.redact(answer.body)
                switch target.interpret(status: status, body: body) {
                case .invited(let message, let invitationStatus, let expiresAt):
                    finish(
                        job, status: .invited, httpStatus: status,
                        message: message + note(job.lostAnswers),
                        invitationStatus: invitationStatus, expiresAt: expiresAt)
                    return
                case .refused(let message):
                    finish(
                        job, status: .failed, httpStatus: status,
                        message: message + note(job.lostAnswers))
                    return
                case .alreadyInvited(let message):
                    finish(
                        job, status: configuration.alreadyInvitedFails ? .failed : .alreadyInvited,
                        httpStatus: status, message: message + note(job.lostAnswers))
                    return
                case .unclear(let message):
                    job.lastError = message
                    job.lostAnswers.append("attempt \(job.attempts) got \(message)")
                }
            }
        case .failed(let failure):
            job.lastStatus = nil
            job.lastError = failure.detail
            if failure.kind == .answerLost {
                job.lostAnswers.append("attempt \(job.attempts) \(failure.detail)")
            } else if !answered {
                // The first request could not be written: nothing else is sent (exit 2 or
                // 5). A lost answer means the API was reached: retried as usual.
                control.stop(.firstRequestFailed(failure))
                finish(job, status: .notSent, message: "not sent: \(failure.detail)")
                return
            }
        }
        if configuration.inDoubt == .skip, let lost = job.lostAnswers.last {
            finish(
                job, status: .inDoubt, httpStatus: job.lastStatus,
                message:
                    "in doubt: \(lost), so the API may have acted on it; not sent again (--in-doubt skip)"
            )
            return
        }
        if job.attempts >= retry.maxAttempts {
            control.rowExhausted(lastError: job.lastError)
            finish(
                job, status: .failed, httpStatus: job.lastStatus,
                message: "gave up after \(job.attempts) attempts: \(job.lastError)"
                    + note(job.lostAnswers), marks: OutcomeMarks(transient: true))
            return
        }
        if control.isStopped {
            stopped(job)
            return
        }
        statistics.retry()
        if pausedByServer {
            retries.append(job)
        } else {
            job.notBefore = clock() + retry.backoff(after: job.attempts)
            delayed.append(job)
        }
    }
}
