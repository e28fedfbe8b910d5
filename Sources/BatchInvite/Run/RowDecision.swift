/// What a run does with one checked row, decided in one place for the run (`BatchRun`) and
/// for its dry-run plan (`RunPlan`), so that a plan says what the same command does. The
/// order: settled for good by an earlier run of this journal; invalid, duplicate or
/// skipped; in doubt since an earlier run; known to the ledger; known to a restart's
/// history; else sent.
struct RowDecider {
    enum Decision {
        /// An earlier run of this journal settled it for good (its status): not handled
        /// again.
        case settledEarlier(RowStatus)
        /// Invalid, duplicate or skipped (`--where`): recorded as checked.
        case recordedAsChecked
        /// In doubt since an earlier run and not sent again (`--in-doubt skip`).
        case inDoubtNotSent
        /// The ledger or a restart's history knows its key, and the row ends with this
        /// outcome unsent.
        case settledByKey(OutcomeRecord)
        /// Sent; `again` says why it may reach the person a second time (nil: it may not).
        case send(again: Again?)
    }

    enum Again {
        /// An earlier run of this journal stopped while sending it (`--in-doubt retry`).
        case inDoubt
        /// The ledger or a restart's history knows its key (`row.note` says what it knows).
        case knownKey(Ledger.Entry)
    }

    /// The message of a row in doubt that is not sent again.
    static let inDoubtNotSentMessage =
        "in doubt: an earlier run stopped while sending this row, so it may have arrived; "
        + "not sent again (--in-doubt skip)"

    let configuration: BatchRun.Configuration
    let earlier: EarlierRun?
    let ledger: Ledger?
    /// What the journal set aside by `--restart` knew, and that journal's path.
    let history: Ledger?
    let historySource: String?

    /// The decision for `row`; a row the ledger or the history lets be sent gets the note
    /// saying why it may reach the person again.
    func decide(_ row: inout CheckedRow) -> Decision {
        if let previous = earlier?.finalStatus(of: row.row, retryFailed: configuration.retryFailed)
        {
            return .settledEarlier(previous)
        }
        guard row.status == .valid else { return .recordedAsChecked }
        if earlier?.inDoubtRows.contains(row.row) == true {
            return configuration.sending.inDoubt == .skip ? .inDoubtNotSent : .send(again: .inDoubt)
        }
        if let ledger, let entry = ledger.entry(for: row.key) {
            guard let outcome = configuration.ledgerOutcome(of: &row, entry, ledger: ledger.path)
            else { return .send(again: .knownKey(entry)) }
            return .settledByKey(outcome)
        }
        if let history, let historySource, let entry = history.entry(for: row.key) {
            guard
                let outcome = configuration.historyOutcome(of: &row, entry, setAside: historySource)
            else { return .send(again: .knownKey(entry)) }
            return .settledByKey(outcome)
        }
        return .send(again: nil)
    }
}
