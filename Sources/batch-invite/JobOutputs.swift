import BatchInvite
import Foundation

/// `--summary-json`, `--metrics-file` and `--job-name`: what `run` and `validate` leave for
/// a scheduler and a monitoring system, written on every exit (the failures included). A
/// summary left from an earlier run is removed first, so a stale one is never read as
/// tonight's.
struct JobOutputs {
    private static let writing = NSLock()
    static let specs: [OptionSpec] = [
        OptionSpec(
            name: "--summary-json", value: "PATH",
            help: "write a JSON summary of the run here on every exit (fields: README)",
            group: .common, kind: .file),
        OptionSpec(
            name: "--metrics-file", value: "PATH",
            help: "write the run's metrics here in Prometheus text format (node_exporter "
                + "textfile)", group: .advanced, kind: .file),
        OptionSpec(
            name: "--job-name", value: "NAME",
            help: "the metrics' job label (default: the input file's name)", group: .advanced,
            kind: .text),
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
    }

    /// Puts the outputs among the command's files, for their checks.
    func register(in files: inout CommandFiles) {
        files.writes("--summary-json", summaryPath)
        files.writes("--metrics-file", metricsPath)
    }

    /// Once the command's files passed their checks: a summary left by an earlier run is
    /// removed, so that a stale one is never read as tonight's (a stream is left alone).
    func prepare() {
        guard let summaryPath, case .file(let real)? = try? OutputTarget(summaryPath) else {
            return
        }
        unlink(real)
    }

    /// Runs `body`, then writes the summary and metrics with its outcome, whether it
    /// returned an exit code or threw (the error's code and message). An output that
    /// cannot be written makes the exit code 6.
    /// Lines said on stderr after the outputs are written, whatever they say: why a run
    /// stopped and what to do next is the last thing the user reads.
    private let closing = ClosingLines()

    /// `line` said last: an error line, or a note (`note`: left out under `--quiet`).
    func sayLast(_ line: String, note: Bool = false) { closing.append((line, note)) }

    func around(
        _ summary: JobSummary, redactor: Redactor?,
        _ body: (inout JobSummary) throws -> Int32
    ) throws -> Int32 {
        var summary = summary
        do {
            var code = try body(&summary)
            StandardOutput.shared.flush()
            if let failure = StandardOutput.shared.failure {
                summary.error = summary.error ?? failure
                if [0, 1, 4].contains(code) { code = ExitCode.localFailure.code }
            }
            summary.exitCode = ExitCode(code: code) ?? .usage
            let written = write(summary).code
            for (line, note) in closing.lines {
                if note { printNote(line) } else { printError(line) }
            }
            return written
        } catch BatchInviteError.closedPipe {
            throw BatchInviteError.closedPipe
        } catch {
            summary.exitCode = Self.exitCode(of: error)
            let error = Self.redacted(error, by: redactor)
            summary.error = "\(error)"
            write(summary)
            throw error
        }
    }

    /// A signal that ends the command at once (nothing was sent): the summary and metrics
    /// say so, then the process exits with 128 + the signal's number.
    func interrupted(_ started: JobSummary, signal: Int32) -> Never {
        var summary = started
        summary.exitCode = .interrupted(signal: signal)
        summary.error =
            "stopped by \(Signals.name(signal))"
            + (summary.command == "run" ? " before anything was sent" : "")
        printError("batch-invite \(summary.command): \(summary.error ?? "")")
        summary.page.path = nil
        // Held to the exit: the command's own thread writes nothing more.
        Self.writing.lock()
        writeLocked(summary)
        exit(128 + signal)
    }

    static func exitCode(of error: any Error) -> ExitCode {
        (error as? BatchInviteError)?.exitCode ?? (error as? CredentialFailure)?.exitCode ?? .usage
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

    /// A command that stopped while reading its own options: the summary says so, when
    /// its path is safe to write: no other of the command's `files` (when they could be
    /// told) nor of its `arguments`.
    func failedEarly(
        command: String, error: any Error, files: CommandFiles?, arguments: [String],
        dryRun: Bool = false
    ) {
        guard let summaryPath,
            files?.safeForFailureSummary(summaryPath) ?? true,
            CommandFiles.safeForFailureSummary(summaryPath, besides: arguments)
        else { return }
        var summary = JobSummary(command: command)
        summary.dryRun = dryRun
        summary.finished = Clock.wallMilliseconds()
        summary.exitCode = Self.exitCode(of: error)
        summary.error = "\(error)"
        try? OutputFile.write(summary.json, to: summaryPath)
    }

    /// A command line that could not be read at all: the summary says so when its path is
    /// no other argument's file (the metrics, whose path is not known for sure, are left
    /// alone).
    static func failedParsing(
        summaryPath: String, command: String, error: any Error, arguments: [String]
    ) {
        guard CommandFiles.safeForFailureSummary(summaryPath, besides: arguments) else { return }
        var summary = JobSummary(command: command)
        summary.dryRun = arguments.contains("--dry-run")
        summary.finished = Clock.wallMilliseconds()
        summary.exitCode = .usage
        summary.error = "\(error)"
        try? OutputFile.write(summary.json, to: summaryPath)
    }

    /// Writes what was asked for: the page first, then the metrics and the summary with
    /// the exit code that includes any failure before them. A failure is said on stderr;
    /// returns the exit code (6 when one happened to a command that would have ended 0, 1
    /// or 4).
    @discardableResult
    private func write(_ finished: JobSummary) -> ExitCode {
        // One writer at a time: a signal's exit never meets a summary half written by the
        // command's own thread.
        Self.writing.lock()
        defer { Self.writing.unlock() }
        return writeLocked(finished)
    }

    @discardableResult
    private func writeLocked(_ finished: JobSummary) -> ExitCode {
        var summary = finished
        summary.finished = Clock.wallMilliseconds()
        func fail(_ option: String, _ error: any Error) {
            printError("batch-invite \(summary.command): \(option): \(error)")
            if summary.error == nil { summary.error = "\(option): \(error)" }
            if summary.exitCode == .success || summary.exitCode == .rowsNotDone
                || summary.exitCode == .unfinished
            {
                summary.exitCode = .localFailure
            }
        }
        // The page shows a report: only a command that wrote one has it.
        if let htmlPath = summary.page.path, let overview = summary.page.overview {
            do {
                try HTMLReport(
                    summary: summary, overview: overview, timeline: summary.page.timeline,
                    reportPath: summary.report
                ).write(to: htmlPath)
                printNote("html: \(htmlPath)")
            } catch {
                fail("--html", error)
            }
        }
        if let metricsPath {
            do {
                try OutputFile.write(Array(summary.prometheus(job: jobName).utf8), to: metricsPath)
            } catch {
                fail("--metrics-file", error)
            }
        }
        if let summaryPath {
            do {
                try OutputFile.write(summary.json, to: summaryPath)
            } catch {
                fail("--summary-json", error)
            }
        }
        return summary.exitCode
    }
}

/// The lines `JobOutputs.sayLast` keeps for the end (shared by the copies of a `JobOutputs`).
private final class ClosingLines: @unchecked Sendable {
    // Safe to share: `kept` is only touched with `lock` held.
    private let lock = NSLock()
    private var kept: [(String, Bool)] = []

    func append(_ line: (String, Bool)) {
        lock.lock()
        kept.append(line)
        lock.unlock()
    }

    var lines: [(String, Bool)] {
        lock.lock()
        defer { lock.unlock() }
        return kept
    }
}
