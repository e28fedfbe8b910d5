import BatchInvite
import Foundation

/// `batch-invite run`: sends one invitation per valid row and writes the report.
struct RunCommand: Command {
    static let name = "run"
    static let summary = "send the invitations: concurrent, rate-limited, retried, journaled"
    let target: any Target
    let input: InputOptions
    let report: ReportArguments
    let baseURL: String
    let dryRun: Bool
    let checkConnection: Bool
    let checkPath: String?
    /// `--verbose`: a line per HTTP exchange on stderr.
    let verbose: Bool
    /// Every secret of the run, in every form it is sent in, hidden in whatever is
    /// printed or stored: the one redactor of the run.
    let redactor: Redactor
    /// Where the token comes from (nil for a dry run that checks nothing).
    let tokenSource: (any TokenSource)?
    let configuration: BatchRun.Configuration
    /// How requests go out (the token is the keeper's, set when it is fetched).
    let transportSettings: CurlTransport.Configuration
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
        dryRun = arguments.has("--dry-run")
        checkConnection = arguments.has("--check-connection")
        checkPath = arguments.value("--check-path")
        verbose = arguments.has("--verbose")
        if checkConnection && !dryRun {
            throw BatchInviteError.usage("--check-connection goes with --dry-run")
        }
        if checkPath != nil && !checkConnection {
            throw BatchInviteError.usage("--check-path goes with --dry-run --check-connection")
        }
        if let checkPath { _ = try Self.checkPath(checkPath, option: "--check-path") }
        let path =
            checkConnection && arguments.positional.isEmpty
            ? "" : try arguments.single("an input FILE", command: Self.name)
        target = try InputArguments.target(from: arguments, command: Self.name)!
        guard let base = arguments.value("--base-url") ?? target.defaultBaseURL else {
            throw BatchInviteError.usage("run needs --base-url (e.g. https://app.sendoso.com)")
        }
        let allowInsecure = arguments.has("--allow-insecure-http")
        baseURL = try Self.checkURL(base, option: "--base-url", allowInsecure: allowInsecure)
        input = try InputArguments.options(path: path, from: arguments, target: target)
        nightly = try NightlyArguments(arguments, input: path, dryRun: dryRun)
        report = try nightly.report(arguments, inputPath: path)
        var delivery = Dispatcher.Configuration(
            path: try arguments.value("--path").map { try Self.checkPath($0, option: "--path") }
                ?? target.defaultPath)
        delivery.concurrency = try arguments.integer("--concurrency", 8, in: 1...256)
        delivery.retry.maxAttempts = try arguments.integer("--max-attempts", 5, in: 1...100)
        delivery.retry.maxRetryAfter = try arguments.number(
            "--max-retry-after", 120, in: 0...86_400, what: "a number of seconds from 0 to 86400")
        let timeout = try arguments.number(
            "--timeout", 30, in: 0.001...86_400, what: "a number of seconds from 0.001 to 86400")
        let connectTimeout = try arguments.number(
            "--connect-timeout", 10, in: 0.001...86_400,
            what: "a number of seconds from 0.001 to 86400")
        var settings = CurlTransport.Configuration(baseURL: baseURL, token: "")
        settings.tokenHeader = target.tokenHeader
        settings.concurrency = delivery.concurrency
        settings.timeout = timeout
        settings.connectTimeout = connectTimeout
        settings.extraCertificates = try arguments.value("--cacert").map(Self.readCertificates)
        settings.onlyExtraCertificates = arguments.has("--cacert-only")
        if settings.onlyExtraCertificates && settings.extraCertificates == nil {
            throw BatchInviteError.usage("--cacert-only needs --cacert FILE")
        }
        if let url = URL(string: baseURL), let scheme = url.scheme, let host = url.host {
            settings.proxy = ProxySettings.resolve(
                scheme: scheme, host: host, environment: ProcessInfo.processInfo.environment)
        }
        transportSettings = settings
        let journalPath =
            nightly.journalPath(format: report.format) ?? arguments.value("--journal")
            ?? (report.path == "-" ? "stdout.journal" : report.path + ".journal")
        var header = JournalHeader(
            target: target.name, baseURL: baseURL, path: delivery.path, input: path,
            fingerprint: nil, inputOptions: input)
        header.targetDigest = target.definitionDigest
        header.targetVars = Dictionary(
            target.varValues.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        var configuration = BatchRun.Configuration(
            delivery: delivery, journalPath: journalPath, reportPath: report.path,
            reportFormat: report.format,
            header: header)
        configuration.overview = report.html != nil
        let rateRange = "a number of requests per second from 0.001 to 1000000, or 0 for no limit"
        configuration.rate = try arguments.number(
            "--rate", target.defaultRate, in: 0...1_000_000, what: rateRange)
        if configuration.rate > 0 && configuration.rate < 0.001 {
            throw BatchInviteError.usage(
                "--rate \"\(arguments.value("--rate") ?? "")\" must be \(rateRange)")
        }
        configuration.burst = try arguments.integer("--burst", 1, in: 1...100_000)
        configuration.restart = arguments.has("--restart")
        configuration.reinvite = arguments.has("--reinvite")
        // Benchmarks only (BENCHMARKS.md, the journal's cost): a crash could then lose records.
        configuration.syncsJournal =
            ProcessInfo.processInfo.environment["BATCH_INVITE_BENCHMARK_NO_FSYNC"] != "1"
        configuration.retryFailed = arguments.has("--retry-failed")
        configuration.ledgerPath = NightlyArguments.ledgerPath(arguments)
        if arguments.value("--reinvite-after") != nil {
            guard configuration.ledgerPath != nil else {
                throw BatchInviteError.usage("--reinvite-after needs --ledger PATH")
            }
            configuration.reinviteAfterDays = try arguments.number(
                "--reinvite-after", 0, in: 0...36_500, what: "a number of days from 0 to 36500")
        }
        if arguments.value("--limit") != nil {
            configuration.delivery.limit = try arguments.integer("--limit", 0, in: 1...Int.max)
        }
        configuration.delivery.alreadyInvitedFails =
            try arguments.choice("--already-invited") == "fail"
        if let policy = try arguments.choice("--in-doubt") {
            configuration.delivery.inDoubt = InDoubtPolicy(rawValue: policy) ?? .retry
        }
        if let mode = try arguments.choice("--progress") {
            configuration.progress = ProgressDisplay.Mode(rawValue: mode) ?? .auto
        }
        if arguments.has("--quiet") { configuration.progress = .none }
        self.configuration = configuration
        // Last: every option is checked before a token source runs or reads anything.
        tokenSource =
            dryRun && !checkConnection
            ? nil
            : try CredentialArguments.source(
                from: arguments, transport: settings, redactor: redactor,
                allowInsecure: allowInsecure)
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
            let checked = try ConnectionCheck(
                settings: transportSettings, source: tokenSource!, redactor: redactor,
                path: checkPath, verbose: verbose
            ).run()
            guard checked == .success, !input.path.isEmpty else { return checked.code }
        }
        if dryRun { return try plan(&summary) }
        // The first token before anything else: a source that fails stops here (exit 3
        // or 5), with nothing read or sent.
        let keeper = TokenKeeper(source: tokenSource!, redactor: redactor)
        try keeper.start()
        nightly.prune(journal: configuration.journalPath, ledger: configuration.ledgerPath)
        // Standard input (and any input that is not a regular file: a named pipe, a
        // device) is kept in a file first: read once, through, before anything is sent,
        // and fingerprinted, so that resuming with another input is refused.
        var input = self.input
        let spool =
            StandardInputSpool.isNeeded(for: input.path)
            ? try StandardInputSpool(from: input.path, beside: configuration.journalPath) : nil
        if let spool { input.path = spool.path }
        defer { withExtendedLifetime(spool) {} }
        var settings = transportSettings
        settings.token = keeper.current.value
        if let proxy = settings.proxy.displayURL {
            printNote(
                "batch-invite run: through the proxy \(proxy) (from \(settings.proxy.source ?? "?"))"
            )
        }
        let transport = try CurlTransport(configuration: settings)
        defer { transport.close() }
        let sending: any Transport =
            verbose
            ? LoggingTransport(transport, redactor: redactor, write: { printError($0) }) : transport
        var configuration = self.configuration
        configuration.delivery.redactor = redactor
        configuration.delivery.credentials = keeper
        configuration.header.fingerprint = try InputFingerprint.of(path: input.path)
        summary.inputFingerprint = configuration.header.fingerprint
        let batch = try BatchRun(
            input: input, target: target, transport: sending, configuration: configuration,
            onWarning: { [redactor] in printNote(redactor.redact($0)) })
        Signals.handle(Self.stopOnSignals(batch.control, early: summary, outputs: outputs))
        let result = try batch.run()
        let stats = result.statistics
        summary.statistics = stats
        summary.overview = result.overview
        summary.timeline = result.timeline
        summary.htmlPath = report.html
        if let failure = result.localFailure { summary.error = redactor.redact(failure) }
        if let reason = result.stopReason { summary.error = redactor.redact(reason.description) }
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
        line +=
            "\n\(ProgressDisplay.duration(stats.elapsed)) elapsed, "
            + String(format: "%.1f", stats.rate) + " invitations/s, \(stats.requests) requests, "
            + "\(stats.retries) retries, \(stats.throttled) HTTP 429s\n"
        printSummary(line)
        StandardOutput.shared.flush()
        printNote("report: \(configuration.reportPath); journal: \(configuration.journalPath)")
        // Why the run stopped and what to do next: the last lines, after the page and the
        // summary files are written (`JobOutputs.sayLast`).
        if let failure = result.localFailure {
            outputs.sayLast("batch-invite run: stopped: \(redactor.redact(failure))")
            return ExitCode.localFailure.code
        }
        if let reason = result.stopReason {
            if case .firstRequestFailed(let failure) = reason,
                failure.cause == .untrustedCertificate,
                let certificate = transport.describeServerCertificate()
            {
                outputs.sayLast("batch-invite run: the server's certificate: \(certificate)")
            }
            outputs.sayLast("batch-invite run: \(redactor.redact(reason.description))")
            return reason.exitCode.code
        }
        if result.reachedLimit {
            outputs.sayLast(
                "batch-invite run: stopped at --limit \(configuration.delivery.limit ?? 0); the same "
                    + "command sends the rest")
            return ExitCode.unfinished.code
        }
        // Every row invited, by this run or before it, is a job done; so is one a --where
        // leaves out.
        let done = stats[.invited] + stats[.alreadyInvited] + stats[.skipped]
        return nightly.code(
            done: done, invalid: stats[.invalid], duplicate: stats[.duplicate], rows: stats.rows
        ).code
    }

    /// Once rows may have gone out, SIGINT, SIGTERM and SIGHUP stop the run: no new rows,
    /// requests in flight end (at their deadline at the latest), the journal is flushed and
    /// the report written (exit 130, 143, 129). A second signal exits at once. Before, the
    /// process exits at once (nothing was sent).
    static func stopOnSignals(_ control: RunControl, early: JobSummary, outputs: JobOutputs)
        -> @Sendable (Int32) -> Void
    {
        { number in
            guard control.sendingBegan else {
                outputs.interrupted(early, signal: number)
            }
            if control.isStopped {
                exit(128 + number)
            }
            printError(
                "batch-invite run: stopping on \(Signals.name(number)): requests in flight "
                    + "finish; signal again to quit at once")
            control.stop(.interrupted(signal: number))
        }
    }

    /// The PEM certificates of `--cacert FILE`; exit 2 when unreadable or without one.
    static func readCertificates(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BatchInviteError.usage("--cacert \(path): cannot read it")
        }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw BatchInviteError.usage(
                "--cacert \(path): no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)")
        }
        return Array(data)
    }

    /// An http(s) URL that secrets go to (`--base-url`, `--oauth-token-url`); exit 2, with
    /// what to do, for anything in it that would be kept or sent otherwise than meant:
    /// user information (a password would be kept in the journal and shown, where the
    /// token options keep secrets out of both), a fragment (never sent: requests would go
    /// elsewhere than written), a query (each request adds its own path and query), a
    /// space, control or non-ASCII character (percent-encode it). https is required
    /// except on loopback: a token, or a client secret, never travels unencrypted over a
    /// network. The base URL loses a trailing slash.
    static func checkURL(
        _ text: String, option: String, allowInsecure: Bool, keepsPath: Bool = false
    ) throws -> String {
        let tokenURL = option == "--oauth-token-url"
        let example =
            tokenURL
            ? "https://abc1234.id.cyberark.cloud/oauth2/platformtoken" : "https://app.sendoso.com"
        let hidden = Redactor.hidingUserInfo(text)
        func shown(_ url: some StringProtocol) -> String {
            "\(option) \"\(TextBytes.shown(String(url), limit: 200))\""
        }
        guard let schemeEnd = text.range(of: "://"),
            ["http", "https"].contains(text[..<schemeEnd.lowerBound].lowercased())
        else {
            throw BatchInviteError.usage("\(shown(hidden)) is not an http(s) URL like \(example)")
        }
        if let problem = urlCharacterProblem(text) {
            throw BatchInviteError.usage(
                "\(shown(hidden)) holds \(problem); a URL is written in visible ASCII "
                    + "(percent-encode the rest)")
        }
        let afterScheme = text[schemeEnd.upperBound...]
        let authority = afterScheme.prefix { !"/?#".contains($0) }
        if authority.contains("@") {
            let instead =
                tokenURL
                ? "give the client's ID and secret with --client-id ID and --client-secret-env "
                    + "NAME or --client-secret-file PATH"
                : "give the token with --token-env NAME, --token-file PATH, --token-command CMD "
                    + "or --oauth-token-url URL"
            throw BatchInviteError.usage(
                "\(shown(hidden)) holds a user name or password (before @): "
                    + (tokenURL
                        ? "it would be sent besides the client's credentials and shown in messages"
                        : "it would be kept in the journal and shown by status")
                    + "; remove it, and \(instead)")
        }
        if let hash = text.firstIndex(of: "#") {
            throw BatchInviteError.usage(
                "\(shown(text[..<hash] + "#…")) has a fragment (the part after #), which is never "
                    + "sent: requests would go to \(text[..<hash]); remove it")
        }
        if let question = text.firstIndex(of: "?") {
            let why =
                tokenURL
                ? "the token request's parameters go in its form body"
                : "each request adds its own path and query to the base URL"
            throw BatchInviteError.usage(
                "\(shown(text[..<question] + "?…")) has a query (the part after ?): \(why), and a "
                    + "key in it would be kept and shown; remove it (a token or secret goes in "
                    + "the options for it, never in a URL)")
        }
        guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
            throw BatchInviteError.usage("\(shown(text)) is not an http(s) URL like \(example)")
        }
        if url.scheme?.lowercased() == "http" && !allowInsecure && !ProxySettings.isLoopback(host) {
            throw BatchInviteError.usage(
                "\(shown(text)) uses http:// to a remote host: secrets would travel "
                    + "unencrypted; use https:// (or --allow-insecure-http if you must)")
        }
        return !keepsPath && text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// A request path (`--path`, `--check-path`), appended to the base URL as it is: it
    /// starts with `/` and holds no fragment, no query (a target adds its own: cyberark-sms
    /// `?ID=`), no space, control or non-ASCII character (a CR LF would end the request
    /// line and start a header). Exit 2 otherwise.
    static func checkPath(_ text: String, option: String) throws -> String {
        guard text.hasPrefix("/") else {
            throw BatchInviteError.usage("\(option) must start with /")
        }
        if let problem = urlCharacterProblem(text) {
            throw BatchInviteError.usage(
                "\(option) \"\(TextBytes.shown(text))\" holds \(problem); a path is written in "
                    + "visible ASCII (percent-encode the rest)")
        }
        if let hash = text.firstIndex(of: "#") {
            throw BatchInviteError.usage(
                "\(option) \"\(TextBytes.shown(text[..<hash] + "#…"))\" has a fragment (the part "
                    + "after #), which is never sent: requests would go to \(text[..<hash]); remove it"
            )
        }
        if let question = text.firstIndex(of: "?") {
            throw BatchInviteError.usage(
                "\(option) \"\(TextBytes.shown(text[..<question] + "?…"))\" has a query (the part "
                    + "after ?): a request's query is the target's own; remove it")
        }
        return text
    }

    /// The first character a URL cannot hold as it is, in words, or nil.
    private static func urlCharacterProblem(_ text: String) -> String? {
        guard let bad = text.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value >= 0x7F })
        else { return nil }
        switch bad.value {
        case 0x20: return "a space"
        case 0..<0x20, 0x7F...0x9F:
            return "a control character (\(TextBytes.shown(String(bad))))"
        default: return "a character that is not ASCII (\(String(bad)))"
        }
    }
}
