import BatchInvite
import Foundation

/// `batch-invite run`: sends one invitation per valid row and writes the report.
struct RunCommand: Command {
    static let name = "run"
    static let summary = "send the invitations: concurrent, rate-limited, retried, journaled"
    let target: any Target
    let input: InputOptions
    let report: ReportArguments
    let dryRun: Bool
    let checkConnection: Bool
    let checkPath: String?
    /// `--verbose`: a line per HTTP exchange on stderr.
    let verbose: Bool
    /// Every secret of the run, in every form it is sent in, hidden in whatever is
    /// printed or stored: the one redactor of the run.
    let redactor: Redactor
    /// Where the token comes from (nil for a dry run that checks nothing).
    let tokens: TokenSettings?
    let configuration: BatchRun.Configuration
    let outputs: JobOutputs
    /// `--journal-dir`, `--keep-days`, `--invalid-rows`.
    let nightly: NightlyArguments

    init(_ arguments: Arguments) throws {
        let outputs = JobOutputs(arguments)
        let redactor = Redactor()
        var files: CommandFiles?
        do {
            try self.init(parsing: arguments, outputs: outputs, redactor: redactor)
            files = Self.files(
                arguments, input: input.path, report: report, outputs: outputs,
                journal: configuration.journalPath, writesJournal: !dryRun)
            try files?.check()
        } catch {
            let error = JobOutputs.redacted(error, by: redactor)
            outputs.failedEarly(
                command: Self.name, error: error, files: files, arguments: arguments.mentioned,
                dryRun: arguments.has("--dry-run"))
            throw error
        }
        files?.removeStaleTemporaries()
        outputs.prepare()
        report.prepare()
    }

    /// The files a run reads and writes: its outputs may be none of the others; the
    /// journal (with its lock file and the copy of standard input beside it) and the ledger
    /// are read back and written in place (only read by a dry run: `writesJournal` false).
    static func files(
        _ arguments: Arguments, input: String, report: ReportArguments, outputs: JobOutputs,
        journal: String, writesJournal: Bool
    ) -> CommandFiles {
        var files = CommandFiles()
        files.reads("FILE", input)
        for option in ["--config", "--token-file", "--client-secret-file", "--cacert"] {
            files.reads(option, arguments.value(option))
        }
        files.reads("--target", InputArguments.definitionFile(arguments))
        if writesJournal {
            files.keeps(arguments.has("--journal") ? "--journal" : "the journal", journal)
            files.keeps("the journal's lock file", journal + ".lock")
            files.keeps("the journal's restart history", journal + ".history")
            files.keeps("the copy of the input", StandardInputSpool.path(beside: journal))
            files.keeps("--ledger", NightlyArguments.ledgerPath(arguments))
        } else {
            files.reads(arguments.has("--journal") ? "--journal" : "the journal", journal)
            files.reads("the journal's restart history", journal + ".history")
            files.reads("--ledger", NightlyArguments.ledgerPath(arguments))
        }
        report.register(in: &files)
        outputs.register(in: &files)
        return files
    }

    private init(parsing arguments: Arguments, outputs: JobOutputs, redactor: Redactor) throws {
        self.outputs = outputs
        self.redactor = redactor
        (dryRun, checkConnection, checkPath) = try Self.modes(arguments)
        verbose = arguments.has("--verbose")
        let path =
            checkConnection && arguments.positional.isEmpty
            ? "" : try arguments.single("an input FILE", command: Self.name)
        target = try InputArguments.target(from: arguments, command: Self.name)!
        guard let base = arguments.value("--base-url") ?? target.defaultBaseURL else {
            throw BatchInviteError.usage("run needs --base-url (e.g. https://app.sendoso.com)")
        }
        let allowInsecure = arguments.has("--allow-insecure-http")
        let baseURL = try Self.checkURL(base, option: "--base-url", allowInsecure: allowInsecure)
        input = try InputArguments.options(path: path, from: arguments, target: target)
        nightly = try NightlyArguments(arguments, input: path, dryRun: dryRun)
        report = try nightly.report(arguments, inputPath: path)
        configuration = try Self.configuration(
            arguments, target: target, baseURL: baseURL, report: report, nightly: nightly)
        // Last: every option is checked before a token source runs or reads anything.
        tokens =
            dryRun && !checkConnection
            ? nil
            : try CredentialArguments.settings(
                from: arguments, target: target, redactor: redactor,
                allowInsecure: allowInsecure)
    }

    /// `--dry-run`, `--check-connection` and `--check-path`, checked together.
    private static func modes(_ arguments: Arguments) throws -> (
        dryRun: Bool, checkConnection: Bool, checkPath: String?
    ) {
        let dryRun = arguments.has("--dry-run")
        let checkConnection = arguments.has("--check-connection")
        let checkPath = arguments.value("--check-path")
        if checkConnection && !dryRun {
            throw BatchInviteError.usage("--check-connection goes with --dry-run")
        }
        if checkPath != nil && !checkConnection {
            throw BatchInviteError.usage("--check-path goes with --dry-run --check-connection")
        }
        if let checkPath { _ = try Self.checkPath(checkPath, option: "--check-path") }
        return (dryRun, checkConnection, checkPath)
    }

    func run() throws -> Int32 {
        var summary = JobSummary(command: Self.name)
        summary.dryRun = dryRun
        summary.target = target.name
        summary.input = input.path.isEmpty ? nil : input.path
        summary.report = dryRun ? report.path : configuration.reportPath
        summary.journal = configuration.journalPath
        if dryRun { summary.inputFingerprint = outputs.fingerprint(of: input.path) }
        // Until a row may have gone out, a signal ends the command at once (nothing was
        // sent), its summary saying so.
        let started = summary
        let outputs = self.outputs
        Signals.handle { number in outputs.interrupted(started, signal: number) }
        defer { Signals.handle(nil) }
        return try outputs.around(summary, redactor: redactor) { try run(&$0) }
    }

