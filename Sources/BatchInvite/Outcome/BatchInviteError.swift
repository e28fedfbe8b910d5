/// The tool's errors of its own (the token sources have `CredentialFailure`). Each case picks an exit code; `description` is the
/// single line a person reads on standard error.
public enum BatchInviteError: Error, Equatable, CustomStringConvertible {
    /// The command line is wrong: an unknown option, a malformed value, a missing argument.
    case usage(String)
    /// The input file cannot be used: unreadable, binary, missing columns, broken quoting.
    case input(String)
    /// Reading or writing a file failed.
    case io(String)
    /// Another run holds the journal: trying later may work.
    case inUse(String)
    /// An output (a report, a page, a summary, standard output) could not be written once
    /// the command was under way: a local failure (exit 6), whatever was read or sent.
    case output(String)
    /// The input cannot be read as it stands, and options would make it readable: `fix`
    /// (options and their values, as on a command line) mends every problem `message`
    /// names; `alternatives` are other ways, in words. Exit 2; the tool prints the whole
    /// command line that works.
    case advice(message: String, fix: [String], alternatives: [String])
    /// Standard output's reader went away (`batch-invite inspect big.csv | head`): the
    /// command ends quietly, as a pipeline expects.
    case closedPipe

    public var description: String {
        switch self {
        case .usage(let message), .input(let message), .io(let message), .inUse(let message),
            .output(let message):
            return message
        case .closedPipe:
            return "standard output was closed"
        case .advice(let message, let fix, let alternatives):
            return message + "; give " + ShellWords.join(fix)
                + (alternatives.isEmpty
                    ? "" : " (or: " + alternatives.joined(separator: "; ") + ")")
        }
    }

    /// The exit code this error ends the process with (see README, "Exit codes"): `usage`
    /// (2) when the user must fix something first (nothing was sent), `temporary` (5) when
    /// another run holds the journal, `localFailure` (6) when an output could not be written.
    public var exitCode: ExitCode {
        switch self {
        case .usage, .input, .io, .advice: return .usage
        case .inUse: return .temporary
        case .output: return .localFailure
        case .closedPipe: return .success
        }
    }
}
