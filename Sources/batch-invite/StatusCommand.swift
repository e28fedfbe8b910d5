import BatchInvite
import Foundation

/// `batch-invite status`: what a run's journal says, for people and for schedulers.
struct StatusCommand: Command {
    static let name = "status"
    static let summary = "show a run's progress from its journal"
    static let options: [OptionSpec] =
        [
            journalSpec,
            OptionSpec(flag: "--json", help: "one JSON object instead of text", group: .common),
        ] + ConfigFile.specs
    /// `--journal`, the run's journal (status and report read it).
    static let journalSpec = OptionSpec(
        name: "--journal", value: "PATH", help: "the run's journal", group: .common, kind: .file)
    static let help = HelpText(
        usage: "batch-invite status --journal PATH [--json]",
        description: """
            Reads a run's journal (a torn last record is cut off) and prints its target and
            input, how many rows ended in each status, the rows in doubt, when it was last
            written and whether a run holds it now. Sends nothing.
            Every input row is counted: rows the run never reached (it was killed) are not
            sent. "finished" is yes only when the last run wrote its end and left nothing to
            do.
            """,
        exitCodes: """
              0    every row invited (or already invited, or skipped)
              1    every row reached, some not invited
              2    usage error, or a journal that cannot be read
              4    the batch is unfinished: rows not reached, not sent or in doubt, or a
                   run holds the journal
            """)

    let journal: String
    let json: Bool

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositional(command: Self.name)
        journal = try arguments.required("--journal", "PATH", command: Self.name)
        json = arguments.has("--json")
    }

    func run() throws -> Int32 {
        let summary = try JournalSummary(path: journal)
        let statuses: [RowStatus] = [
            .invited, .alreadyInvited, .failed, .invalid, .duplicate, .notSent, .inDoubt, .skipped,
        ]
        let counts = summary.countsWithUnreached
        let last =
            summary.lastActivity.map {
                Clock.iso8601(milliseconds: Int64($0.timeIntervalSince1970 * 1000))
            } ?? ""
        let code = Self.exitCode(summary)
        if json {
            var out: [UInt8] = Array("{\"journal\":".utf8)
            TextBytes.appendJSONString(journal, to: &out)
            for field in ["target", "base_url", "input", "started"] {
                out.append(contentsOf: ",\"\(field)\":".utf8)
                let value = summary.header?[field]?.text ?? ""
                // A journal of an earlier version may hold a password in its base URL.
                TextBytes.appendJSONString(
                    field == "base_url" ? Redactor.hidingUserInfo(value) : value, to: &out)
            }
            out.append(contentsOf: ",\"rows\":\(summary.rows),\"counts\":{".utf8)
            out.append(
                contentsOf: statuses.map { "\"\($0.rawValue)\":\(counts[$0] ?? 0)" }.joined(
                    separator: ","
                ).utf8)
            out.append(
                contentsOf:
                    "},\"in_doubt\":[\(summary.inDoubt.map(String.init).joined(separator: ","))]"
                    .utf8)
            out.append(contentsOf: ",\"not_reached\":\(summary.notReached)".utf8)
            out.append(
                contentsOf: ",\"input_rows\":\(summary.inputRows.map(String.init) ?? "null")".utf8)
            out.append(contentsOf: ",\"last_activity\":".utf8)
            TextBytes.appendJSONString(last, to: &out)
            out.append(
                contentsOf:
                    ",\"running\":\(summary.heldBy != nil),\"finished\":\(summary.isFinished)}\n"
                    .utf8)
            StandardOutput.shared.write(bytes: out)
        } else {
            var text = "journal: \(journal)\n"
            text +=
                "target: \(summary.header?["target"]?.text ?? "?"), input: \(summary.header?["input"]?.text ?? "?")"
            text +=
                ", base URL: \(Redactor.hidingUserInfo(summary.header?["base_url"]?.text ?? "?"))\n"
            text +=
                "\(summary.rows) rows: "
                + statuses.filter {
                    ($0 != .alreadyInvited && $0 != .skipped) || (counts[$0] ?? 0) > 0
                }.map {
                    "\(counts[$0] ?? 0) \($0.rawValue.replacingOccurrences(of: "_", with: " "))"
                }
                .joined(separator: ", ") + "\n"
            if summary.inputRows == nil {
                text +=
                    "the input was not read through: rows past the \(summary.rows) recorded are "
                    + "not counted, and the run is unfinished\n"
            } else if summary.notReached > 0 {
                text +=
                    "not reached: \(summary.notReached) \(summary.notReached == 1 ? "row" : "rows") "
                    + "(the run stopped before them; the same run command sends them)\n"
            }
            if !summary.inDoubt.isEmpty {
                text +=
                    "in doubt (dispatched, no answer recorded): rows "
                    + summary.inDoubt.prefix(20).map(String.init).joined(separator: ", ")
                    + (summary.inDoubt.count > 20 ? ", ..." : "") + "\n"
            }
            text += "started: \(summary.header?["started"]?.text ?? "?"), last activity: \(last)\n"
            text += "running now: " + (summary.heldBy.map { "yes (\($0))" } ?? "no") + "\n"
            text +=
                "finished: "
                + (summary.isFinished
                    ? "yes"
                    : summary.lastRunEnded
                        ? "no, rows are left to send" : "no, the run did not write its end") + "\n"
            StandardOutput.shared.write(text)
        }
        return code.code
    }

    /// 4 while a run holds the journal or any row is unreached, not sent or in doubt (or
    /// the input's row count is unknown); else 0 when every row was invited, 1 when not.
    static func exitCode(_ summary: JournalSummary) -> ExitCode {
        guard summary.isSettled else { return .unfinished }
        let done =
            (summary.counts[.invited] ?? 0) + (summary.counts[.alreadyInvited] ?? 0)
            + (summary.counts[.skipped] ?? 0)
        return done == summary.rows ? .success : .rowsNotDone
    }
}

