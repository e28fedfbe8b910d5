import Foundation
import Synchronization

/// One `batch-invite run`, the whole pipeline wired together: rows read and checked
/// (`CheckedRows`), invalid and duplicate rows recorded at once, valid rows sent by the
/// `Dispatcher`, every outcome appended to the `Journal` as it happens, and at the end the
/// report written from the journal in input order.
public final class BatchRun {
    public struct Configuration: Sendable {
        public var delivery: Dispatcher.Configuration
        /// Requests per second (0: no limit). Default 10.
        public var rate = 10.0
        /// Requests that may go at once after a pause. Default 1.
        public var burst = 1
        public var journalPath: String
        public var reportPath: String
        public var reportFormat: ReportFormat
        public var progress: ProgressDisplay.Mode = .auto
        /// Whether the journal is synced (only benchmarks switch this off).
        public var syncsJournal = true
        /// The journal's first record.
        public var header: JournalHeader
        /// Start a new journal even if one exists (the old one set aside as
        /// `<journal>.<its start time>`, its history kept: `RestartHistory`).
        public var restart = false
        /// Send again to people the journal set aside by `--restart` had invited
        /// (`--reinvite`).
        public var reinvite = false
        /// Send again rows that failed on transient errors in an earlier run.
        public var retryFailed = false
        /// The job's ledger across runs (`--ledger`), if any.
        public var ledgerPath: String?
        /// Days after which a key the ledger holds as invited is sent again
        /// (`--reinvite-after`); nil: never.
        public var reinviteAfterDays: Double?
        /// Whether the result carries the report's overview (for `--html`).
        public var overview = false

        public init(
            delivery: Dispatcher.Configuration, journalPath: String, reportPath: String,
            reportFormat: ReportFormat,
            header: JournalHeader
        ) {
            self.delivery = delivery
            self.journalPath = journalPath
            self.reportPath = reportPath
            self.reportFormat = reportFormat
            self.header = header
        }
    }

    public struct Result: Sendable {
        public var statistics: RunStatistics.Snapshot
        public var stopReason: RunControl.StopReason?
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

    private var pipeline: RowPipeline
    private let input: InputOptions
    private let onWarning: (String) -> Void
    private var source: RowSource { pipeline.source }
    private var target: any Target { pipeline.target }
    private let transport: any Transport
    let configuration: Configuration
    public let control = RunControl()

    public init(
        input: InputOptions, target: any Target, transport: any Transport,
        configuration: Configuration, onWarning: @escaping (String) -> Void = { _ in }
    ) throws {
        pipeline = try RowPipeline(options: input, target: target, onWarning: onWarning)
        self.input = input
        self.onWarning = onWarning
        self.transport = transport
        self.configuration = configuration
    }

