import Foundation

/// A run's report rebuilt from its journal and its input, sending nothing (the `report`
/// command): one line per input row, in input order, also after the run was killed.
///
/// Rows with an outcome in the journal get it; a row dispatched without an outcome is
/// `in_doubt`; rows the run never reached are read from the input again (the way the
/// journal's header says the run read it) and reported `invalid` or `duplicate` as
/// validation finds them, else `not_sent`. When the input is gone or has changed since,
/// only the journal's rows are reported, with a warning.
public enum RunReport {
    /// How many lines of each kind were written.
    public struct Counts: Sendable, Equatable {
        /// Rows whose line came from an outcome in the journal.
        public var fromJournal = 0
        /// Rows dispatched with no outcome recorded.
        public var inDoubt = 0
        /// Rows read from the input that the run never finished.
        public var notReached = 0

        public var total: Int { fromJournal + inDoubt + notReached }
    }

    static let inDoubtMessage =
        "in doubt: the run stopped while sending this row, so it may have arrived; the same "
        + "run command sends it again (--in-doubt retry) or reports it in_doubt (--in-doubt skip)"
    static let notReachedMessage =
        "not reached: the run stopped before this row; the same run command sends it"

    /// What `write` did: the lines it wrote, and what the journal says of its run.
    public struct Written {
        /// The lines written, by where they came from.
        public var counts: Counts
        let journal: JournalSummary

        /// Every run's start and seconds on the journal.
        public var timeline: RunTimeline { journal.timeline }

        /// The page's headline from the journal (at `journalPath`, its report at
        /// `reportPath` with `overview`): its run's times and totals, and the exit code the
        /// run ended with as the journal tells it.
        public func pageSummary(
            _ overview: ReportOverview, journal journalPath: String,
            report reportPath: String
        ) -> JobSummary {
            let seconds = timeline.seconds
            var summary = JobSummary(
                command: "run", started: timeline.starts.first?.at ?? seconds.first?.at ?? 0)
            summary.finished =
                seconds.last?.at
                ?? journal.lastActivity.map { Int64($0.timeIntervalSince1970 * 1000) } ?? 0
            summary.target = journal.header?["target"]?.text
            summary.input = journal.header?["input"]?.text
            summary.report = reportPath
            summary.journal = journalPath
            summary.statistics = timeline.statistics(
                counts: overview.counts, elapsed: summary.durationSeconds)
            let done =
                (overview.counts[.invited] ?? 0) + (overview.counts[.alreadyInvited] ?? 0)
                + (overview.counts[.skipped] ?? 0)
            summary.exitCode =
                !journal.isSettled
                ? .unfinished : done == overview.rows ? .success : .rowsNotDone
            return summary
        }
    }

    /// The files a report of the journal at `journal` may read again: the run's input and
    /// its target's definition file (nil when the journal does not name one, or cannot be
    /// read). No report may be written over them.
    public static func filesRead(journal: String) -> (input: String?, definition: String?) {
        guard let header = try? JournalScanner.header(of: journal) else { return (nil, nil) }
        return (
            JournalHeader.inputOptions(from: header)?.path, header["target_definition"]?.text
        )
    }

    /// Writes the report of the journal at `journal` to `reportPath`; `warn` hears why the
    /// input could not be read again, if it could not.
    /// When `overview` is not nil, the report's overview is gathered into it.
    public static func write(
        journal: String, reportPath: String, format: ReportFormat,
        overview: inout ReportOverview?, warn: (String) -> Void
    ) throws -> Written {
        let summary = try JournalSummary(path: journal)
        let writer = try ReportWriter(path: reportPath, format: format, overview: overview != nil)
        let counts = try write(summary, to: writer, warn: warn)
        try writer.finish()
        overview = writer.overview
        return Written(counts: counts, journal: summary)
    }

