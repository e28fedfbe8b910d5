/// What became of a row; the report's `status` column.
public enum RowStatus: String, Sendable, CaseIterable {
    /// Passed validation (`validate` only).
    case valid
    /// Failed validation: never sent.
    case invalid
    /// Same key as an earlier valid row: never sent.
    case duplicate
    /// The API accepted the invitation.
    case invited
    /// The person already has an invitation (the API said so, or a ledger of earlier runs
    /// does): nothing more to do.
    case alreadyInvited = "already_invited"
    /// The API refused it, or every attempt failed.
    case failed
    /// The run stopped before sending it.
    case notSent = "not_sent"
    /// Sent, but whether it arrived is unknown.
    case inDoubt = "in_doubt"
    /// Left out by a `--where` condition: not a person to invite; never sent, and done.
    case skipped
    // What a dry run (`run --dry-run`) plans for a row, nothing being sent:
    /// Would be sent.
    case wouldSend = "would_send"
    /// Would be sent again: the ledger says it was invited over `--reinvite-after` days ago.
    case wouldReinvite = "would_reinvite"
    /// Settled by an earlier run of this journal (invited, already invited, skipped).
    case done
    /// Would be sent but for `--limit`: a later run sends it.
    case overLimit = "over_limit"

    /// The statuses of a dry run's plan, in the report's order.
    public static let planned: [RowStatus] = [
        .wouldSend, .wouldReinvite, .inDoubt, .done, .alreadyInvited, .failed, .overLimit,
        .invalid, .duplicate, .skipped,
    ]
}
