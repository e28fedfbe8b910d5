import Foundation

/// `run --dry-run`: what the same run would do with each row, nothing sent and nothing
/// written but the report. It reads what a run reads (the journal if there is one, the
/// history of a `--restart`, the ledger) with what a run is told (`--limit`, `--where`,
/// `--reinvite-after`, `--in-doubt`, `--retry-failed`), and gives each row a planned status:
/// `would_send`, `would_reinvite`, `in_doubt`, `done` (settled by this journal),
/// `already_invited` (with the date and the journal or ledger that says so), `failed` (by an
/// earlier run of this journal), `over_limit`, `invalid`, `duplicate` or `skipped`.
///
/// The journal and the ledger are only read: no lock is taken (a run may be holding them),
/// a torn last line is left as it is, and a `--restart`'s history is made in a scratch
/// directory that is removed.
public struct RunPlan {
    public struct Result: Sendable {
        /// Rows by planned status.
        public var counts: [RowStatus: Int] = [:]
        public var blankRecordsSkipped = 0
        /// Whether an `in_doubt` row would be sent again (`--in-doubt retry`).
        public var inDoubtSent = true
        /// `--invalid-rows report`: invalid and duplicate rows do not make the exit code 1.
        public var invalidRowsReported = false
        /// The report's overview, when the configuration asked for it.
        public var overview: ReportOverview?

        public var rows: Int { counts.values.reduce(0, +) }
        public subscript(status: RowStatus) -> Int { counts[status] ?? 0 }

        /// The exit code the run would end with if every request it sends succeeded: 4 when
        /// `--limit` leaves rows for a later run, 1 when a row would not be done (invalid or
        /// duplicate unless `invalidRowsReported`, failed before, in doubt and not sent
        /// again), else 0.
        public var exitCode: ExitCode {
            if self[.overLimit] > 0 { return .unfinished }
            let done =
                self[.wouldSend] + self[.wouldReinvite] + self[.done] + self[.alreadyInvited]
                + self[.skipped] + (inDoubtSent ? self[.inDoubt] : 0)
                + (invalidRowsReported ? self[.invalid] + self[.duplicate] : 0)
            return done == rows ? .success : .rowsNotDone
        }

        /// `3000 rows: 412 would be sent, 2571 already invited, 17 invalid`: what would be
        /// sent, then every other status that has rows.
        public var line: String {
            var parts = ["\(self[.wouldSend]) would be sent"]
            for status in RowStatus.planned.dropFirst() where self[status] > 0 {
                parts.append("\(self[status]) " + Self.words(status, inDoubtSent: inDoubtSent))
            }
            if blankRecordsSkipped > 0 {
                parts[parts.count - 1] +=
                    "; \(blankRecordsSkipped) blank \(blankRecordsSkipped == 1 ? "row" : "rows") skipped"
            }
            return "\(rows) \(rows == 1 ? "row" : "rows"): " + parts.joined(separator: ", ")
        }

        private static func words(_ status: RowStatus, inDoubtSent: Bool) -> String {
            switch status {
            case .wouldReinvite: "would be sent again (--reinvite-after)"
            case .inDoubt:
                inDoubtSent
                    ? "in doubt, would be sent again" : "in doubt, not sent (--in-doubt skip)"
            case .done: "done by an earlier run"
            case .alreadyInvited: "already invited"
            case .failed: "failed in an earlier run"
            case .overLimit: "over --limit"
            case .skipped: "skipped (--where)"
            default: status.rawValue
            }
        }
    }

    /// The input as it is read (standard input from its copy in a scratch directory).
    private let input: InputOptions
    private let target: any Target
    private let configuration: BatchRun.Configuration
    /// The run's journal header: what the run is about, the input's fingerprint included.
    private let header: JournalHeader
    /// Where standard input is copied, for as long as the plan reads it.
    private let scratch: (directory: ScratchDirectory, spool: StandardInputSpool?)
    private let onWarning: (String) -> Void

