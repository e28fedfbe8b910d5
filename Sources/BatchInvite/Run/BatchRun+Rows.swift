/// How a run hands on each row it reads.
extension BatchRun {
    /// What the rows read so far came to.
    struct SendCounts {
        /// The last row read.
        var rowsRead = 0
        /// Rows an earlier run settled.
        var alreadyDone = 0
    }

    /// Reads the checked rows and hands each on (`act`), counting those an earlier run
    /// settled.
    func send(_ parts: Parts, _ known: Known, _ counts: inout SendCounts) throws {
        let retryFailed = configuration.retryFailed
        // Rows an earlier run finished are not sent: no request body to build for them.
        var needsPayload: (@Sendable (Int) -> Bool)?
        if let earlier = known.earlier {
            needsPayload = { earlier.finalStatus(of: $0, retryFailed: retryFailed) == nil }
        }
        // Checked ahead whatever the cores: this thread hands rows to the dispatcher, which
        // sends from its own, and neither should wait for the checks.
        let rows = parts.pipeline.checkedRows(
            requestPath: configuration.sending.path, needsPayload: needsPayload, readAhead: 2,
            checksAhead: true)
        let decider = RowDecider(
            configuration: configuration, earlier: known.earlier, ledger: known.ledger,
            history: known.history, historySource: known.historySource)
        try rows.forEachBatch { batch in
            guard batch.count > 0 else { return }
            counts.rowsRead = batch[batch.count - 1].row
            parts.journal.expect(rowsUpTo: counts.rowsRead)
            for index in 0..<batch.count {
                var row = batch[index].checkedRow
                let decision = decider.decide(&row)
                if case .settledEarlier(let previous) = decision {
                    parts.statistics.count(previous, fromEarlierRun: true)
                    counts.alreadyDone += 1
                    continue
                }
                act(on: row, decision, parts, known)
            }
        }
    }

    /// Does what was decided for a row: records it (counted), or hands it on to be sent,
    /// with a note when it may reach the person again.
    private func act(
        on checked: CheckedRow, _ decision: RowDecider.Decision, _ parts: Parts, _ known: Known
    ) {
        var row = checked
        switch decision {
        case .settledEarlier: return
        case .recordedAsChecked:
            record(row, row.status, row.message, parts)
        case .inDoubtNotSent:
            record(row, .inDoubt, RowDecider.inDoubtNotSentMessage, parts)
        case .settledByKey(let outcome):
            parts.statistics.count(outcome.status)
            parts.journal.append(outcome)
        case .send(again: .inDoubt):
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
            submit(row, parts)
        case .send(again: .knownKey(let entry)):
            if entry.state == .inDoubt { parts.statistics.resentInDoubt() }
            submit(row, parts)
        case .send(again: nil):
            submit(row, parts)
        }
    }

    /// Hands a valid row on to be sent, through the journal (`SendQueue`) to the
    /// dispatcher (which applies `--limit` as it admits rows, so that a stop before then
    /// is what they say); or records it `not_sent` once the run stopped.
    private func submit(_ row: CheckedRow, _ parts: Parts) {
        guard !control.isStopped, parts.sending.submit(row) else {
            record(row, .notSent, control.notSentMessage + row.note, parts, attempts: 0)
            return
        }
    }

    /// Records `row` unsent with `status` and `message`, counted; `attempts` 0 for a row
    /// that was to be sent, as the dispatcher records one it did not send.
    private func record(
        _ row: CheckedRow, _ status: RowStatus, _ message: String, _ parts: Parts,
        attempts: Int? = nil
    ) {
        parts.statistics.count(status)
        parts.journal.append(
            OutcomeRecord(
                row: row.row, line: row.line, key: row.key, status: status, message: message,
                attempts: attempts))
    }
}
