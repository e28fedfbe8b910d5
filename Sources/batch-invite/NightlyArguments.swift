import BatchInvite
import Foundation

/// `run`'s options for a job started by a scheduler with the same command every night
/// (README, "Running it every night"): `--journal-dir` names the journal by the input's content,
/// `--keep-days` tidies the directory, `--invalid-rows` decides whether bad rows fail it.
struct NightlyArguments {
    static let specs: [OptionSpec] = [
        OptionSpec(
            name: "--journal-dir", value: "DIR",
            help: "name the journal and report by FILE's content, in DIR (needs --ledger)",
            group: .common, kind: .directory),
        OptionSpec(
            name: "--keep-days", value: "N",
            help: "with --journal-dir: first remove finished runs older than N days",
            group: .advanced, kind: .number),
        OptionSpec(
            name: "--invalid-rows", choices: ["fail", "report"],
            help: "invalid or duplicate rows: exit 1 (fail, default) or not (report)",
            group: .advanced),
    ]

    /// `--journal-dir`, nil without it.
    let directory: JournalDirectory?
    /// The first 16 hex digits of the input's SHA-256 (with `directory`).
    let digest: String?
    /// `--keep-days`.
    let keepDays: Int?
    /// `--invalid-rows report`: invalid and duplicate rows are reported, not failures.
    let invalidRowsReported: Bool
    /// A dry run: it creates nothing, and its report never goes over a night's.
    let dryRun: Bool

    /// Checks the options together; with `--journal-dir`, reads the input through for its
    /// digest and, unless `dryRun`, creates the directory if it is missing.
    init(_ arguments: Arguments, input: String, dryRun: Bool) throws {
        self.dryRun = dryRun
        invalidRowsReported =
            try arguments.choice("--invalid-rows") == "report"
        let given = arguments.value("--journal-dir")
        // `--check-connection` without FILE: there is no journal to name.
        guard let path = given, !input.isEmpty else {
            if given == nil && arguments.has("--keep-days") {
                throw BatchInviteError.usage("--keep-days goes with --journal-dir DIR")
            }
            if given == nil && arguments.value("--html") == "auto" {
                throw BatchInviteError.usage(
                    "--html auto names the page by the input's content, with --journal-dir DIR; "
                        + "for a file named auto, write ./auto")
            }
            directory = nil
            digest = nil
            keepDays = nil
            return
        }
        guard !path.isEmpty else { throw BatchInviteError.usage("--journal-dir needs a directory") }
        if arguments.has("--journal") {
            throw BatchInviteError.usage(
                "--journal-dir names the journal, and so does --journal: give one of them")
        }
        guard arguments.has("--ledger") else {
            throw BatchInviteError.usage(
                "--journal-dir needs --ledger PATH: each new export begins a new journal, so "
                    + "without a ledger a changed export would invite everyone in it again; "
                    + "--ledger none runs without one on purpose")
        }
        keepDays =
            arguments.has("--keep-days")
            ? try arguments.integer("--keep-days", 0, in: 0...36_500) : nil
        guard !StandardInputSpool.isNeeded(for: input) else {
            throw BatchInviteError.usage(
                "--journal-dir names the journal by the input's content, which "
                    + (input == "-" ? "standard input" : "\(input) (not a regular file)")
                    + " does not have before it is read: save it to a file first, and give the file"
            )
        }
        let directory = JournalDirectory(path: path)
        digest = try JournalDirectory.digest(ofFile: input)
        if !dryRun { try directory.create() }
        self.directory = directory
    }

    /// `--ledger PATH`, or nil without it or with `--ledger none`.
    static func ledgerPath(_ arguments: Arguments) -> String? {
        let path = arguments.value("--ledger")
        return path == "none" ? nil : path
    }

    /// The report: `--report`, else with `--journal-dir` the input's in the directory (a dry
    /// run's where `validate` puts it: never over a night's), else the input's name's in the
    /// current directory; `--html auto` is the input's page in the directory (a dry run's
    /// beside its report).
    func report(_ arguments: Arguments, inputPath: String) throws -> ReportArguments {
        guard let directory, let digest else {
            return try ReportArguments(arguments, inputPath: inputPath)
        }
        if dryRun {
            var report = try ReportArguments(arguments, inputPath: inputPath)
            if report.html == "auto" {
                report.html = (report.path as NSString).deletingPathExtension + ".html"
            }
            return report
        }
        let format = try arguments.choice("--report-format") ?? "csv"
        var report = try ReportArguments(
            arguments, defaultPath: directory.reportPath(digest: digest, format: format))
        if report.html == "auto" { report.html = directory.pagePath(digest: digest) }
        return report
    }

    /// The journal in the directory for a report in `format`, nil without `--journal-dir`.
    func journalPath(format: ReportFormat) -> String? {
        guard let directory, let digest else { return nil }
        return directory.journalPath(digest: digest, format: format.rawValue)
    }

    /// The exit code of a run whose rows were all done but `invalid` and `duplicate` ones.
    func code(done: Int, invalid: Int, duplicate: Int, rows: Int) -> ExitCode {
        let counted = done + (invalidRowsReported ? invalid + duplicate : 0)
        return counted == rows ? .success : .rowsNotDone
    }

    /// `--keep-days`: removes the files of finished runs older than that (never `journal`,
    /// the run's own, nor `ledger`), and says on stderr what it removed and what it kept.
    func prune(journal: String, ledger: String?, now: Date = Date()) {
        guard let directory, let keepDays else { return }
        let cutoff = now.addingTimeInterval(-Double(keepDays) * 86_400)
        let pruning = directory.prune(
            before: cutoff, current: journal, sparing: ledger.map { [$0] } ?? [])
        let prefix = "batch-invite run: --keep-days \(keepDays):"
        if !pruning.removedNights.isEmpty {
            let runs = pruning.removedNights.count
            printError(
                "\(prefix) removed \(runs) finished \(runs == 1 ? "run" : "runs") older than "
                    + "\(keepDays) \(keepDays == 1 ? "day" : "days") from \(directory.path) "
                    + "(\(pruning.removedFiles.count) files)")
        }
        for (journal, reason) in pruning.kept {
            printError("\(prefix) kept \(journal): \(reason)")
        }
    }
}