/// `batch-invite report`: writes a run's report again from its journal.
struct ReportCommand: Command {
    static let name = "report"
    static let summary = "write a run's report again from its journal"
    static let options: [OptionSpec] =
        [
            StatusCommand.journalSpec,
            OptionSpec(
                name: "--report", value: "PATH",
                help: "where to write it (default: the journal's name without .journal)",
                group: .common, kind: .file),
            ReportArguments.formatSpec, ReportArguments.htmlSpec,
        ] + ConfigFile.specs
    static let help = HelpText(
        usage: "batch-invite report --journal PATH [--report OUT] [--report-format "
            + "csv|jsonl] [--html PAGE]",
        description: """
            Writes the report of a run from its journal and its input, one line per input
            row, in input order, without sending anything. Rows with an outcome in the
            journal get it; a row dispatched without an answer recorded is in_doubt; rows
            the run never reached (it was killed) are read from the input again, the way
            the run read it, and reported invalid, duplicate or not_sent. When the input is
            gone or has changed, only the rows the journal knows are written, with a
            warning.
            """,
        exitCodes: """
              0    the report written
              2    usage error, a journal that cannot be read, or an output that is
                   another of the command's files
              6    the report or the page could not be written (disk full)
            """)

    let journal: String
    let report: ReportArguments
    var path: String { report.path }

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositional(command: Self.name)
        journal = try arguments.required("--journal", "PATH", command: Self.name)
        report = try ReportArguments(
            arguments,
            defaultPath: journal.hasSuffix(".journal")
                ? String(journal.dropLast(".journal".count)) : journal + ".report.csv")
        var files = CommandFiles()
        files.reads("--journal", journal)
        files.reads("--config", arguments.value("--config"))
        report.register(in: &files)
        try files.check()
        files.removeStaleTemporaries()
        report.prepare()
    }

    func run() throws -> Int32 {
        var overview = report.html.map { _ in ReportOverview() }
        let (counts, summary) = try RunReport.write(
            journal: journal, reportPath: report.path, format: report.format,
            overview: &overview
        ) { printError($0) }
        if let html = report.html, let overview {
            try HTMLReport(
                summary: pageSummary(summary, overview), overview: overview,
                timeline: summary.timeline, reportPath: report.path
            ).write(to: html)
            printError("html: \(html)")
        }
        var line = "\(counts.total) \(counts.total == 1 ? "row" : "rows") written to \(path)"
        if counts.inDoubt + counts.notReached > 0 {
            line +=
                " (\(counts.fromJournal) with their outcome, \(counts.inDoubt) in doubt, "
                + "\(counts.notReached) the run did not finish)"
        }
        StandardOutput.shared.write(line + "\n")
        return ExitCode.success.code
    }

    /// The page's headline from the journal: its run's times and totals, and the exit code
    /// the run ended with as the journal tells it.
    private func pageSummary(_ journal: JournalSummary, _ overview: ReportOverview) -> JobSummary {
        let seconds = journal.timeline.seconds
        var summary = JobSummary(
            command: "run", started: journal.timeline.starts.first?.at ?? seconds.first?.at ?? 0)
        summary.finished =
            seconds.last?.at
            ?? journal.lastActivity.map { Int64($0.timeIntervalSince1970 * 1000) } ?? 0
        summary.target = journal.header?["target"]?.text
        summary.input = journal.header?["input"]?.text
        summary.report = report.path
        summary.journal = self.journal
        summary.statistics = journal.timeline.statistics(
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
