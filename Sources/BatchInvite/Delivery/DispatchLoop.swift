/// The dispatcher's event loop (see `Dispatcher`) and what it alone touches: the rows
/// under way, from their dispatch record to their outcome. It lives on the loop thread as
/// a value of that thread's own, so its state needs no lock.
struct DispatchLoop {
    let dispatcher: Dispatcher
    /// Rows admitted from the log (their dispatch record appended) and not taken yet.
    private var logged = 0
    /// Rows admitted in this run (for `limit`).
    private var admitted = 0
    /// Rows that began and wait to be sent again: they go before rows not yet begun.
    var resends = Resends()
    private var inFlight: InFlightTable
    /// How many rows and requests may be under way as the API answers.
    var pace: SlowStart
    /// Whether rows are logged ahead of free slots (`DispatchLog.logsAhead`).
    private let logsAhead: Bool
    /// Rows whose first request started and that have no outcome yet: at most
    /// `concurrency`, so that a run killed at any moment leaves no more rows in doubt.
    private var begun = 0
    private var inputEnded = false
    /// The generation of the token the transport sends.
    private var tokenGeneration: Int
    /// The rows whose request starts in this turn (`sendDueRows`), and those of them taken
    /// from the log.
    private var starting: [Job] = []
    private var taken: [CheckedRow] = []

    init(_ dispatcher: Dispatcher, tokenGeneration: Int) {
        self.dispatcher = dispatcher
        self.tokenGeneration = tokenGeneration
        let concurrency = dispatcher.configuration.concurrency
        let slots = max(concurrency, 1)
        inFlight = InFlightTable(slots: slots)
        logsAhead = dispatcher.log.logsAhead
        pace = SlowStart(concurrency: concurrency, rowsAtOnce: logsAhead ? slots * 2 : slots)
    }

    private var active: Int {
        logged + resends.count + inFlight.count
    }

    /// Runs until every row has its outcome.
    mutating func run() {
        let transport = dispatcher.transport
        while true {
            var wait = 0.1
            if dispatcher.control.isStopped {
                abandonUnsent()
            } else {
                admitRows()
                let (canSend, recheck) = keepToken()
                wait = min(wait, recheck)
                if canSend { wait = min(wait, sendDueRows()) }
            }
            if inputEnded && active == 0 { return }
            transport.poll(timeout: wait) { tag, result in
                guard let job = inFlight.remove(tag: tag) else { return }
                handle(result, of: job)
            }
        }
    }

    /// Admits rows from the log while there is room (their dispatch records are appended,
    /// one group commit for them all): `SlowStart.rowsAtOnce` rows at once, one until the
    /// API has answered. Once `limit` rows were admitted, the rest are `not_sent`.
    private mutating func admitRows() {
        let room = pace.rows - active
        guard room > 0 else { return }
        let limit = dispatcher.configuration.limit ?? .max
        if admitted < limit {
            let (count, ended) = dispatcher.log.admit(max: min(room, limit - admitted))
            logged += count
            admitted += count
            if ended { inputEnded = true }
            guard admitted == limit else { return }
        }
        // Past the limit, all that is queued: those rows take no room, and waiting between
        // them would hold up every row after the limit.
        let (rows, ended) = dispatcher.log.pass()
        if !rows.isEmpty { dispatcher.limitHit.store(true, ordering: .releasing) }
        for row in rows {
            finish(
                Job(row), status: .notSent,
                message: "not sent: this run's --limit of \(limit) was reached; the same "
                    + "command sends it")
        }
        if ended { inputEnded = true }
    }

