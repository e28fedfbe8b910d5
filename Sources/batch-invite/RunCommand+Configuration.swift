import BatchInvite
import Foundation

/// `run`'s options read into the run's configuration: plain settings that the library
/// makes its transport, dispatcher and journal from. Options are checked in the order of
/// `--help`'s table of where requests go, then the journal's and the rows' options.
extension RunCommand {
    static func configuration(
        _ arguments: Arguments, target: any Target, baseURL: String, report: ReportArguments,
        nightly: NightlyArguments
    ) throws -> BatchRun.Configuration {
        var sending = try sending(arguments, target: target)
        let connection = try connection(arguments, target: target, baseURL: baseURL)
        let journalPath =
            nightly.journalPath(format: report.format) ?? arguments.value("--journal")
            ?? (report.path == "-" ? "stdout.journal" : report.path + ".journal")
        try pace(arguments, target: target, &sending)
        var configuration = BatchRun.Configuration(
            connection: connection, sending: sending, journalPath: journalPath,
            reportPath: report.path, reportFormat: report.format)
        configuration.overview = report.html != nil
        try journalOptions(arguments, &configuration)
        try rowOptions(arguments, &configuration.sending)
        if let mode = try arguments.choice("--progress") {
            configuration.progress = ProgressDisplay.Mode(rawValue: mode) ?? .auto
        }
        if arguments.has("--quiet") { configuration.progress = .none }
        return configuration
    }

    /// `--path`, `--concurrency`, `--max-attempts` and `--max-retry-after`.
    private static func sending(_ arguments: Arguments, target: any Target) throws
        -> BatchRun.Sending
    {
        var sending = BatchRun.Sending(
            path: try arguments.value("--path").map { try checkPath($0, option: "--path") }
                ?? target.defaultPath)
        sending.concurrency = try arguments.integer("--concurrency", 8, in: 1...256)
        sending.maxAttempts = try arguments.integer("--max-attempts", 5, in: 1...100)
        sending.maxRetryAfter = try arguments.number(
            "--max-retry-after", 120, in: 0...86_400, what: "a number of seconds from 0 to 86400")
        return sending
    }

    /// `--timeout`, `--connect-timeout`, `--cacert` and `--cacert-only`.
    private static func connection(_ arguments: Arguments, target: any Target, baseURL: String)
        throws -> ConnectionSettings
    {
        var connection = ConnectionSettings(baseURL: baseURL)
        connection.tokenHeader = target.tokenHeader
        connection.tokenScheme = target.tokenScheme
        connection.timeout = try arguments.number(
            "--timeout", 30, in: 0.001...86_400, what: "a number of seconds from 0.001 to 86400")
        connection.connectTimeout = try arguments.number(
            "--connect-timeout", 10, in: 0.001...86_400,
            what: "a number of seconds from 0.001 to 86400")
        connection.extraCertificates = try arguments.value("--cacert").map(readCertificates)
        connection.onlyExtraCertificates = arguments.has("--cacert-only")
        if connection.onlyExtraCertificates && connection.extraCertificates == nil {
            throw BatchInviteError.usage("--cacert-only needs --cacert FILE")
        }
        return connection
    }

    /// `--rate` (the target's safe rate by default) and `--burst`.
    private static func pace(
        _ arguments: Arguments, target: any Target, _ sending: inout BatchRun.Sending
    ) throws {
        let rateRange = "a number of requests per second from 0.001 to 1000000, or 0 for no limit"
        sending.rate = try arguments.number(
            "--rate", target.defaultRate, in: 0...1_000_000, what: rateRange)
        if sending.rate > 0 && sending.rate < 0.001 {
            throw BatchInviteError.usage(
                "--rate \"\(arguments.value("--rate") ?? "")\" must be \(rateRange)")
        }
        sending.burst = try arguments.integer("--burst", 1, in: 1...100_000)
    }

    /// `--restart`, `--reinvite`, `--retry-failed`, `--ledger` and `--reinvite-after`.
    private static func journalOptions(
        _ arguments: Arguments, _ configuration: inout BatchRun.Configuration
    ) throws {
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
    }

    /// `--limit`, `--already-invited` and `--in-doubt`.
    private static func rowOptions(_ arguments: Arguments, _ sending: inout BatchRun.Sending)
        throws
    {
        if arguments.value("--limit") != nil {
            sending.limit = try arguments.integer("--limit", 0, in: 1...Int.max)
        }
        sending.alreadyInvitedFails = try arguments.choice("--already-invited") == "fail"
        if let policy = try arguments.choice("--in-doubt") {
            sending.inDoubt = InDoubtPolicy(rawValue: policy) ?? .retry
        }
    }
}
