/// What the loop does with the end of a request: the row's outcome, or another attempt.
extension DispatchLoop {
    /// What follows the end of an attempt.
    enum NextAttempt {
        /// Nothing here: the row has its outcome, or is queued for a renewed token.
        case done
        /// Another attempt if the row has attempts left, after a backoff.
        case afterBackoff
        /// Another attempt if the row has attempts left, as soon as the rate allows: the
        /// server said how long to wait, and the rate limiter waits that long.
        case whenAllowed
    }

    mutating func handle(_ result: TransportResult, of job: Job) {
        let next: NextAttempt
        switch result {
        case .answered(let answer):
            next = take(answer, of: job)
        case .failed(let failure):
            next = takeFailure(failure, of: job)
        }
        guard next != .done else { return }
        sendAgain(job, whenAllowed: next == .whenAllowed)
    }

    /// An HTTP answer: its status decides, or the target reads it.
    private mutating func take(_ answer: HTTPAnswer, of job: Job) -> NextAttempt {
        let dispatcher = self.dispatcher
        let status = answer.status
        job.lastStatus = status
        var statusClass = RetryPolicy.classify(status: status)
        if statusClass == .unauthorized
            && dispatcher.target.isRateLimit(status: status, headers: answer.headers)
        {
            statusClass = .throttled
        }
        if statusClass != .throttled {
            dispatcher.limiter.admitted(sentAt: job.sentAt)
            pace.took()
        }
        let first = !pace.answered
        if statusClass != .redirect { pace.answer() }
        if status != 401 {
            dispatcher.configuration.credentials?.worked(generation: job.tokenGeneration)
        }
        switch statusClass {
        case .unauthorized:
            return takeRejection(status: status, of: job)
        case .redirect:
            dispatcher.control.rowAnswered()
            let location = answer.headers["location"] ?? "nowhere (no Location header)"
            if first { dispatcher.control.stop(.redirected(status: status, location: location)) }
            finish(
                job, status: .failed, httpStatus: status,
                message: "HTTP \(status) redirect to \(location), not followed (the token "
                    + "only goes to --base-url)" + dispatcher.note(job.lostAnswers))
            return .done
        case .throttled:
            dispatcher.statistics.throttled(status: status)
            job.lastError =
                status == 429 ? "HTTP 429 Too Many Requests" : "HTTP \(status) (a rate limit)"
            let delay = dispatcher.configuration.retry.retryDelay(
                headers: answer.headers, target: dispatcher.target)
            dispatcher.limiter.throttled(sentAt: job.sentAt, retryAfter: delay)
            return delay != nil ? .whenAllowed : .afterBackoff
        case .transient(let answerLost):
            job.lastError = "HTTP \(status)"
            if answerLost {
                job.lostAnswers.append("attempt \(job.attempts) got HTTP \(status)")
            }
            return .afterBackoff
        case .final:
            return takeFinal(answer, of: job)
        }
    }

    /// A 401 or 403: sent again with a newer token when there is or will be one, else the
    /// run stops.
    private mutating func takeRejection(status: Int, of job: Job) -> NextAttempt {
        if status == 401, let keeper = dispatcher.configuration.credentials {
            switch keeper.rejected(generation: job.tokenGeneration) {
            case .sendAgain:
                // The API did not act on it: no attempt used up.
                job.attempts -= 1
                resends.append(job)
                return .done
            case .wait:
                job.attempts -= 1
                resends.awaitToken(job)
                return .done
            case .rejected:
                break
            }
        }
        dispatcher.control.stop(.tokenRejected(status: status))
        finish(
            job, status: .notSent, httpStatus: status,
            message: "not sent: the API rejected the token (HTTP \(status))")
        return .done
    }

    /// An answer for the target to read: the row's outcome, unless the target cannot tell.
    private mutating func takeFinal(_ answer: HTTPAnswer, of job: Job) -> NextAttempt {
        let dispatcher = self.dispatcher
        let status = answer.status
        dispatcher.control.rowAnswered()
        // Secrets out of the body before anything quotes it, or cuts it to quote a part: a
        // secret across the cut would leave a piece the redactor cannot recognise. A body
        // without one is not copied.
        let body = dispatcher.configuration.redactor.redact(answer.body)
        switch dispatcher.target.interpret(status: status, body: body) {
        case .invited(let message, let invitationStatus, let expiresAt):
            finish(
                job, status: .invited, httpStatus: status,
                message: message + dispatcher.note(job.lostAnswers),
                invitationStatus: invitationStatus, expiresAt: expiresAt)
        case .refused(let message):
            finish(
                job, status: .failed, httpStatus: status,
                message: message + dispatcher.note(job.lostAnswers))
        case .alreadyInvited(let message):
            finish(
                job,
                status: dispatcher.configuration.alreadyInvitedFails ? .failed : .alreadyInvited,
                httpStatus: status, message: message + dispatcher.note(job.lostAnswers))
        case .unclear(let message):
            job.lastError = message
            job.lostAnswers.append("attempt \(job.attempts) got \(message)")
            return .afterBackoff
        }
        return .done
    }

    /// No HTTP answer: the request was not sent, or its answer was lost.
    private mutating func takeFailure(_ failure: TransportFailure, of job: Job) -> NextAttempt {
        job.lastStatus = nil
        job.lastError = failure.detail
        if failure.kind == .answerLost {
            job.lostAnswers.append("attempt \(job.attempts) \(failure.detail)")
        } else if !pace.answered {
            // The first request could not be written: nothing else is sent (exit 2 or 5).
            // A lost answer means the API was reached: retried as usual.
            dispatcher.control.stop(.firstRequestFailed(failure))
            finish(job, status: .notSent, message: "not sent: \(failure.detail)")
            return .done
        }
        return .afterBackoff
    }

    /// Sends `job` again, unless its answer may have been acted on under `--in-doubt
    /// skip`, it used up its attempts, or the run stopped.
    private mutating func sendAgain(_ job: Job, whenAllowed: Bool) {
        let dispatcher = self.dispatcher
        let retry = dispatcher.configuration.retry
        if dispatcher.configuration.inDoubt == .skip, let lost = job.lostAnswers.last {
            finish(
                job, status: .inDoubt, httpStatus: job.lastStatus,
                message:
                    "in doubt: \(lost), so the API may have acted on it; not sent again (--in-doubt skip)"
            )
            return
        }
        if job.attempts >= retry.maxAttempts {
            dispatcher.control.rowExhausted(lastError: job.lastError)
            finish(
                job, status: .failed, httpStatus: job.lastStatus,
                message: "gave up after \(job.attempts) attempts: \(job.lastError)"
                    + dispatcher.note(job.lostAnswers), marks: OutcomeMarks(transient: true))
            return
        }
        if dispatcher.control.isStopped {
            stopped(job)
            return
        }
        dispatcher.statistics.retry()
        if whenAllowed {
            resends.append(job)
        } else {
            job.notBefore = dispatcher.clock() + retry.backoff(after: job.attempts)
            resends.delay(job)
        }
    }
}
