/// The tool's exit codes: what a person or a scheduler learns from how a command ended.
/// README, "Exit codes", has the same table.
public enum ExitCode: Sendable, Equatable {
    /// Every row invited (`run`), or valid (`validate`).
    case success
    /// Finished; some rows were not invited, or are invalid: see the report.
    case rowsNotDone
    /// A usage, configuration or input error; nothing was sent.
    case usage
    /// The API rejected the credentials (401/403); the same command resumes once fixed.
    case credentialsRejected
    /// The batch is unfinished: `status` of a journal with rows not sent or in doubt, or
    /// `run --limit` that stopped at its limit; run the same command again.
    case unfinished
    /// Temporary: the API could not be reached or looked down, or another run holds the
    /// journal; run the same command later.
    case temporary
    /// A local failure: an output or the journal could not be written (the disk full, a
    /// device, standard output; for `run`, the journal removed after sending began); the
    /// journal says what was sent and the same command resumes.
    case localFailure
    /// Stopped by a signal (129 for SIGHUP, 130 for SIGINT, 143 for SIGTERM); the same
    /// command resumes.
    case interrupted(signal: Int32)

    /// The process's exit status.
    public var code: Int32 {
        switch self {
        case .success: return 0
        case .rowsNotDone: return 1
        case .usage: return 2
        case .credentialsRejected: return 3
        case .unfinished: return 4
        case .temporary: return 5
        case .localFailure: return 6
        case .interrupted(let signal): return 128 + signal
        }
    }

    /// A short name of what the code means (the JSON summary's `exit_meaning`).
    public var meaning: String {
        switch self {
        case .success: return "done"
        case .rowsNotDone: return "rows_not_done"
        case .usage: return "usage_or_input_error"
        case .credentialsRejected: return "credentials_rejected"
        case .unfinished: return "unfinished"
        case .temporary: return "temporary"
        case .localFailure: return "local_failure"
        case .interrupted: return "interrupted"
        }
    }

    /// The code for an exit status, when it is one of the tool's.
    public init?(code: Int32) {
        switch code {
        case 0: self = .success
        case 1: self = .rowsNotDone
        case 2: self = .usage
        case 3: self = .credentialsRejected
        case 4: self = .unfinished
        case 5: self = .temporary
        case 6: self = .localFailure
        case 129...192: self = .interrupted(signal: code - 128)
        default: return nil
        }
    }

    /// The table for `--help` texts.
    public static let summary = """
        exit codes:
          0        every row invited or already invited (run), or valid (validate)
          1        finished; some rows not invited, or invalid or duplicate (unless
                   run --invalid-rows report); see the report
          2        usage, configuration or input error (an output that is another of
                   the command's files, or cannot be written); nothing sent
          3        the credentials were rejected (by the API: 401/403, or by the token
                   source)
          4        the batch is unfinished (status; run --limit stopped at its limit);
                   run the same command again
          5        temporary: the API or the token source unreachable or down, or the
                   journal held by another run; run the same command later
          6        a local failure: an output or the journal could not be written (disk
                   full, standard output); for run the journal says what was sent and
                   the same command resumes
          129/130/143  interrupted by SIGHUP/SIGINT/SIGTERM; the same command resumes
        """
}
