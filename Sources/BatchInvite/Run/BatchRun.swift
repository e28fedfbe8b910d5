import Foundation

/// One `batch-invite run`, the whole pipeline wired together: rows read and checked
/// (`CheckedRows`), invalid and duplicate rows recorded at once, valid rows sent by the
/// `Dispatcher`, every outcome appended to the `Journal` as it happens, and at the end the
/// report written from the journal in input order. The executable hands it plain settings
/// (`Configuration`, `RunCredentials`); the transport, the dispatcher, the rate limiter
/// and the journal are made here.
public final class BatchRun {
    /// What a run did.
    public struct Result: Sendable {
        /// The run's counters at its end (an earlier run's rows on the journal included).
        public var statistics: RunStatistics.Snapshot
        /// Why the run stopped before its end, if it did.
        public var stop: Stop?
        /// Blank records of the input, left out.
        public var blankRecordsSkipped: Int
        /// Rows a previous run on the same journal had already finished.
        public var alreadyDone: Int
        /// What went wrong locally after sending began (the journal, the input, the
        /// report), for the user: the run ends with exit 6.
        public var localFailure: String?
        /// Whether `--limit` left rows for the next run.
        public var reachedLimit = false
        /// The report's overview, when the configuration asked for it.
        public var overview: ReportOverview?
        /// Every run's start and seconds on this journal, this one's included.
        public var timeline = RunTimeline()
    }

    /// Why a run stopped before its end (the API rejected the token, an outage, a signal,
    /// a local failure), in words, and the exit code it ends with.
    public struct Stop: Sendable {
        /// The reason, for the user (secrets may be in it: the caller hides them).
        public var reason: String
        public var exitCode: ExitCode
        /// The server's certificate, described, when the first request failed because it
        /// was not trusted.
        public var untrustedCertificate: String?
    }

    /// The input as it is read (standard input from its copy beside the journal).
    private let input: InputOptions
    private let target: any Target
    private let onWarning: (String) -> Void
    let configuration: Configuration
    private let credentials: RunCredentials
    private let redactor: Redactor
    /// The journal's first record: what the run is about, the input's fingerprint included.
    let header: JournalHeader
    /// Standard input kept in a file beside the journal, for as long as the run reads it.
    private let spool: StandardInputSpool?
    let curl: CurlTransport
    /// How requests go out: `curl`, or with `--verbose` a `LoggingTransport` around it.
    private let transport: any Transport
    let control = RunControl()

    /// Gets a run of `input` for `target` ready, `credentials` holding its first token:
    /// standard input (and any input that is not a regular file: a named pipe, a device)
    /// is kept in a file beside the journal first, read once, through, before anything is
    /// sent, and fingerprinted, so that resuming with another input is refused; and the
    /// transport is made (`run` opens the input). `onNote` hears what the user should know
    /// (the proxy requests go through, columns ignored; secrets hidden); `onExchange`, with
    /// `--verbose`, a line per exchange.
    public init(
        input: InputOptions, target: any Target, configuration: Configuration,
        credentials: RunCredentials, redactor: Redactor,
        onNote: @escaping @Sendable (String) -> Void,
        onExchange: (@Sendable (String) -> Void)? = nil
    ) throws {
        spool =
            StandardInputSpool.isNeeded(for: input.path)
            ? try StandardInputSpool(from: input.path, beside: configuration.journalPath) : nil
        var reading = input
        if let spool { reading.path = spool.path }
        let settings = configuration.connection.transport(
            concurrency: configuration.sending.concurrency,
            token: credentials.keeper.current.value)
        if let proxy = settings.proxy.displayURL {
            onNote(
                "batch-invite run: through the proxy \(proxy) (from \(settings.proxy.source ?? "?"))"
            )
        }
        let curl = try CurlTransport(configuration: settings)
        self.curl = curl
        transport =
            onExchange.map { LoggingTransport(curl, redactor: redactor, write: $0) } ?? curl
        do {
            header = configuration.header(
                target: target, input: input,
                fingerprint: try InputFingerprint.of(path: reading.path))
        } catch {
            curl.close()
            throw error
        }
        self.input = reading
        self.target = target
        onWarning = { [redactor] in onNote(redactor.redact($0)) }
        self.configuration = configuration
        self.credentials = credentials
        self.redactor = redactor
    }

    deinit {
        curl.close()
    }

