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
        /// Start a new journal even if one exists (the old one kept as `<journal>.1`).
        public var restart = false
        /// Send again rows that failed on transient errors in an earlier run.
        public var retryFailed = false
        /// Reads the whole input once before a new journal begins, so that a file broken
        /// far down stops the run before anything is sent. A resumed journal skips it: the
        /// journal's header holds the fingerprint of an input that passed it.
        public var checkInput: (@Sendable () throws -> Void)?

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
    }

    private let source: RowSource
    private let target: any Target
    private let transport: any Transport
    private let configuration: Configuration
    public let control = RunControl()

    public init(
        source: RowSource, target: any Target, transport: any Transport,
        configuration: Configuration
    ) {
        self.source = source
        self.target = target
        self.transport = transport
        self.configuration = configuration
    }

    public func run() throws -> Result {
        let lock = try JournalLock(journal: configuration.journalPath)
        let earlier = try earlierRun()
        if earlier == nil { try configuration.checkInput?() }
        if let earlier, let result = try finishedAlready(earlier) {
            return result
        }
        let journal = try Journal(
            path: configuration.journalPath, header: configuration.header, lock: lock,
            syncs: configuration.syncsJournal)
        let writer = try ReportWriter(
            path: configuration.reportPath, format: configuration.reportFormat)
        let statistics = RunStatistics()
        let offsets = RowOffsets(earlier?.offsets ?? [])
        journal.whenOutcomeWritten { row, offset in offsets.set(row: row, offset: offset) }
        let record: @Sendable (ReportRecord, OutcomeMarks) -> Void = { record, marks in
            journal.append(record, marks: marks)
        }
        let dispatcher = Dispatcher(
            target: target, transport: transport,
            limiter: RateLimiter(rate: configuration.rate, burst: configuration.burst),
            control: control, statistics: statistics, configuration: configuration.delivery,
            log: journal, record: record)
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
        dispatcher.start()
        // Sending is slow next to reading: little read-ahead is needed, and less holds less memory.
        source.readAhead = 4
        var validator = RowValidator(target: target, buildsPayloads: true)
        let retryFailed = configuration.retryFailed
        if let earlier {
            // Rows an earlier run finished are not sent: no request body to build for them.
            validator.needsPayload = {
                earlier.finalStatus(of: $0, retryFailed: retryFailed) == nil
            }
        }
        let rows = CheckedRows(
            source: source, validator: validator, readAhead: 2)
        var alreadyDone = 0
        var rowsRead = 0
        /// Records an invalid or duplicate row, or hands a valid one to the dispatcher.
        func handle(_ row: CheckedRow) {
            var row = row
            if row.status != .valid {
                statistics.count(row.status)
                record(
                    ReportRecord(
                        row: row.row, line: row.line, key: row.key, status: row.status,
                        message: row.message),
                    OutcomeMarks())
                return
            }
            if earlier?.inDoubtRows.contains(row.row) == true {
                if configuration.delivery.inDoubt == .skip {
                    statistics.count(.inDoubt)
                    record(
                        ReportRecord(
                            row: row.row, line: row.line, key: row.key, status: .inDoubt,
                            message:
                                "in doubt: an earlier run stopped while sending this row, so it may have "
                                + "arrived; not sent again (--in-doubt skip)"),
                        OutcomeMarks())
                    return
                }
                row.note =
                    " (note: an earlier run stopped while sending this row, so it may have arrived "
                    + "before; this person may have been invited twice)"
            }
            dispatcher.submit(row)
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
            control.stop(.interrupted(signal: 0))
            dispatcher.finishAll()
            try? journal.close()
            throw error
        }
        dispatcher.finishAll()
        journal.end(rows: rowsRead, blankRecordsSkipped: source.blankRecordsSkipped)
        try journal.close()
        progress.stop()
        try writer.writeOutcomes(
            at: offsets.all.lazy.filter { $0 >= 0 },
            from: JournalReader(path: configuration.journalPath))
        try writer.finish()
        return Result(
            statistics: statistics.snapshot, stopReason: control.stopReason,
            blankRecordsSkipped: source.blankRecordsSkipped, alreadyDone: alreadyDone)
    }

    /// The result of a run whose journal already settles every row of the input (it was
    /// read to its end, and no row is left to send or in doubt): the report is written from
    /// the journal alone, without reading the input again (its fingerprint, checked in
    /// `earlierRun`, says it has not changed). Nil when there is work left.
    private func finishedAlready(_ earlier: EarlierRun) throws -> Result? {
        guard configuration.header.fingerprint != nil, let rows = earlier.inputRows,
            earlier.inDoubtRows.isEmpty, earlier.offsets.count == rows
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
            path: configuration.reportPath, format: configuration.reportFormat)
        try writer.writeOutcomes(
            at: earlier.offsets, from: JournalReader(path: configuration.journalPath))
        try writer.finish()
        return Result(
            statistics: statistics.snapshot, stopReason: nil,
            blankRecordsSkipped: earlier.inputBlankRecords, alreadyDone: rows)
    }

    /// What an existing journal says, checked against this run; nil for a new journal.
    /// With `restart`, an existing journal is kept as `<journal>.1` and a new one begins.
    private func earlierRun() throws -> EarlierRun? {
        let path = configuration.journalPath
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int,
            size > 0
        else {
            return nil
        }
        if configuration.restart {
            _ = try? FileManager.default.removeItem(atPath: path + ".1")
            try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
            return nil
        }
        let summary = try JournalSummary(path: path, checkHolder: false)
        guard let header = summary.header else {
            throw BatchInviteError.input(
                "the journal \(path) has no header record; use --restart to start over")
        }
        let now = configuration.header
        var differences: [String] = []
        if header["target"]?.text != now.target {
            differences.append("target \(header["target"]?.text ?? "?")")
        }
        if header["base_url"]?.text != now.baseURL {
            differences.append("base URL \(header["base_url"]?.text ?? "?")")
        }
        if let fingerprint = now.fingerprint,
            header["input_size"]?.text != String(fingerprint.size)
                || header["input_hash"]?.text != fingerprint.hashText
        {
            differences.append(
                "input \(header["input"]?.text ?? "?") as it was then (its size or content changed)"
            )
        }
        guard differences.isEmpty else {
            throw BatchInviteError.input(
                "the journal \(path) belongs to another run (" + differences.joined(separator: ", ")
                    + "); run the same command as before to resume it, or pass --restart to start over "
                    + "(the old journal is kept as \(path).1)")
        }
        return EarlierRun(
            offsets: summary.offsets, latest: summary.latest,
            transientFailures: summary.transientFailures,
            inDoubtRows: Set(summary.inDoubt), inputRows: summary.inputRows,
            inputBlankRecords: summary.inputBlankRecords)
    }

    /// The state an earlier run left in the journal.
    struct EarlierRun {
        var offsets: [Int64]
        var latest: [RowStatus?]
        var transientFailures: Set<Int>
        var inDoubtRows: Set<Int>
        /// The input's data rows, when a run read it to its end.
        var inputRows: Int?
        var inputBlankRecords: Int

        func status(of row: Int) -> RowStatus? {
            row - 1 < latest.count ? latest[row - 1] : nil
        }

        /// The status of `row` when the earlier run settled it for good (it is not sent
        /// again); nil when this run must handle it: never reached, `not_sent`, in doubt
        /// under `--in-doubt retry`, or failed on transient errors under `--retry-failed`.
        func finalStatus(of row: Int, retryFailed: Bool) -> RowStatus? {
            // Dispatched again after an outcome: the later attempt decides (in doubt).
            guard !inDoubtRows.contains(row), let previous = status(of: row) else { return nil }
            switch previous {
            case .invited, .invalid, .duplicate, .inDoubt:
                return previous
            case .failed:
                return retryFailed && transientFailures.contains(row) ? nil : previous
            case .notSent, .valid:
                return nil
            }
        }
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
