import BatchInvite
import Foundation

/// `batch-invite validate`: checks every row offline and writes the report.
struct ValidateCommand: Command {
    static let name = "validate"
    static let summary = "check every row of a file, offline; write the report"
    static let options: [OptionSpec] =
        [InputArguments.targetSpec, InputArguments.varSpec] + InputArguments.specs
        + ReportArguments.specs
        + JobOutputs.specs + [Verbosity.quietSpec] + ConfigFile.specs
    static let help = HelpText(
        usage: "batch-invite validate FILE --target \(Targets.names) [options]",
        description: """
            Reads FILE (CSV or JSON Lines; - for standard input), checks every row against
            the target's rules, finds duplicates, and writes a report with one line per row
            (status valid, invalid or duplicate, and why). Nothing is sent. Prints a summary
            such as "1500 rows: 1180 valid, 290 invalid, 30 duplicate".
            """,
        exitCodes: """
              0    every row valid
              1    some rows invalid or duplicate (see the report)
              2    usage, configuration or input error (a file that cannot be read, an
                   output that is another of the command's files)
              6    an output could not be written (disk full, standard output)
              129/130/143  interrupted by SIGHUP/SIGINT/SIGTERM
            """,
        example: """
              batch-invite validate people.csv --target sendoso --role regular
            """)

    let target: any Target
    let input: InputOptions
    let report: ReportArguments
    let outputs: JobOutputs
    let configPath: String?
    /// The definition file `--target` names, if it names one.
    let definitionFile: String?

    init(_ arguments: Arguments) throws {
        let outputs = JobOutputs(arguments)
        var files: CommandFiles?
        do {
            try self.init(parsing: arguments, outputs: outputs)
            files = self.files
            try files?.check()
        } catch {
            outputs.failedEarly(
                command: Self.name, error: error, files: files, arguments: arguments.mentioned)
            throw error
        }
        files?.removeStaleTemporaries()
        outputs.prepare()
        report.prepare()
    }

    /// The files the command reads and writes.
    private var files: CommandFiles {
        var files = CommandFiles()
        files.reads("FILE", input.path)
        files.reads("--config", configPath)
        files.reads("--target", definitionFile)
        report.register(in: &files)
        outputs.register(in: &files)
        return files
    }

    private init(parsing arguments: Arguments, outputs: JobOutputs) throws {
        self.outputs = outputs
        configPath = arguments.value("--config")
        definitionFile = InputArguments.definitionFile(arguments)
        let path = try arguments.single("an input FILE", command: Self.name)
        target = try InputArguments.target(from: arguments, command: Self.name)!
        input = try InputArguments.options(path: path, from: arguments, target: target)
        report = try ReportArguments(arguments, inputPath: path)
    }

    func run() throws -> Int32 {
        var summary = JobSummary(command: Self.name)
        summary.target = target.name
        summary.input = input.path
        summary.report = report.path
        summary.inputFingerprint = outputs.fingerprint(of: input.path)
        let started = summary
        let outputs = self.outputs
        Signals.handle { number in outputs.interrupted(started, signal: number) }
        defer { Signals.handle(nil) }
        return try outputs.around(summary, redactor: nil) {
            try Self.validate(input: input, target: target, report: report, summary: &$0)
        }
    }

    /// Checks every row of `input` and writes the report; the exit code (0 all valid, 1 not).
    static func validate(
        input: InputOptions, target: any Target, report: ReportArguments,
        summary: inout JobSummary
    ) throws -> Int32 {
        var overview = report.html.map { _ in ReportOverview() }
        let result = try ValidationRun.run(
            input: input, target: target, reportPath: report.path, reportFormat: report.format,
            overview: &overview, onWarning: { printNote($0) })
        summary.page.overview = overview
        summary.page.path = report.html
        summary.statistics.counts = [
            .valid: result.valid, .invalid: result.invalid, .duplicate: result.duplicate,
            .skipped: result.skipped,
        ]
        printSummary(result.line + "\n")
        StandardOutput.shared.flush()
        if report.path != "-" { printNote("report: \(report.path)") }
        return (result.invalid + result.duplicate > 0 ? ExitCode.rowsNotDone : .success).code
    }
}

/// `--report` and `--report-format`, and the default report path.
struct ReportArguments {
    static let specs: [OptionSpec] = [
        OptionSpec(
            name: "--report", value: "PATH",
            help: "where to write the report (default: ./<input name>.report.csv)",
            group: .common, kind: .file),
        formatSpec, htmlSpec,
    ]
    static let formatSpec = OptionSpec(
        name: "--report-format", choices: ["csv", "jsonl"],
        help: "report format (default: by the report's extension, else csv)", group: .advanced)
    static let htmlSpec = OptionSpec(
        name: "--html", value: "PATH",
        help: "also write the report as one self-contained HTML page (README: The report)",
        group: .common, kind: .file)

    let path: String
    /// Whether `--report` gave the path (else it is the default one).
    let pathGiven: Bool
    let format: ReportFormat
    /// `--html`: the page beside the report, if asked for.
    var html: String?

    /// The report of a command reading `inputPath`.
    init(_ arguments: Arguments, inputPath: String) throws {
        try self.init(arguments) { Self.defaultPath(for: inputPath, format: $0) }
    }

    /// A report whose path is `defaultPath` unless `--report` gives one.
    init(_ arguments: Arguments, defaultPath: String) throws {
        try self.init(arguments) { _ in defaultPath }
    }

    /// `--report`, else `fallback` for the format given (CSV when none is); `--report-format`,
    /// else the format the path's extension says.
    private init(_ arguments: Arguments, fallback: (ReportFormat) -> String) throws {
        let given = try arguments.choice(Self.formatSpec.name).flatMap(
            ReportFormat.init(rawValue:))
        if let path = arguments.value("--report") {
            guard !path.isEmpty else { throw BatchInviteError.usage("--report needs a path") }
            self.path = path
            pathGiven = true
            format = given ?? ReportFormat(path: path)
        } else {
            path = fallback(given ?? .csv)
            pathGiven = false
            format = given ?? ReportFormat(path: path)
        }
        html = arguments.value("--html")
        if let html {
            guard !html.isEmpty, html != "-" else {
                throw BatchInviteError.usage("--html needs a file's path")
            }
        }
    }

    /// Puts the report and the page among the command's files, for their checks.
    func register(in files: inout CommandFiles) {
        files.writes(pathGiven ? "--report" : "the report (by default)", path)
        files.writes("--html", html)
    }

    /// Once the command's files passed their checks: a page left by an earlier command
    /// must not pass for this one's (a stream is left alone).
    func prepare() {
        guard let html, case .file(let real)? = try? OutputTarget(html) else { return }
        unlink(real)
    }

    /// `<input name without extension>.report.csv` in the current directory.
    static func defaultPath(for inputPath: String, format: ReportFormat) -> String {
        var name =
            inputPath == "-" ? "stdin" : String(inputPath.split(separator: "/").last ?? "input")
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            name = String(name[..<dot])
        }
        return "\(name).report.\(format.rawValue)"
    }
}