    public func run() throws -> Result {
        var lock = try JournalLock(journal: configuration.journalPath)
        var setAside: String?
        if configuration.restart { (lock, setAside) = try lock.restarting() }
        let earlier: EarlierRun?
        let ledger: Ledger?
        var history: Ledger?
        var historySource = setAside
        var inputRows: (rows: Int, blankRecords: Int)?
        do {
            earlier = try EarlierRun.read(
                journal: configuration.journalPath, for: configuration.header)
            // A new journal: the whole input is read once before anything is sent. A
            // resumed one skips it: its header holds the fingerprint of an input that passed,
            // and the encoding and preamble it was read with, which this run keeps to.
            if let theirs = earlier?.inputOptions, input.encoding == nil || input.skipLines == nil {
                var options = input
                options.encoding = options.encoding ?? theirs.encoding
                options.skipLines = options.skipLines ?? theirs.skipLines
                pipeline = try RowPipeline(options: options, target: target, onWarning: onWarning)
            }
            if let earlier {
                inputRows = earlier.inputRows.map { ($0, earlier.inputBlankRecords) }
            } else {
                inputRows = try pipeline.checkWholeInput()
            }
            ledger = try configuration.ledgerPath.map { try Ledger(path: $0, target: target.name) }
            // What the journal set aside by --restart knew: written once at the restart,
            // read again by every run of the new journal.
            if let setAside {
                try RestartHistory.write(
                    journal: configuration.journalPath, from: setAside, target: target.name)
            } else {
                historySource = earlier?.restartHistory
            }
            if let historySource, !configuration.reinvite {
                history = try RestartHistory.open(
                    journal: configuration.journalPath, setAside: historySource,
                    target: target.name)
            }
        } catch {
            lock.removeIfCreatedEmpty()
            throw error
        }
        if let earlier, let result = try finishedAlready(earlier) {
            return result
        }
        let retryFailed = configuration.retryFailed
        let settled =
            earlier.map { earlier in
                (0..<earlier.latest.count).reduce(0) {
                    $0 + (earlier.finalStatus(of: $1 + 1, retryFailed: retryFailed) == nil ? 0 : 1)
                }
            } ?? 0
        var header = configuration.header
        header.restartHistory = historySource
        header.inputOptions?.encoding = source.encoding.0
        header.inputOptions?.format = source.format.format
        header.inputOptions?.skipLines = source.linesSkipped
        let start = JournalStart(rowsDone: settled, inputRows: inputRows)
        let journal = try Journal(
            path: configuration.journalPath, header: header, start: start, lock: lock,
            syncs: configuration.syncsJournal, ledger: ledger)
        let writer = try ReportWriter(
            path: configuration.reportPath, format: configuration.reportFormat,
            overview: configuration.overview)
        let statistics = RunStatistics()
        let offsets = RowOffsets(earlier?.offsets ?? [])
        journal.whenOutcomeWritten { row, offset in offsets.set(row: row, offset: offset) }
        let record: @Sendable (OutcomeRecord, OutcomeMarks) -> Void = { record, marks in
            journal.append(record, marks: marks)
        }
        let limiter = RateLimiter(rate: configuration.rate, burst: configuration.burst)
        let dispatcher = Dispatcher(
            target: target, transport: transport, limiter: limiter, control: control,
            statistics: statistics, configuration: configuration.delivery, log: journal,
            record: record)
        let sampler = TimelineSampler(statistics: statistics, limiter: limiter, journal: journal)
        var timeline = earlier?.timeline ?? RunTimeline()
        timeline.starts.append(RunTimeline.Start(at: start.at, done: settled))
        let size = source.size
        let readProgress = source.readProgress
        let progress = ProgressDisplay(mode: configuration.progress) {
            ProgressDisplay.Reading(
                statistics: statistics.snapshot, rowsRead: offsets.count,
                fractionRead: size.map { Double(readProgress.bytes) / Double(max($0, 1)) })
        }
        defer { progress.stop() }
        let trimmer = MemoryTrimmer()
        defer { trimmer.stop() }
        control.beginSending()
        dispatcher.start()
        sampler.start()
        // Sending is slow next to reading: little read-ahead is needed, and less holds less memory.
        source.readAhead = 4
        // Rows an earlier run finished are not sent: no request body to build for them.
        var needsPayload: (@Sendable (Int) -> Bool)?
        if let earlier {
            needsPayload = { earlier.finalStatus(of: $0, retryFailed: retryFailed) == nil }
        }
        // Checked ahead whatever the cores: this thread hands rows to the dispatcher, which
        // sends from its own, and neither should wait for the checks.
        let rows = pipeline.checkedRows(
            payloads: true, needsPayload: needsPayload, readAhead: 2, checksAhead: true)
        var alreadyDone = 0
        var rowsRead = 0
        /// Records an invalid or duplicate row, or hands a valid one to the dispatcher.
        func handle(_ row: CheckedRow) {
            var row = row
            if row.status != .valid {
                statistics.count(row.status)
                record(
                    OutcomeRecord(
                        row: row.row, line: row.line, key: row.key, status: row.status,
                        message: row.message),
                    OutcomeMarks())
                return
            }
            if earlier?.inDoubtRows.contains(row.row) == true {
                if configuration.delivery.inDoubt == .skip {
                    statistics.count(.inDoubt)
                    record(
                        OutcomeRecord(
                            row: row.row, line: row.line, key: row.key, status: .inDoubt,
                            message:
                                "in doubt: an earlier run stopped while sending this row, so it may have "
                                + "arrived; not sent again (--in-doubt skip)"),
                        OutcomeMarks())
                    return
                }
                statistics.resentInDoubt()
                row.note =
                    " (note: an earlier run stopped while sending this row, so it may have arrived "
                    + "before; \(RepeatNote.words) twice)"
            } else if let ledger, let entry = ledger.entry(for: row.key) {
                let outcome = configuration.ledgerOutcome(of: &row, entry, ledger: ledger.path)
                return settle(row, known: entry, outcome)
            } else if let history, let historySource, let entry = history.entry(for: row.key) {
                let outcome = configuration.historyOutcome(of: &row, entry, setAside: historySource)
                return settle(row, known: entry, outcome)
            }
            dispatcher.submit(row)
        }
        /// A row whose key the ledger or a restart's history knows: recorded with the
        /// outcome it ends with unsent, or sent (again, when it was in doubt).
        func settle(_ row: CheckedRow, known entry: Ledger.Entry, _ outcome: OutcomeRecord?) {
            guard let outcome else {
                if entry.state == .inDoubt { statistics.resentInDoubt() }
                dispatcher.submit(row)
                return
            }
            statistics.count(outcome.status)
            record(outcome, OutcomeMarks())
        }
        do {
            try rows.forEachBatch { batch in
                guard batch.count > 0 else { return }
                rowsRead = batch[batch.count - 1].row
                offsets.reserve(row: rowsRead)
                for index in 0..<batch.count {
                    if let previous = earlier?.finalStatus(
                        of: batch[index].row, retryFailed: retryFailed)
                    {
                        statistics.count(previous, fromEarlierRun: true)
                        alreadyDone += 1
                        continue
                    }
                    handle(batch[index].checkedRow)
                }
            }
        } catch {
            control.stop(.localFailure("\(error)"))
            dispatcher.finishAll()
            timeline.seconds += sampler.stop()
            // Nothing sent yet: the input's error is the whole story (exit 2).
            if statistics.snapshot.requests == 0 {
                try? journal.close()
                throw error
            }
            var result = try finish(
                journal, writer, offsets, statistics, rowsRead: nil, alreadyDone: alreadyDone)
            result.timeline = timeline
            return result
        }
        dispatcher.finishAll()
        timeline.seconds += sampler.stop()
        var result = try finish(
            journal, writer, offsets, statistics, rowsRead: rowsRead, alreadyDone: alreadyDone,
            reachedLimit: dispatcher.reachedLimit)
        result.timeline = timeline
        return result
    }