    /// The input's size and hash (nil for what is not a regular file, before its copy).
    public var inputFingerprint: InputFingerprint? { header.fingerprint }

    /// What a signal handler may do with the run, from any thread.
    public var signalHandle: SignalHandle { SignalHandle(control: control) }

    /// What a signal handler may do with a run, from any thread.
    public struct SignalHandle: Sendable {
        let control: RunControl

        /// Whether a row may have gone out: until then, a signal may end the process at
        /// once.
        public var sendingBegan: Bool { control.sendingBegan }

        /// Whether the run was told to stop.
        public var isStopping: Bool { control.isStopped }

        /// Stops the run for signal `number`: no new rows are sent, requests in flight end
        /// (at their deadline at the latest), and the run ends as interrupted.
        public func interrupt(signal number: Int32) {
            control.stop(.interrupted(signal: number))
        }
    }

    /// Opens the input, sends the rows and writes the report. Throws what stops a run
    /// before anything was sent (exit 2: a journal of another run, a broken input); after
    /// that, what goes wrong is in the result.
    public func run() throws -> Result {
        defer { curl.close() }
        var pipeline = try RowPipeline(options: input, target: target, onWarning: onWarning)
        let known = try readKnown(&pipeline)
        if let earlier = known.earlier, let result = try finishedAlready(earlier) {
            return result
        }
        var parts = try open(known, pipeline)
        let source = pipeline.source
        let size = source.size
        let readProgress = source.readProgress
        let progress = ProgressDisplay(mode: configuration.progress) {
            [statistics = parts.statistics, journal = parts.journal] in
            ProgressDisplay.Reading(
                statistics: statistics.snapshot, rowsRead: journal.rowsKnown,
                fractionRead: size.map { Double(readProgress.bytes) / Double(max($0, 1)) })
        }
        defer { progress.stop() }
        let trimmer = MemoryTrimmer()
        defer { trimmer.stop() }
        control.beginSending()
        parts.dispatcher.start()
        parts.sampler.start()
        // Sending is slow next to reading: little read-ahead is needed, and less holds less memory.
        source.readAhead = 4
        var counts = SendCounts()
        do {
            try send(parts, known, &counts)
        } catch {
            control.stop(.localFailure("\(error)"))
            parts.dispatcher.finishAll()
            parts.timeline.seconds += parts.sampler.stop()
            // Nothing sent yet: the input's error is the whole story (exit 2).
            if parts.statistics.snapshot.requests == 0 {
                try? parts.journal.close()
                throw error
            }
            return try finish(parts, rowsRead: nil, alreadyDone: counts.alreadyDone)
        }
        parts.dispatcher.finishAll()
        parts.timeline.seconds += parts.sampler.stop()
        return try finish(
            parts, rowsRead: counts.rowsRead, alreadyDone: counts.alreadyDone,
            reachedLimit: parts.dispatcher.reachedLimit)
    }

    /// What was there before this run.
    struct Known {
        /// The journal's lock (taken anew by a `--restart`).
        var lock: JournalLock
        var earlier: EarlierRun?
        /// The input's data rows and blank records, when known before sending.
        var inputRows: (rows: Int, blankRecords: Int)?
        /// The job's ledger (`--ledger`).
        var ledger: Ledger?
        /// What the journal set aside by `--restart` knew, and that journal's path.
        var history: Ledger?
        var historySource: String?
    }

    /// Takes the journal's lock (setting the journal aside for a `--restart`) and reads
    /// what came before; the lock file goes again when that fails. A resumed run reads
    /// the input as the journal says it was read (`pipeline` opened again).
    private func readKnown(_ pipeline: inout RowPipeline) throws -> Known {
        var lock = try JournalLock(journal: configuration.journalPath)
        var setAside: String?
        if configuration.restart { (lock, setAside) = try lock.restarting() }
        do {
            return try readKnown(lock: lock, setAside: setAside, &pipeline)
        } catch {
            lock.removeIfCreatedEmpty()
            throw error
        }
    }

