/// The job's ledger, seen from a run (or a dry run's plan).
extension BatchRun.Configuration {
    /// What the ledger makes of a valid row: the outcome it ends with unsent (already
    /// invited; in doubt under `--in-doubt skip`), or nil to send it, with a note saying why
    /// it may reach the person again.
    func ledgerOutcome(of row: inout CheckedRow, _ entry: Ledger.Entry, ledger: String)
        -> OutcomeRecord?
    {
        // The ledger keeps the minute: "2026-11-30T19:21Z".
        let date = Clock.iso8601(milliseconds: entry.at * 1000).prefix(16) + "Z"
        func outcome(_ status: RowStatus, _ message: String) -> OutcomeRecord {
            OutcomeRecord(
                row: row.row, line: row.line, key: row.key, status: status, message: message)
        }
        switch entry.state {
        case .invited:
            let age = Double(Clock.wallMilliseconds() / 1000 - entry.at) / 86_400
            if let days = reinviteAfterDays, age >= days {
                row.note =
                    " (note: invited on \(date) by an earlier run; sent again after "
                    + "--reinvite-after \(BatchRun.days(days)))"
                return nil
            }
            return outcome(
                .alreadyInvited, "invited on \(date) by an earlier run (ledger \(ledger))")
        case .inDoubt:
            if sending.inDoubt == .skip {
                return outcome(
                    .inDoubt,
                    "in doubt: an earlier run sent it on \(date) and got no answer (ledger "
                        + "\(ledger)); not sent again (--in-doubt skip)")
            }
            row.note =
                " (note: an earlier run sent it on \(date) and got no answer, so "
                + "\(RepeatNote.words) twice)"
            return nil
        case .settled, .forgotten:
            return nil
        }
    }

    /// What the history of the journal set aside by `--restart` makes of a valid row: the
    /// outcome it ends with unsent (already invited; in doubt under `--in-doubt skip`), or
    /// nil to send it, with a note when it may reach the person again.
    func historyOutcome(of row: inout CheckedRow, _ entry: Ledger.Entry, setAside: String)
        -> OutcomeRecord?
    {
        let date = Clock.iso8601(milliseconds: entry.at * 1000).prefix(16) + "Z"
        switch entry.state {
        case .invited:
            return OutcomeRecord(
                row: row.row, line: row.line, key: row.key, status: .alreadyInvited,
                message:
                    "invited on \(date) by the run this restart set aside (journal \(setAside))")
        case .inDoubt:
            if sending.inDoubt == .skip {
                return OutcomeRecord(
                    row: row.row, line: row.line, key: row.key, status: .inDoubt,
                    message:
                        "in doubt: the run this restart set aside sent it on \(date) and got no "
                        + "answer (journal \(setAside)); not sent again (--in-doubt skip)")
            }
            row.note =
                " (note: the run this restart set aside sent it on \(date) and got no answer, so "
                + "this person may have been invited twice)"
            return nil
        case .settled, .forgotten:
            return nil
        }
    }

}

extension BatchRun {
    static func days(_ days: Double) -> String {
        days == days.rounded() ? "\(Int(days)) days" : "\(days) days"
    }
}
