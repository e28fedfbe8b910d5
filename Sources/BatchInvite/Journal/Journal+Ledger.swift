/// What a journal's groups tell the job's ledger.
extension Journal {
    /// The ledger's records for a group: a key sent is in doubt (`d`) until its outcome says
    /// invited (`i`, already invited included) or settles it otherwise (`c`). `dispatched`
    /// holds the rows sent and not settled yet.
    func ledgerRecords(
        _ records: [JournalRecord], _ ledger: Ledger, dispatched dispatchedRows: inout Set<Int>
    ) -> [UInt8] {
        var out: [UInt8] = []
        for record in records {
            switch record {
            case .dispatch(let row, _, let key, let time):
                dispatchedRows.insert(row)
                ledger.appendRecord(key: key, state: .inDoubt, at: time / 1000, to: &out)
            case .outcome(let outcome, _, let time):
                // Only rows in flight are remembered: the set stays as small as --concurrency.
                let dispatched = dispatchedRows.remove(outcome.row) != nil
                let sent = (outcome.attempts ?? 0) > 0 || dispatched
                switch outcome.status {
                case .invited, .alreadyInvited:
                    // A key the ledger itself said was invited is not written again.
                    if sent {
                        ledger.appendRecord(
                            key: outcome.key, state: .invited, at: time / 1000, to: &out)
                    }
                case .failed, .notSent:
                    if sent {
                        ledger.appendRecord(
                            key: outcome.key, state: .settled, at: time / 1000, to: &out)
                    }
                case .inDoubt, .valid, .invalid, .duplicate, .skipped, .wouldSend, .wouldReinvite,
                    .done, .overLimit:
                    break
                }
            case .object:
                break
            }
        }
        return out
    }
}
