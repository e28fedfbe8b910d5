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
        let decider = RowDecider(
            configuration: configuration, earlier: known.earlier, ledger: known.ledger,
            history: known.history, historySource: known.historySource)
        try rows.forEachBatch { batch in
            guard batch.count > 0 else { return }
            rowsRead = batch[batch.count - 1].row
            parts.offsets.reserve(row: rowsRead)
            for index in 0..<batch.count {
                var row = batch[index].checkedRow
                let decision = decider.decide(&row)
                if case .settledEarlier(let previous) = decision {
                    parts.statistics.count(previous, fromEarlierRun: true)
                    alreadyDone += 1
                    continue
                }
                act(on: row, decision, parts, known)
            }
        }
    }

    /// Does what was decided for a row: records it (counted), or hands it to the
    /// dispatcher, with a note when it may reach the person again.
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
            parts.record(outcome, OutcomeMarks())
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
            parts.dispatcher.submit(row)
        case .send(again: .knownKey(let entry)):
            if entry.state == .inDoubt { parts.statistics.resentInDoubt() }
            parts.dispatcher.submit(row)
        case .send(again: nil):
            parts.dispatcher.submit(row)
        }
    }

    /// Records `row` unsent with `status` and `message`, counted.
    private func record(_ row: CheckedRow, _ status: RowStatus, _ message: String, _ parts: Parts) {
        parts.statistics.count(status)
        parts.record(
            OutcomeRecord(
                row: row.row, line: row.line, key: row.key, status: status, message: message),
            OutcomeMarks())
    }
}