    /// The plan of the run of `input` for `target` that `configuration` describes.
    /// Standard input (or a pipe) is read once, into a scratch file, and fingerprinted like
    /// a run's input, to be told apart from the input of the journal.
    public init(
        input: InputOptions, target: any Target, configuration: BatchRun.Configuration,
        onWarning: @escaping (String) -> Void = { _ in }
    ) throws {
        let directory = try ScratchDirectory()
        let spool =
            StandardInputSpool.isNeeded(for: input.path)
            ? try StandardInputSpool(from: input.path, beside: directory.path + "/input") : nil
        var reading = input
        if let spool { reading.path = spool.path }
        header = configuration.header(
            target: target, input: input, fingerprint: try InputFingerprint.of(path: reading.path))
        scratch = (directory, spool)
        self.input = reading
        self.target = target
        self.configuration = configuration
        self.onWarning = onWarning
    }

    /// The input's size and hash (nil for what is not a regular file, before its copy).
    public var inputFingerprint: InputFingerprint? { header.fingerprint }

    /// What was read before the rows: the journal's earlier run, and the ledgers a row's
    /// key is looked up in.
    private struct Known {
        var earlier: EarlierRun?
        var ledger: Ledger?
        var history: Ledger?
        /// The journal the history is of (set aside by `--restart`).
        var historySource: String?
    }

    /// Plans every row and writes the report; throws what the run would throw before
    /// sending (exit 2: a journal of another run, a damaged ledger, a broken input).
    public func plan(invalidRowsReported: Bool = false) throws -> Result {
        let known = try read()
        var options = input
        if let theirs = known.earlier?.inputOptions {
            options.encoding = options.encoding ?? theirs.encoding
            options.skipLines = options.skipLines ?? theirs.skipLines
        }
        let pipeline = try RowPipeline(options: options, target: target, onWarning: onWarning)
        let writer = try ReportWriter(
            path: configuration.reportPath, format: configuration.reportFormat,
            overview: configuration.overview)
        var result = Result()
        result.inDoubtSent = configuration.sending.inDoubt == .retry
        result.invalidRowsReported = invalidRowsReported
        var sends = 0
        let decider = RowDecider(
            configuration: configuration, earlier: known.earlier, ledger: known.ledger,
            history: known.history, historySource: known.historySource)
        try pipeline.checkedRows().forEachBatch { batch in
            for index in 0..<batch.count {
                let record = decide(batch[index].checkedRow, decider, sends: &sends)
                result.counts[record.status, default: 0] += 1
                try writer.write(record)
            }
        }
        result.blankRecordsSkipped = pipeline.source.blankRecordsSkipped
        try writer.finish(durable: false)
        result.overview = writer.overview
        return result
    }

    /// Reads the journal (or, with `--restart`, makes the history the restart would
    /// write, in a scratch directory removed once it is read) and the ledger, as a run
    /// would, without writing either.
    private func read() throws -> Known {
        var known = Known()
        let journal = configuration.journalPath
        if configuration.restart {
            let size = (try? FileManager.default.attributesOfItem(atPath: journal)[.size]) as? Int
            if (size ?? 0) > 0 && !configuration.reinvite {
                // Only this branch needs it; the history is read into memory before it goes.
                let scratch = try ScratchDirectory()
                let copy = scratch.path + "/journal"
                let older = RestartHistory.path(of: journal)
                if FileManager.default.fileExists(atPath: older) {
                    try FileManager.default.copyItem(
                        atPath: older, toPath: RestartHistory.path(of: copy))
                }
                try RestartHistory.write(journal: copy, from: journal, target: target.name)
                known.history = try Ledger(
                    path: RestartHistory.path(of: copy), target: target.name, readOnly: true)
                known.historySource = journal
            }
        } else {
            known.earlier = try EarlierRun.read(journal: journal, for: header)
            if let source = known.earlier?.restartHistory, !configuration.reinvite {
                known.history = try RestartHistory.open(
                    journal: journal, setAside: source, target: target.name, readOnly: true)
                known.historySource = source
            }
        }
        known.ledger = try configuration.ledgerPath.map {
            try Ledger(path: $0, target: target.name, readOnly: true)
        }
        return known
    }

