/// The one error type of the tool. Each case picks an exit code; `description` is the
/// single line a person reads on standard error.
public enum BatchInviteError: Error, Equatable, CustomStringConvertible {
    /// The command line is wrong: an unknown option, a malformed value, a missing argument.
    case usage(String)
    /// The input file cannot be used: unreadable, binary, missing columns, broken quoting.
    case input(String)
    /// Reading or writing a file failed.
    case io(String)

    public var description: String {
        switch self {
        case .usage(let message), .input(let message), .io(let message):
            return message
        }
    }

    /// The exit code this error ends the process with: `usage` (2) for all of them, because
    /// nothing was sent and the user must fix something first (see README, "Exit codes").
    public var exitCode: ExitCode { .usage }
}