    /// Closes the journal and writes the report from it. The report is read through the
    /// journal's own open file, so it is complete even when the journal's path was lost;
    /// the journal is then written back. Failures here, after sending began, are reported
    /// in the result (exit 6), not thrown; `rowsRead` is nil when reading stopped early.
    private func finish(
        _ journal: Journal, _ writer: ReportWriter, _ offsets: RowOffsets,
        _ statistics: RunStatistics, rowsRead: Int?, alreadyDone: Int, reachedLimit: Bool = false
    ) throws -> Result {
        var problems: [String] = []
        if let rowsRead {
            journal.end(rows: rowsRead, blankRecordsSkipped: source.blankRecordsSkipped)
        }
        do {
            try journal.close()
        } catch {
            problems.append("\(error)")
        }
        if journal.pathLost {
            if let restored = journal.restore() {
                problems.append(
                    "its content was written back to \(restored) from the open file"
                        + (restored == configuration.journalPath
                            ? "" : "; move it to \(configuration.journalPath) to resume"))
            } else {
                problems.append("it could not be written back: the next run starts afresh")
            }
        }
        let unwritten = journal.outcomesNotWritten
        if unwritten > 0 {
            // A report made from the journal would leave their rows out.
            let older =
                FileManager.default.fileExists(atPath: configuration.reportPath)
                ? " (\(configuration.reportPath) is an older report)" : ""
            problems.append(
                "the report could not be written (\(unwritten) "
                    + (unwritten == 1 ? "outcome" : "outcomes")
                    + " could not be written to the journal)\(older)")
        } else {
            do {
                try writer.writeOutcomes(
                    at: offsets.all.lazy.filter { $0 >= 0 }, from: journal.recordReader)
                try writer.finish()
            } catch {
                problems.append("the report could not be written (\(error))")
            }
        }
        if !problems.isEmpty, statistics.snapshot.requests == 0, control.stopReason == nil {
            // Nothing was sent: an ordinary error of the files (exit 2).
            throw BatchInviteError.io(problems.joined(separator: "; "))
        }
        let snapshot = statistics.snapshot
        var failure: String?
        if !problems.isEmpty || control.stopReason?.exitCode == .localFailure {
            var parts: [String] = []
            if case .localFailure(let reason)? = control.stopReason { parts.append(reason) }
            parts += problems.filter { !parts.contains($0) }
            failure =
                parts.joined(separator: "; ") + "; \(snapshot.requests) "
                + (snapshot.requests == 1 ? "request was" : "requests were")
                + " sent in this run, and the journal records them: the same command resumes"
        }
        return Result(
            statistics: snapshot, stopReason: control.stopReason,
            blankRecordsSkipped: source.blankRecordsSkipped, alreadyDone: alreadyDone,
            localFailure: failure, reachedLimit: reachedLimit, overview: writer.overview)
    }

