import Foundation

/// The worker pool: `concurrency` threads take valid rows from a bounded queue (twice as
/// many rows as workers), send each through the shared `RateLimiter` and `Transport`,
/// retry what is transient under the `RetryPolicy`, and hand every row's final outcome to
/// `record`. The run's first request goes alone: the others wait until it got an HTTP
/// answer, and a first request that gets none stops the run with nothing else sent.
/// After a stop (bad token, outage, signal) rows still queued or submitted are recorded
/// `not_sent` without a request.
public final class Dispatcher: @unchecked Sendable {
    // Safe to share: immutable after `init`, or themselves safe for concurrent use.

    public struct Configuration: Sendable {
        /// Workers, and so requests in flight at most. Default 8.
        public var concurrency = 8
        /// The request path (`--path`, else the target's).
        public var path: String
        public var retry = RetryPolicy()
        /// What to do with a request whose answer was lost (it may have arrived): `retry`
        /// (the default) sends it again, `skip` reports the row `in_doubt`.
        public var inDoubt = InDoubtPolicy.retry
        /// Hides the run's secrets in what the API says back. Default: hides nothing.
        public var redactor = Redactor(secrets: [])

        public init(path: String) {
            self.path = path
        }
    }

    private let target: any Target
    private let transport: any Transport
    private let limiter: RateLimiter
    private let control: RunControl
    private let statistics: RunStatistics
    private let configuration: Configuration
    private let record: @Sendable (ReportRecord, _ transient: Bool) -> Void
    private let beforeFirstSend: @Sendable (CheckedRow) throws -> Void
    private let queue: BoundedChannel<CheckedRow>
    private let finished = DispatchGroup()
    private let gate = FirstAnswerGate()

    public init(
        target: any Target, transport: any Transport, limiter: RateLimiter, control: RunControl,
        statistics: RunStatistics, configuration: Configuration,
        record: @escaping @Sendable (ReportRecord, _ transient: Bool) -> Void,
        beforeFirstSend: @escaping @Sendable (CheckedRow) throws -> Void = { _ in }
    ) {
        self.beforeFirstSend = beforeFirstSend
        self.target = target
        self.transport = transport
        self.limiter = limiter
        self.control = control
        self.statistics = statistics
        self.configuration = configuration
        self.record = record
        queue = BoundedChannel(capacity: configuration.concurrency * 2)
    }

    /// Starts the workers.
    public func start() {
        for _ in 0..<configuration.concurrency {
            finished.enter()
            let worker = Thread { [self] in
                while let row = queue.receive() {
                    deliver(row)
                }
                finished.leave()
            }
            worker.stackSize = 512 * 1024
            worker.start()
        }
    }

    /// Queues a valid row, waiting while the queue is full; after a stop it is recorded
    /// `not_sent` at once.
    public func submit(_ row: CheckedRow) {
        if control.isStopped || !queue.send(row) {
            finish(row, status: .notSent, message: notSentMessage, attempts: 0)
        }
    }

    /// Waits until every queued row has its outcome.
    public func finishAll() {
        queue.close()
        finished.wait()
    }

    private var notSentMessage: String {
        switch control.stopReason {
        case .tokenRejected?: return "not sent: the run stopped because the API rejected the token"
        case .outage?: return "not sent: the run stopped because the API looked unavailable"
        case .firstRequestFailed?, .redirected?:
            return "not sent: the run stopped at its first request"
        case .interrupted?: return "not sent: the run was interrupted"
        case .journalFailed?: return "not sent: the journal could not be written"
        case nil: return "not sent"
        }
    }

    // MARK: One row