    private func run(_ summary: inout JobSummary) throws -> Int32 {
        if checkConnection {
            let output = StandardOutput.shared
            let checked = try ConnectionCheck(
                connection: configuration.connection, token: tokens!,
                concurrency: configuration.sending.concurrency, redactor: redactor,
                path: checkPath,
                say: { line in
                    output.write(line + "\n")
                    output.flush()
                }, exchange: exchangeLog
            ).run()
            guard checked == .success, !input.path.isEmpty else { return checked.code }
        }
        if dryRun { return try plan(&summary) }
        // The first token before anything else: a source that fails stops here (exit 3
        // or 5), with nothing read or sent.
        let credentials = try RunCredentials(
            tokens!, connection: configuration.connection,
            concurrency: configuration.sending.concurrency, redactor: redactor)
        nightly.prune(journal: configuration.journalPath, ledger: configuration.ledgerPath)
        let batch = try BatchRun(
            input: input, target: target, configuration: configuration,
            credentials: credentials, redactor: redactor, onNote: { printNote($0) },
            onExchange: exchangeLog)
        summary.inputFingerprint = batch.inputFingerprint
        Signals.handle(
            Self.stopOnSignals(batch.signalHandle, early: summary, outputs: outputs))
        let result = try batch.run()
        summary.statistics = result.statistics
        summary.page.overview = result.overview
        summary.page.timeline = result.timeline
        summary.page.path = report.html
        if let failure = result.localFailure { summary.error = redactor.redact(failure) }
        if let stop = result.stop { summary.error = redactor.redact(stop.reason) }
        printSummary(Self.summaryLine(result))
        StandardOutput.shared.flush()
        printNote("report: \(configuration.reportPath); journal: \(configuration.journalPath)")
        return ending(result).code
    }

    /// With `--verbose`, where the line of each HTTP exchange goes: standard error.
    private var exchangeLog: (@Sendable (String) -> Void)? {
        guard verbose else { return nil }
        return { printError($0) }
    }

    /// The summary printed on standard output: the rows by status, then the pace.
    static func summaryLine(_ result: BatchRun.Result) -> String {
        let stats = result.statistics
        var line =
            "\(stats.rows) \(stats.rows == 1 ? "row" : "rows"): \(stats[.invited]) invited, "
            + (stats[.alreadyInvited] > 0 ? "\(stats[.alreadyInvited]) already invited, " : "")
            + "\(stats[.failed]) failed, \(stats[.invalid]) invalid, \(stats[.duplicate]) duplicate, \(stats[.notSent]) not sent"
        if stats[.inDoubt] > 0 { line += ", \(stats[.inDoubt]) in doubt" }
        if stats[.skipped] > 0 { line += ", \(stats[.skipped]) skipped (--where)" }
        if result.alreadyDone > 0 {
            line += " (\(result.alreadyDone) already done by an earlier run)"
        }
        if result.blankRecordsSkipped > 0 {
            line +=
                "; \(result.blankRecordsSkipped) blank \(result.blankRecordsSkipped == 1 ? "row" : "rows") skipped"
        }
        return line
            + "\n\(ProgressDisplay.duration(stats.elapsed)) elapsed, "
            + String(format: "%.1f", stats.rate) + " invitations/s, \(stats.requests) requests, "
            + "\(stats.retries) retries, \(stats.http429) HTTP 429s"
            + (stats.otherRateLimits > 0
                ? ", \(stats.otherRateLimits) other rate-limit answers" : "") + "\n"
    }

    /// The exit code of a run that returned, and why it stopped and what to do next, said
    /// last (after the page and the summary files are written: `JobOutputs.sayLast`).
    private func ending(_ result: BatchRun.Result) -> ExitCode {
        if let failure = result.localFailure {
            outputs.sayLast("batch-invite run: stopped: \(redactor.redact(failure))")
            return .localFailure
        }
        if let stop = result.stop {
            if let certificate = stop.untrustedCertificate {
                outputs.sayLast("batch-invite run: the server's certificate: \(certificate)")
            }
            outputs.sayLast("batch-invite run: \(redactor.redact(stop.reason))")
            return stop.exitCode
        }
        if result.reachedLimit {
            outputs.sayLast(
                "batch-invite run: stopped at --limit \(configuration.sending.limit ?? 0); the same "
                    + "command sends the rest")
            return .unfinished
        }
        // Every row invited, by this run or before it, is a job done; so is one a --where
        // leaves out.
        let stats = result.statistics
        let done = stats[.invited] + stats[.alreadyInvited] + stats[.skipped]
        return nightly.code(
            done: done, invalid: stats[.invalid], duplicate: stats[.duplicate], rows: stats.rows)
    }

    /// Once rows may have gone out, SIGINT, SIGTERM and SIGHUP stop the run: no new rows,
    /// requests in flight end (at their deadline at the latest), the journal is flushed and
    /// the report written (exit 130, 143, 129). A second signal exits at once. Before, the
    /// process exits at once (nothing was sent).
    static func stopOnSignals(
        _ batch: BatchRun.SignalHandle, early: JobSummary, outputs: JobOutputs
    )
        -> @Sendable (Int32) -> Void
    {
        { number in
            guard batch.sendingBegan else {
                outputs.interrupted(early, signal: number)
            }
            if batch.isStopping {
                exit(128 + number)
            }
            printError(
                "batch-invite run: stopping on \(Signals.name(number)): requests in flight "
                    + "finish; signal again to quit at once")
            batch.interrupt(signal: number)
        }
    }
}