    /// The result of a run whose journal already settles every row of the input (it was
    /// read to its end, and no row is left to send or in doubt): the report is written from
    /// the journal alone, without reading the input again (its fingerprint, checked in
    /// `EarlierRun.read`, says it has not changed). Nil when there is work left.
    private func finishedAlready(_ earlier: EarlierRun) throws -> Result? {
        guard configuration.header.fingerprint != nil, let rows = earlier.inputRows,
            earlier.lastRunEnded, earlier.inDoubtRows.isEmpty, earlier.offsets.count == rows
        else { return nil }
        var counts: [RowStatus: Int] = [:]
        for row in stride(from: 1, through: rows, by: 1) {
            guard let status = earlier.finalStatus(of: row, retryFailed: configuration.retryFailed)
            else { return nil }
            counts[status, default: 0] += 1
        }
        let statistics = RunStatistics()
        for (status, count) in counts {
            statistics.count(status, times: count, fromEarlierRun: true)
        }
        let writer = try ReportWriter(
            path: configuration.reportPath, format: configuration.reportFormat,
            overview: configuration.overview)
        try writer.writeOutcomes(
            at: earlier.offsets, from: JournalReader(path: configuration.journalPath))
        try writer.finish()
        return Result(
            statistics: statistics.snapshot, stopReason: nil,
            blankRecordsSkipped: earlier.inputBlankRecords, alreadyDone: rows,
            overview: writer.overview, timeline: earlier.timeline)
    }

}

/// Where each row's latest journal record starts, by row number. Kept in chunks of
/// 65,536 rows, so that growing never copies (nor doubles) what is there. Safe for
/// concurrent use.
final class RowOffsets: @unchecked Sendable {
    // Safe to share: `chunks` and `count` are only touched with `lock` held.
    private static let chunkSize = 1 << 16
    private let lock = NSLock()
    private var chunks: [[Int64]] = []
    private var rows = 0

    /// Offsets known from an earlier run, by row.
    init(_ earlier: [Int64]) {
        grow(to: earlier.count)
        for (index, offset) in earlier.enumerated() where offset >= 0 {
            chunks[index / Self.chunkSize][index % Self.chunkSize] = offset
        }
    }

    /// Makes room for row `row` (rows come in order).
    func reserve(row: Int) {
        lock.lock()
        grow(to: row)
        lock.unlock()
    }

    func set(row: Int, offset: Int64) {
        lock.lock()
        grow(to: row)
        chunks[(row - 1) / Self.chunkSize][(row - 1) % Self.chunkSize] = offset
        lock.unlock()
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return rows
    }

    /// Every row's offset in row order (-1 for a row without a record).
    var all: some Sequence<Int64> {
        lock.lock()
        defer { lock.unlock() }
        let (chunks, rows) = (self.chunks, self.rows)
        return chunks.joined().prefix(rows)
    }

    private func grow(to row: Int) {
        while chunks.count * Self.chunkSize < row {
            chunks.append([Int64](repeating: -1, count: Self.chunkSize))
        }
        rows = max(rows, row)
    }
}