    private func deliver(_ row: CheckedRow) {
        let request = target.request(payload: row.payload, path: configuration.path)
        let retry = configuration.retry
        var attempts = 0
        var lostAnswers: [String] = []
        var lastError = ""
        var lastStatus: Int?
        // Whether this row's requests are the run's first (see FirstAnswerGate).
        var probing = false
        defer { if probing { gate.release() } }
        while true {
            if !probing {
                let turn = gate.waitTurn(isStopped: { control.isStopped })
                probing = turn == .probe
                if turn == .stopped {
                    finish(
                        row, status: .notSent, httpStatus: lastStatus,
                        message: notSentMessage + note(lostAnswers), attempts: attempts)
                    return
                }
            }
            guard limiter.acquire(shouldStop: { control.isStopped }) else {
                finish(
                    row, status: .notSent, httpStatus: lastStatus,
                    message: notSentMessage + note(lostAnswers), attempts: attempts)
                return
            }
            if attempts == 0 {
                do {
                    try beforeFirstSend(row)
                } catch {
                    control.stop(.journalFailed("\(error)"))
                    finish(row, status: .notSent, message: notSentMessage, attempts: 0)
                    return
                }
            }
            attempts += 1
            statistics.request()
            var pausedByServer = false
            switch transport.send(request) {
            case .answered(let answer):
                let status = answer.status
                lastStatus = status
                let statusClass = RetryPolicy.classify(status: status)
                if probing && statusClass != .redirect {
                    gate.open()
                    probing = false
                }
                switch statusClass {
                case .unauthorized:
                    control.stop(.tokenRejected(status: status))
                    finish(
                        row, status: .notSent, httpStatus: status,
                        message: "not sent: the API rejected the token (HTTP \(status))",
                        attempts: attempts)
                    return
                case .redirect:
                    control.rowAnswered()
                    let location = answer.headers["location"] ?? "nowhere (no Location header)"
                    if probing { control.stop(.redirected(status: status, location: location)) }
                    finish(
                        row, status: .failed, httpStatus: status,
                        message: "HTTP \(status) redirect to \(location), not followed (the token "
                            + "only goes to --base-url)" + note(lostAnswers), attempts: attempts)
                    return
                case .throttled:
                    statistics.throttled()
                    lastError = "HTTP 429 Too Many Requests"
                    if let delay = retry.retryDelay(headers: answer.headers) {
                        limiter.pause(for: delay)
                        pausedByServer = true
                    } else {
                        limiter.slowDown()
                    }
                case .transient(let answerLost):
                    lastError = "HTTP \(status)"
                    if answerLost { lostAnswers.append("attempt \(attempts) got HTTP \(status)") }
                case .final:
                    control.rowAnswered()
                    switch target.interpret(status: status, body: answer.body) {
                    case .invited(let message, let invitationStatus, let expiresAt):
                        limiter.succeeded()
                        finish(
                            row, status: .invited, httpStatus: status,
                            message: message + note(lostAnswers),
                            invitationStatus: invitationStatus, expiresAt: expiresAt,
                            attempts: attempts)
                        return
                    case .refused(let message):
                        finish(
                            row, status: .failed, httpStatus: status,
                            message: message + note(lostAnswers), attempts: attempts)
                        return
                    case .unclear(let message):
                        lastError = message
                        lostAnswers.append("attempt \(attempts) got \(message)")
                    }
                }
            case .failed(let failure):
                lastStatus = nil
                lastError = failure.detail
                if failure.kind == .answerLost {
                    lostAnswers.append("attempt \(attempts) \(failure.detail)")
                }
                if probing && failure.kind == .notSent {
                    // The first request could not be written: nothing else is sent (exit 2
                    // or 5). A lost answer means the API was reached: retried as usual.
                    control.stop(.firstRequestFailed(failure))
                    finish(
                        row, status: .notSent, message: "not sent: \(failure.detail)",
                        attempts: attempts)
                    return
                }
            }
            if configuration.inDoubt == .skip, let lost = lostAnswers.last {
                finish(
                    row, status: .inDoubt, httpStatus: lastStatus,
                    message:
                        "in doubt: \(lost), so the API may have acted on it; not sent again (--in-doubt skip)",
                    attempts: attempts)
                return
            }
            if attempts >= retry.maxAttempts {
                control.rowExhausted(lastError: lastError)
                finish(
                    row, status: .failed, httpStatus: lastStatus,
                    message: "gave up after \(attempts) attempts: \(lastError)" + note(lostAnswers),
                    attempts: attempts, transient: true)
                return
            }
            statistics.retry()
            if !pausedByServer {
                sleep(retry.backoff(after: attempts))
            }
        }
    }

    /// Why a retried row may have reached the API more than once.
    private func note(_ lostAnswers: [String]) -> String {
        guard !lostAnswers.isEmpty else { return "" }
        return " (note: \(lostAnswers.joined(separator: ", ")); the API may have acted on "
            + (lostAnswers.count == 1 ? "it" : "them")
            + ", so this person may have been invited more than once)"
    }

    /// Sleeps, waking early when the run stops.
    private func sleep(_ seconds: Double) {
        var left = seconds
        while left > 0 && !control.isStopped {
            Thread.sleep(forTimeInterval: min(left, 0.1))
            left -= 0.1
        }
    }

    private func finish(
        _ row: CheckedRow, status: RowStatus, httpStatus: Int? = nil, message: String,
        invitationStatus: String = "",
        expiresAt: String = "", attempts: Int, transient: Bool = false
    ) {
        statistics.count(status)
        let redactor = configuration.redactor
        record(
            ReportRecord(
                row: row.row, line: row.line, key: row.key, status: status, httpStatus: httpStatus,
                message: redactor.redact(message + row.note),
                invitationStatus: redactor.redact(invitationStatus),
                expiresAt: redactor.redact(expiresAt), attempts: attempts),
            transient)
    }
}

/// What to do with a row that may or may not have reached the API (a request whose answer
/// was lost, or one an earlier run was making when it died).
public enum InDoubtPolicy: String, Sendable {
    /// Send it again (the message says it may have arrived twice).
    case retry
    /// Do not send it again; report it `in_doubt` (at-most-once delivery).
    case skip
}
