import BatchInvite
import Foundation

/// `--summary-json`, `--metrics-file` and `--job-name`: what `run` and `validate` leave for
/// a scheduler and a monitoring system, written on every exit (the failures included). A
/// summary left from an earlier run is removed first, so a stale one is never read as
/// tonight's.
struct JobOutputs {
    static let specs: [OptionSpec] = [
        OptionSpec(
            name: "--summary-json", value: "PATH",
            help: "write a JSON summary of the run here on every exit (fields: README)"),
        OptionSpec(
            name: "--metrics-file", value: "PATH",
            help: "write the run's metrics here in Prometheus text format (node_exporter textfile)"),
        OptionSpec(
            name: "--job-name", value: "NAME",
            help: "the metrics' job label (default: the input file's name)"),
    ]

    let summaryPath: String?
    let metricsPath: String?
    let jobName: String

    init(_ arguments: Arguments) {
        summaryPath = arguments.value("--summary-json")
        metricsPath = arguments.value("--metrics-file")
        let input = arguments.positional.first.map { URL(fileURLWithPath: $0).lastPathComponent }
        jobName =
            arguments.value("--job-name") ?? (input == "-" ? "stdin" : input ?? "batch-invite")
        if let summaryPath { unlink(summaryPath) }
    }

    /// Runs `body`, then writes the summary and metrics with its outcome, whether it
    /// returned an exit code or threw (the error's code and message).
    func around(
        _ summary: JobSummary, redactor: Redactor?,
        _ body: (inout JobSummary) throws -> Int32
    ) throws -> Int32 {
        var summary = summary
        do {
            let code = try body(&summary)
            summary.exitCode = ExitCode(code: code) ?? .usage
            write(summary)
            return code
        } catch {
            summary.exitCode =
                (error as? BatchInviteError)?.exitCode ?? (error as? CredentialFailure)?.exitCode
                ?? .usage
            let error = Self.redacted(error, by: redactor)
            summary.error = "\(error)"
            write(summary)
            throw error
        }
    }

    /// `error` with every secret `redactor` knows hidden in its message, and the same
    /// exit code: what `main` prints and the summary keeps.
    static func redacted(_ error: any Error, by redactor: Redactor?) -> any Error {
        guard let redactor else { return error }
        let text = "\(error)"
        let hidden = redactor.redact(text)
        guard hidden != text else { return error }
        switch error {
        case var failure as CredentialFailure:
            failure.message = redactor.redact(failure.message)
            return failure
        case BatchInviteError.inUse:
            return BatchInviteError.inUse(hidden)
        default:
            // Every other error ends with exit 2 (main), as .usage does.
            return BatchInviteError.usage(hidden)
        }
    }

    /// The input's fingerprint for the summary, when one is written (it costs a read of
    /// the file); nil for standard input.
    func fingerprint(of path: String) -> InputFingerprint? {
        guard summaryPath != nil, path != "-", !path.isEmpty else { return nil }
        return try? InputFingerprint.of(path: path)
    }

    /// A command that stopped while reading its own options: the summary says so.
    func failedEarly(command: String, error: any Error) {
        var summary = JobSummary(command: command)
        summary.exitCode =
            (error as? BatchInviteError)?.exitCode ?? (error as? CredentialFailure)?.exitCode
            ?? .usage
        summary.error = "\(error)"
        write(summary)
    }

    /// A command line that could not be read at all: the summary says so (the metrics,
    /// whose path is not known for sure, are left alone).
    static func failedParsing(summaryPath: String, command: String, error: any Error) {
        var summary = JobSummary(command: command)
        summary.finished = Clock.wallMilliseconds()
        summary.exitCode = .usage
        summary.error = "\(error)"
        try? JobSummary.writeAtomically(summary.json, to: summaryPath)
    }

    /// Writes what was asked for; a failure to is said on stderr, and does not change the
    /// command's exit code.
    private func write(_ finished: JobSummary) {
        var summary = finished
        summary.finished = Clock.wallMilliseconds()
        if let summaryPath {
            do {
                try JobSummary.writeAtomically(summary.json, to: summaryPath)
            } catch {
                printError("batch-invite \(summary.command): --summary-json: \(error)")
            }
        }
        if let metricsPath {
            do {
                try JobSummary.writeAtomically(
                    Array(summary.prometheus(job: jobName).utf8), to: metricsPath)
            } catch {
                printError("batch-invite \(summary.command): --metrics-file: \(error)")
            }
        }
        // The page shows a report: only a command that wrote one has it.
        if let htmlPath = summary.htmlPath, let overview = summary.overview {
            do {
                try HTMLReport(
                    summary: summary, overview: overview, timeline: summary.timeline,
                    reportPath: summary.report
                ).write(to: htmlPath)
                printError("html: \(htmlPath)")
            } catch {
                printError("batch-invite \(summary.command): --html: \(error)")
            }
        }
    }
}
