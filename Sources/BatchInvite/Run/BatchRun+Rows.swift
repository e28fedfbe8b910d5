/// How a run hands on each row it reads.
extension BatchRun {
    /// Reads the checked rows and hands each on (`route`), counting those an earlier run
    /// settled; `rowsRead` is the last row read.
    func send(_ parts: Parts, _ known: Known, rowsRead: inout Int, alreadyDone: inout Int)
        throws
    {
        let retryFailed = configuration.retryFailed
        // Rows an earlier run finished are not sent: no request body to build for them.
        var needsPayload: (@Sendable (Int) -> Bool)?
        if let earlier = known.earlier {
            needsPayload = { earlier.finalStatus(of: $0, retryFailed: retryFailed) == nil }
        }
        // Checked ahead whatever the cores: this thread hands rows to the dispatcher, which
        // sends from its own, and neither should wait for the checks.
        let rows = parts.pipeline.checkedRows(
            payloads: true, needsPayload: needsPayload, readAhead: 2, checksAhead: true)
        try rows.forEachBatch { batch in
            guard batch.count > 0 else { return }
            rowsRead = batch[batch.count - 1].row
            parts.offsets.reserve(row: rowsRead)
            for index in 0..<batch.count {
                if let previous = known.earlier?.finalStatus(
                    of: batch[index].row, retryFailed: retryFailed)
                {
                    parts.statistics.count(previous, fromEarlierRun: true)
                    alreadyDone += 1
                    continue
                }
                route(batch[index].checkedRow, parts, known)
            }
        }
    }

    /// Records an invalid or duplicate row; a row an earlier run left in doubt is recorded
    /// in doubt (`--in-doubt skip`) or sent again; a row whose key the ledger or a
    /// restart's history knows is settled or sent (`settle`); any other valid row is sent.
    private func route(_ checked: CheckedRow, _ parts: Parts, _ known: Known) {
        var row = checked
        if row.status != .valid {
            parts.statistics.count(row.status)
            parts.record(
                OutcomeRecord(
                    row: row.row, line: row.line, key: row.key, status: row.status,
                    message: row.message),
                OutcomeMarks())
            return
        }
        if known.earlier?.inDoubtRows.contains(row.row) == true {
            if configuration.sending.inDoubt == .skip {
                parts.statistics.count(.inDoubt)
                parts.record(
                    OutcomeRecord(
                        row: row.row, line: row.line, key: row.key, status: .inDoubt,
                        message:
                            "in doubt: an earlier run stopped while sending this row, so it may have "
                            + "arrived; not sent again (--in-doubt skip)"),
                    OutcomeMarks())
                return
            }
            if let idempotency = idempotency(known.earlier) {
                // The same key as the attempt that may have arrived: the API acts once.
                row.note =
                    " (note: an earlier run stopped while sending this row; sent again with the "
                    + "same \(idempotency.header), so the API acts on it once)"
            } else {
                parts.statistics.resentInDoubt()
                row.note =
                    " (note: an earlier run stopped while sending this row, so it may have "
                    + "arrived before; \(RepeatNote.words) twice)"
            }
        } else if let ledger = known.ledger, let entry = ledger.entry(for: row.key) {
            let outcome = configuration.ledgerOutcome(of: &row, entry, ledger: ledger.path)
            return settle(row, known: entry, outcome, parts)
        } else if let history = known.history, let historySource = known.historySource,
            let entry = history.entry(for: row.key)
        {
            let outcome = configuration.historyOutcome(of: &row, entry, setAside: historySource)
            return settle(row, known: entry, outcome, parts)
        }
        parts.dispatcher.submit(row)
    }

    /// A row whose key the ledger or a restart's history knows: recorded with the
    /// outcome it ends with unsent, or sent (again, when it was in doubt).
    private func settle(
        _ row: CheckedRow, known entry: Ledger.Entry, _ outcome: OutcomeRecord?, _ parts: Parts
    ) {
        guard let outcome else {
            if entry.state == .inDoubt { parts.statistics.resentInDoubt() }
            parts.dispatcher.submit(row)
            return
        }
        parts.statistics.count(outcome.status)
        parts.record(outcome, OutcomeMarks())
    }
}