    /// Sends what is due and allowed; returns the seconds until the next row may be due.
    private mutating func sendDueRows() -> Double {
        let dispatcher = self.dispatcher
        var wait = resends.moveDelayed(now: dispatcher.clock())
        // Empty on entry: emptied on the way out.
        defer { starting.removeAll(keepingCapacity: true) }
        let durable: Int
        do {
            // Nothing goes out once the log failed: no outcome could be recorded.
            durable = try dispatcher.log.durableCount()
        } catch {
            dispatcher.control.stop(.localFailure("\(error)"))
            return wait
        }
        let (newRows, untilAllowed) = takeStartingRows(durable: durable)
        wait = min(wait, untilAllowed)
        if newRows > 0 {
            do {
                // A row's first request is written down as starting before it starts.
                taken.removeAll(keepingCapacity: true)
                try dispatcher.log.take(newRows, into: &taken)
                for row in taken { starting.append(job(row)) }
                logged -= newRows
            } catch {
                dispatcher.control.stop(.localFailure("\(error)"))
                for job in starting { stopped(job) }
                return wait
            }
        }
        startRequests()
        return wait
    }

    /// A row taken from the log, with its request.
    private func job(_ row: CheckedRow) -> Job {
        let job = Job(row)
        job.request = APIRequest(dispatcher.requestFrame, payload: row.payload)
        if let idempotency = dispatcher.configuration.idempotency {
            job.request.headers.append(idempotency.line(for: row.key))
        }
        return job
    }

    /// Puts in `starting` the rows sent again whose request the slow start and the rate
    /// allow now, and counts the new rows (of the `durable` ones) that may start after
    /// them; returns that count and the seconds until the rate allows the next (infinity:
    /// it is not what waits).
    private mutating func takeStartingRows(durable: Int) -> (newRows: Int, wait: Double) {
        let room = pace.requests
        var newRows = 0
        while inFlight.count + starting.count + newRows < room {
            // Rows that began go first; a new row only while fewer than `room` are under way.
            let fromResends = !resends.due.isEmpty
            guard fromResends || (newRows < durable && begun + newRows < room) else { break }
            let untilAllowed = dispatcher.limiter.reserve()
            guard untilAllowed == 0 else { return (newRows, untilAllowed) }
            if fromResends {
                starting.append(resends.removeFirst())
            } else {
                newRows += 1
            }
        }
        return (newRows, .infinity)
    }

    /// Starts the requests of the rows in `starting`.
    private mutating func startRequests() {
        let dispatcher = self.dispatcher
        for job in starting {
            if !job.began {
                job.began = true
                begun += 1
            }
            job.attempts += 1
            job.tokenGeneration = tokenGeneration
            job.sentAt = dispatcher.limiter.now
            dispatcher.statistics.request()
            dispatcher.transport.start(job.request, tag: inFlight.add(job))
        }
    }

    /// Keeps the transport's token the keeper's newest (rows held for it go on), stops the
    /// run when no token can be had, and lets the keeper renew in time; returns whether
    /// requests may go now and the seconds until it should be asked again.
    private mutating func keepToken() -> (canSend: Bool, recheck: Double) {
        guard let keeper = dispatcher.configuration.credentials else { return (true, .infinity) }
        if let failure = keeper.failure {
            dispatcher.control.stop(.credentialsFailed(failure))
            return (false, 0)
        }
        let (token, generation) = keeper.current
        if generation != tokenGeneration {
            dispatcher.transport.setToken(token)
            tokenGeneration = generation
            resends.tokenRenewed()
        }
        return keeper.maintain()
    }

    /// After a stop: every row not in flight is recorded `not_sent`.
    private mutating func abandonUnsent() {
        let (rows, ended) = dispatcher.log.takeUnsent()
        logged = 0
        if ended { inputEnded = true }
        for job in rows.map(Job.init) + resends.removeAll() {
            stopped(job)
        }
    }

    // MARK: Outcomes

    /// Records `job`'s outcome (`Dispatcher.finish`); it is no longer under way.
    mutating func finish(
        _ job: Job, status: RowStatus, httpStatus: Int? = nil, message: String,
        invitationStatus: String = "", expiresAt: String = "", marks: OutcomeMarks = OutcomeMarks()
    ) {
        if job.began { begun -= 1 }
        dispatcher.finish(
            job, status: status, httpStatus: httpStatus, message: message,
            invitationStatus: invitationStatus, expiresAt: expiresAt, marks: marks)
    }

    /// Records a row the run stopped before sending (again) (`Dispatcher.stopped`).
    mutating func stopped(_ job: Job) {
        if job.began { begun -= 1 }
        dispatcher.stopped(job)
    }
}