    /// The planned record of one checked row: what the run decides (`RowDecider`), as
    /// the plan says it.
    private func decide(_ checked: CheckedRow, _ decider: RowDecider, sends: inout Int)
        -> OutcomeRecord
    {
        var row = checked
        func record(_ status: RowStatus, _ message: String) -> OutcomeRecord {
            OutcomeRecord(
                row: row.row, line: row.line, key: row.key, status: status, message: message)
        }
        switch decider.decide(&row) {
        case .settledEarlier(let previous):
            switch previous {
            case .invited, .alreadyInvited, .skipped:
                return record(.done, "\(previous.rawValue) by an earlier run of this journal")
            case .failed:
                return record(
                    .failed,
                    "failed in an earlier run of this journal (the report says why); not sent "
                        + "again")
            case .inDoubt:
                return record(
                    .inDoubt,
                    "in doubt since an earlier run of this journal (--in-doubt skip); not sent again"
                )
            default:
                // Invalid or duplicate in the earlier run: the run keeps that record.
                return record(
                    previous,
                    row.status == previous
                        ? row.message
                        : "\(previous.rawValue) in an earlier run of this journal; not sent again")
            }
        case .recordedAsChecked: return record(row.status, row.message)
        case .inDoubtNotSent: return record(.inDoubt, RowDecider.inDoubtNotSentMessage)
        case .send(again: .inDoubt):
            return sent(
                record(
                    .inDoubt,
                    "in doubt: an earlier run stopped while sending this row, so it may have "
                        + "arrived; would be sent again"),
                counts: true, sends: &sends)
        case .settledByKey(let planned): return planned
        case .send(again: .knownKey(let entry)): return resent(row, entry, sends: &sends)
        case .send(again: nil): return sent(record(.wouldSend, ""), counts: true, sends: &sends)
        }
    }

    /// A row the ledger or a restart's history knows, that the run would send all the
    /// same: again after `--reinvite-after`, or again while in doubt.
    private func resent(_ row: CheckedRow, _ entry: Ledger.Entry, sends: inout Int)
        -> OutcomeRecord
    {
        // The note the run would add, " (note: invited on ... ; sent again after ...)",
        // as the message.
        var note = Substring(row.note.trimmingCharacters(in: .whitespaces))
        if note.hasPrefix("(note: ") && note.hasSuffix(")") { note = note.dropFirst(7).dropLast() }
        let status: RowStatus
        switch entry.state {
        case .invited: status = .wouldReinvite
        case .inDoubt: status = .inDoubt
        case .settled, .forgotten: status = .wouldSend
        }
        let message: String
        switch status {
        case .wouldReinvite:
            message = note.replacingOccurrences(of: "; sent again", with: "; would be sent again")
        case .inDoubt: message = "would be sent again: " + note
        default: message = ""
        }
        return sent(
            OutcomeRecord(
                row: row.row, line: row.line, key: row.key, status: status, message: message),
            counts: true, sends: &sends)
    }

    /// `record`, or `over_limit` when it would be sent (`counts`) but `--limit` is spent.
    private func sent(_ record: OutcomeRecord, counts: Bool, sends: inout Int) -> OutcomeRecord {
        guard counts else { return record }
        if let limit = configuration.sending.limit, sends >= limit {
            var over = record
            over.status = .overLimit
            over.message =
                "over --limit \(limit): a later run sends it"
                + (record.message.isEmpty ? "" : " (\(record.message))")
            return over
        }
        sends += 1
        return record
    }
}

/// A directory of its own under the temporary directory, removed with its content when
/// the value goes.
public final class ScratchDirectory {
    public let path: String

    public init() throws {
        var template = Array(
            (NSTemporaryDirectory() + "/batch-invite-plan.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BatchInviteError.io(
                "cannot make a scratch directory in \(NSTemporaryDirectory()): "
                    + String(cString: strerror(errno)))
        }
        path = String(cString: made)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
