import BatchInvite

/// `--quiet` and `--verbose`: how much a command says besides its errors. Quiet leaves
/// only errors on stderr and nothing on stdout but a report written there (`--report -`);
/// verbose adds one line per HTTP exchange (`LoggingTransport`).
enum Verbosity {
    static let quietSpec = OptionSpec(
        flag: "--quiet",
        help: "say nothing but errors: no notes, warnings, progress or summary line",
        group: .advanced)
    static let verboseSpec = OptionSpec(
        flag: "--verbose",
        help: "a line per request on stderr: method, path, status, time, the answer's "
            + "start (secrets redacted)", group: .common)
    /// `run` takes both (not together).
    static let runSpecs = [verboseSpec, quietSpec]

    /// Whether the command was given `--quiet`. Set once by `main`, on the main thread,
    /// before the command starts any other thread; only read after that.
    nonisolated(unsafe) private(set) static var isQuiet = false

    /// Takes `--quiet` and `--verbose` from the command's arguments (refusing both).
    static func configure(from arguments: Arguments) throws {
        if arguments.has("--quiet") && arguments.has("--verbose") {
            throw BatchInviteError.usage("--quiet and --verbose go one without the other")
        }
        isQuiet = arguments.has("--quiet")
    }
}

/// Writes a line that is not an error (a note, a warning, where the report went) to
/// stderr, unless `--quiet` was given.
func printNote(_ line: String) {
    guard !Verbosity.isQuiet else { return }
    printError(line)
}

/// Writes a command's summary line(s) to stdout, unless `--quiet` was given.
func printSummary(_ text: String) {
    guard !Verbosity.isQuiet else { return }
    StandardOutput.shared.write(text)
}