    /// Writes the report of the journal `summary` describes to `writer`; `warn` hears why
    /// the input could not be read again, if it could not.
    static func write(
        _ summary: JournalSummary, to writer: ReportWriter, warn: (String) -> Void
    ) throws -> Counts {
        var lines = Lines(
            summary: summary, reader: try JournalReader(path: summary.path), writer: writer)
        switch input(of: summary) {
        case .failure(let reason):
            let known = max(summary.offsets.count, summary.dispatchOffsets.count)
            let rows = max(summary.inputRows ?? 0, known)
            warn(
                "warning: \(reason); "
                    + (rows > known
                        ? "the \(rows - known) rows the run never reached are reported without "
                            + "their key or line"
                        : "the report holds the \(known) rows the journal knows, not the rows the "
                            + "run never reached"))
            for row in stride(from: 1, through: rows, by: 1) where try !lines.journalLine(row) {
                // Never reached (the journal has no line for it), and the input is gone.
                try lines.notReached(
                    OutcomeRecord(
                        row: row, line: 0, key: "", status: .notSent,
                        message: notReachedMessage + " (its key is not known: \(reason))"))
            }
        case .success(let pipeline):
            try pipeline.checkedRows().forEachBatch { batch in
                for index in 0..<batch.count {
                    let checked = batch[index].checkedRow
                    if try lines.journalLine(checked.row, checked: checked) { continue }
                    var record = checked.reportRecord
                    if record.status == .valid {
                        record.status = .notSent
                        record.message = notReachedMessage
                    }
                    try lines.notReached(record)
                }
            }
        }
        return lines.counts
    }

    /// The report's lines as they are written, and their counts.
    private struct Lines {
        let summary: JournalSummary
        let reader: JournalReader
        let writer: ReportWriter
        var counts = Counts()

        /// Writes the journal's line for `row`, if it has one; `checked` is the row as the
        /// input says it is (its key and line, for a dispatch record of an earlier version).
        mutating func journalLine(_ row: Int, checked: CheckedRow? = nil) throws -> Bool {
            // A dispatch after the row's last outcome (a resumed run died sending it) wins.
            if row <= summary.dispatchOffsets.count, summary.dispatchOffsets[row - 1] >= 0 {
                var record = try reader.record(at: summary.dispatchOffsets[row - 1])
                if let checked { (record.key, record.line) = (checked.key, checked.line) }
                record.status = .inDoubt
                record.message = RunReport.inDoubtMessage
                try writer.write(record)
                counts.inDoubt += 1
                return true
            }
            if row <= summary.offsets.count, summary.offsets[row - 1] >= 0 {
                try reader.writeOutcome(at: summary.offsets[row - 1], to: writer)
                counts.fromJournal += 1
                return true
            }
            return false
        }

        /// Writes the line of a row the run never finished.
        mutating func notReached(_ record: OutcomeRecord) throws {
            try writer.write(record)
            counts.notReached += 1
        }
    }

    /// The input as the journal's run read it, or why it cannot be read again.
    private static func input(of summary: JournalSummary) -> Result<
        RowPipeline, ReportInputProblem
    > {
        guard let header = summary.header,
            let options = JournalHeader.inputOptions(from: header)
        else {
            return .failure(ReportInputProblem("the journal does not say how its input was read"))
        }
        let target: any Target
        switch Self.target(of: header) {
        case .success(let named): target = named
        case .failure(let problem): return .failure(problem)
        }
        let path = options.path
        guard let fingerprint = try? InputFingerprint.of(path: path),
            header["input_size"]?.text == String(fingerprint.size),
            header["input_hash"]?.text == fingerprint.hashText
        else {
            return .failure(
                ReportInputProblem("the input \(path) is gone or has changed since the run"))
        }
        do {
            return .success(try RowPipeline(options: options, target: target))
        } catch {
            return .failure(ReportInputProblem("the input \(path) cannot be read again (\(error))"))
        }
    }
}

extension RunReport {
    /// The target the journal's run sent to: a built-in by name, or the definition file it
    /// names, unchanged since (its digest) and bound to the same `--var` values.
    fileprivate static func target(of header: JSONValue) -> Result<any Target, ReportInputProblem> {
        guard let name = header["target"]?.text else {
            return .failure(ReportInputProblem("the journal names no target"))
        }
        guard let digest = header["target_digest"]?.text else {
            guard let builtIn = Targets.named(name) else {
                return .failure(ReportInputProblem("the journal names no known target"))
            }
            return .success(builtIn)
        }
        guard let path = header["target_definition"]?.text else {
            return .failure(
                ReportInputProblem("the journal does not say where target \(name)'s definition is"))
        }
        var vars: [(name: String, value: String)] = []
        if case .object(let members)? = header["target_vars"] {
            vars = members.map { ($0.key, $0.value.text ?? "") }
        }
        guard let target = try? DefinitionTarget.load(path: path, vars: vars),
            target.definitionDigest == digest
        else {
            return .failure(
                ReportInputProblem(
                    "target \(name)'s definition \(path) is gone or has changed since the run"))
        }
        return .success(target)
    }
}

/// Why `RunReport` could not read a run's input again.
struct ReportInputProblem: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension CheckedRow {
    /// The row's report line as validation left it.
    var reportRecord: OutcomeRecord {
        OutcomeRecord(row: row, line: line, key: key, status: status, message: message)
    }
}
