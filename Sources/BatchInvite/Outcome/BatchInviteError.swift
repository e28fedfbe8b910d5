/// The one error type of the tool. Each case picks an exit code; `description` is the
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

    public var description: String {
        switch self {
        case .usage(let message), .input(let message), .io(let message), .inUse(let message):
            return message
        }
    }

    /// The exit code this error ends the process with (see README, "Exit codes"): `usage`
    /// (2) when the user must fix something first (nothing was sent), `temporary` (5) when
    /// another run holds the journal.
    public var exitCode: ExitCode {
        switch self {
        case .usage, .input, .io: return .usage
        case .inUse: return .temporary
        }
    }
}
