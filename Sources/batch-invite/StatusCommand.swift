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
        let status = try RunStatus(journal: journal)
        if json {
            StandardOutput.shared.write(bytes: status.json)
        } else {
            StandardOutput.shared.write(status.text)
        }
        return status.exitCode.code
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
        // What the report reads again for rows the journal never reached.
        let again = RunReport.filesRead(journal: journal)
        files.reads("the journal's input", again.input)
        files.reads("the journal's target definition", again.definition)
        report.register(in: &files)
        try files.check()
        files.removeStaleTemporaries()
        report.prepare()
    }

    func run() throws -> Int32 {
        var overview = report.html.map { _ in ReportOverview() }
        let written = try RunReport.write(
            journal: journal, reportPath: report.path, format: report.format,
            overview: &overview
        ) { printError($0) }
        if let html = report.html, let overview {
            try HTMLReport(
                summary: written.pageSummary(overview, journal: journal, report: report.path),
                overview: overview, timeline: written.timeline, reportPath: report.path
            ).write(to: html)
            printError("html: \(html)")
        }
        let counts = written.counts
        var line = "\(counts.total) \(counts.total == 1 ? "row" : "rows") written to \(path)"
        if counts.inDoubt + counts.notReached > 0 {
            line +=
                " (\(counts.fromJournal) with their outcome, \(counts.inDoubt) in doubt, "
                + "\(counts.notReached) the run did not finish)"
        }
        StandardOutput.shared.write(line + "\n")
        return ExitCode.success.code
    }
}