    private func readKnown(lock: JournalLock, setAside: String?, _ pipeline: inout RowPipeline)
        throws -> Known
    {
        var known = Known(lock: lock)
        known.earlier = try EarlierRun.read(journal: configuration.journalPath, for: header)
        // A new journal: the whole input is read once before anything is sent. A resumed
        // one skips it: its header holds the fingerprint of an input that passed, and the
        // encoding and preamble it was read with, which this run keeps to.
        if let theirs = known.earlier?.inputOptions, input.encoding == nil || input.skipLines == nil
        {
            var options = input
            options.encoding = options.encoding ?? theirs.encoding
            options.skipLines = options.skipLines ?? theirs.skipLines
            pipeline = try RowPipeline(options: options, target: target, onWarning: onWarning)
        }
        if let earlier = known.earlier {
            known.inputRows = earlier.inputRows.map { ($0, earlier.inputBlankRecords) }
        } else {
            known.inputRows = try pipeline.checkWholeInput()
        }
        known.ledger = try configuration.ledgerPath.map {
            try Ledger(path: $0, target: target.name)
        }
        // What the journal set aside by --restart knew: written once at the restart, read
        // again by every run of the new journal.
        if let setAside {
            try RestartHistory.write(
                journal: configuration.journalPath, from: setAside, target: target.name)
        }
        known.historySource = setAside ?? known.earlier?.restartHistory
        if let historySource = known.historySource, !configuration.reinvite {
            known.history = try RestartHistory.open(
                journal: configuration.journalPath, setAside: historySource, target: target.name)
        }
        return known
    }

    /// The parts of a run that sends, wired together.
    struct Parts {
        let pipeline: RowPipeline
        let journal: Journal
        /// The valid rows' way to the dispatcher, through the journal.
        let sending: SendQueue
        let writer: ReportWriter
        let statistics: RunStatistics
        let dispatcher: Dispatcher
        let sampler: TimelineSampler
        var timeline: RunTimeline
    }

    /// Opens the journal (its start record says how many rows earlier runs settled) and
    /// the report, and makes the dispatcher, its rate limiter and the timeline's sampler.
    private func open(_ known: Known, _ pipeline: RowPipeline) throws -> Parts {
        let retryFailed = configuration.retryFailed
        let settled =
            known.earlier.map { earlier in
                (0..<earlier.latest.count).reduce(0) {
                    $0 + (earlier.finalStatus(of: $1 + 1, retryFailed: retryFailed) == nil ? 0 : 1)
                }
            } ?? 0
        let start = JournalStart(rowsDone: settled, inputRows: known.inputRows)
        let journal = try Journal(
            path: configuration.journalPath, header: journalHeader(known, pipeline.source),
            start: start,
            lock: known.lock, syncs: configuration.syncsJournal, ledger: known.ledger,
            earlierOutcomes: known.earlier?.offsets ?? [])
        let writer = try ReportWriter(
            path: configuration.reportPath, format: configuration.reportFormat,
            overview: configuration.overview)
        let statistics = RunStatistics()
        let sending = SendQueue(
            journal: journal, capacity: max(configuration.sending.concurrency, 1) * 2)
        let limiter = RateLimiter(
            rate: configuration.sending.rate, burst: configuration.sending.burst)
        let dispatcher = Dispatcher(
            target: target, transport: transport, limiter: limiter, control: control,
            statistics: statistics,
            configuration: configuration.dispatcher(
                redactor: redactor, credentials: credentials,
                idempotency: idempotency(known.earlier)),
            log: sending)
        var timeline = known.earlier?.timeline ?? RunTimeline()
        timeline.starts.append(RunTimeline.Start(at: start.at, done: settled))
        return Parts(
            pipeline: pipeline, journal: journal, sending: sending, writer: writer,
            statistics: statistics, dispatcher: dispatcher,
            sampler: TimelineSampler(statistics: statistics, limiter: limiter, journal: journal),
            timeline: timeline)
    }

    /// The idempotency key the requests carry, when the target takes one: made for the job
    /// of the journal resumed, else of the one this run begins.
    func idempotency(_ earlier: EarlierRun?) -> IdempotencyKey? {
        target.idempotencyHeader.map {
            IdempotencyKey(header: $0, job: earlier?.jobID ?? header.jobID, target: target.name)
        }
    }

    /// The header a new journal starts with: the run's, with the history it keeps to and
    /// how the input is read (its encoding, format and preamble as found).
    private func journalHeader(_ known: Known, _ source: RowSource) -> JournalHeader {
        var header = self.header
        header.restartHistory = known.historySource
        header.inputOptions?.encoding = source.encoding.0
        header.inputOptions?.format = source.format.format
        header.inputOptions?.skipLines = source.linesSkipped
        return header
    }
}
