/// The dispatcher's event loop (see `Dispatcher`) and what it alone touches: the rows
/// under way, from their dispatch record to their outcome. It lives on the loop thread as
/// a value of that thread's own, so its state needs no lock.
struct DispatchLoop {
    let dispatcher: Dispatcher
    /// Rows whose dispatch record is not on disk yet, oldest first.
    private var unlogged = JobQueue()
    /// Rows whose first request may start as soon as the rate allows, oldest first.
    private var ready = JobQueue()
    /// Rows that began and wait to be sent again: they go before `ready`.
    var resends = Resends()
    private var inFlight: InFlightTable
    /// How many rows and requests may be under way as the API answers.
    var pace: SlowStart
    /// Whether rows are logged ahead of free slots (`DispatchLog.logsAhead`).
    private let logsAhead: Bool
    /// Rows whose first request started and that have no outcome yet: at most
    /// `concurrency`, so that a run killed at any moment leaves no more rows in doubt.
    private var begun = 0
    /// Rows taken to be sent in this run (for `limit`).
    private var admitted = 0
    private var inputEnded = false
    /// The generation of the token the transport sends.
    private var tokenGeneration: Int
    /// The rows whose request starts in this turn (`sendDueRows`), and the numbers of
    /// those whose first request it is.
    private var starting: [Job] = []
    private var startingRows: [Int] = []

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
        unlogged.count + ready.count + resends.count + inFlight.count
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
                moveLoggedRows()
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

    /// Takes rows from the queue while there is room: `SlowStart.rowsAtOnce` rows at once,
    /// one until the API has answered.
    private mutating func admitRows() {
        let dispatcher = self.dispatcher
        let queue = dispatcher.queue
        let room = pace.rows
        var admitted = false
        defer {
            // One group commit for every row admitted in this round.
            if admitted { dispatcher.log.commitDispatches() }
        }
        while active < room {
            dispatcher.waitingForRows.store(true, ordering: .sequentiallyConsistent)
            guard let row = queue.tryReceive() else {
                if queue.isClosedAndEmpty { inputEnded = true }
                return
            }
            dispatcher.waitingForRows.store(false, ordering: .relaxed)
            if let limit = dispatcher.configuration.limit, self.admitted >= limit {
                dispatcher.limitHit.store(true, ordering: .releasing)
                finish(
                    Job(row), status: .notSent,
                    message: "not sent: this run's --limit of \(limit) was reached; the same "
                        + "command sends it")
                continue
            }
            self.admitted += 1
            let job = Job(row)
            job.request = dispatcher.target.request(
                payload: row.payload, path: dispatcher.configuration.path)
            if let idempotency = dispatcher.configuration.idempotency {
                job.request.headers.append(idempotency.line(for: row.key))
            }
            job.logPosition = dispatcher.log.appendDispatch(
                row: row.row, line: row.line, key: row.key)
            unlogged.append(job)
            admitted = true
        }
        dispatcher.waitingForRows.store(false, ordering: .relaxed)
    }

    /// Moves the rows whose dispatch record is on disk to `ready`.
    private mutating func moveLoggedRows() {
        guard let first = unlogged.first else { return }
        let durable: Int64
        do {
            durable = try dispatcher.log.durablePosition()
        } catch {
            dispatcher.control.stop(.localFailure("\(error)"))
            return
        }
        guard first.logPosition <= durable else { return }
        while let job = unlogged.first, job.logPosition <= durable {
            ready.append(unlogged.removeFirst())
        }
    }

    /// Sends what is due and allowed; returns the seconds until the next row may be due.
    private mutating func sendDueRows() -> Double {
        var wait = resends.moveDelayed(now: dispatcher.clock())
        // Empty on entry: emptied on the way out.
        defer { starting.removeAll(keepingCapacity: true) }
        wait = min(wait, takeStartingRows())
        guard !starting.isEmpty else { return wait }
        // A row's first request is written down as starting before it starts.
        startingRows.removeAll(keepingCapacity: true)
        if logsAhead {
            for job in starting where !job.began { startingRows.append(job.row.row) }
        }
        do {
            if !startingRows.isEmpty {
                try dispatcher.log.markSending(rows: startingRows)
            } else {
                // Nothing to mark (rows sent again, or a log that does not log ahead), but
                // nothing goes out once the log failed: no outcome could be recorded.
                _ = try dispatcher.log.durablePosition()
            }
        } catch {
            dispatcher.control.stop(.localFailure("\(error)"))
            for job in starting { stopped(job) }
            return wait
        }
        startRequests()
        return wait
    }

    /// Puts in `starting` the rows whose request the slow start and the rate allow now;
    /// returns the seconds until the rate allows the next (infinity: it is not what waits).
    private mutating func takeStartingRows() -> Double {
        let room = pace.requests
        var beginning = 0
        while inFlight.count + starting.count < room {
            // Rows that began go first; a new row only while fewer than `room` are under way.
            let fromResends = !resends.due.isEmpty
            guard fromResends || (!ready.isEmpty && begun + beginning < room) else { break }
            let untilAllowed = dispatcher.limiter.reserve()
            guard untilAllowed == 0 else { return untilAllowed }
            if fromResends {
                starting.append(resends.removeFirst())
            } else {
                starting.append(ready.removeFirst())
                beginning += 1
            }
        }
        return .infinity
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
        var left: [Job] = []
        while !unlogged.isEmpty { left.append(unlogged.removeFirst()) }
        while !ready.isEmpty { left.append(ready.removeFirst()) }
        left += resends.removeAll()
        let queue = dispatcher.queue
        while let row = queue.tryReceive() { left.append(Job(row)) }
        if queue.isClosedAndEmpty { inputEnded = true }
        for job in left {
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
