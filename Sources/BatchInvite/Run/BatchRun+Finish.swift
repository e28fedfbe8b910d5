import Foundation

/// How a run ends: the journal closed and the report written from it.
extension BatchRun {
    /// Closes the journal and writes the report from it. The report is read through the
    /// journal's own open file, so it is complete even when the journal's path was lost;
    /// the journal is then written back. Failures here, after sending began, are reported
    /// in the result (exit 6), not thrown; `rowsRead` is nil when reading stopped early.
    func finish(_ parts: Parts, rowsRead: Int?, alreadyDone: Int, reachedLimit: Bool = false)
        throws -> Result
    {
        let blankRecords = parts.pipeline.source.blankRecordsSkipped
        if let rowsRead {
            parts.journal.end(rows: rowsRead, blankRecordsSkipped: blankRecords)
        }
        var problems = close(parts.journal)
        problems += writeReport(parts)
        let snapshot = parts.statistics.snapshot
        if !problems.isEmpty, snapshot.requests == 0, control.stopReason == nil {
            // Nothing was sent: an ordinary error of the files (exit 2).
            throw BatchInviteError.io(problems.joined(separator: "; "))
        }
        var result = Result(
            statistics: snapshot, stop: stop, blankRecordsSkipped: blankRecords,
            alreadyDone: alreadyDone, localFailure: localFailure(problems, snapshot.requests),
            reachedLimit: reachedLimit, overview: parts.writer.overview)
        result.timeline = parts.timeline
        return result
    }

    /// Closes the journal, and writes it back when its path was lost; returns what went
    /// wrong, for the user.
    private func close(_ journal: Journal) -> [String] {
        var problems: [String] = []
        do {
            try journal.close()
        } catch {
            problems.append("\(error)")
        }
        guard journal.pathLost else { return problems }
        if let restored = journal.restore() {
            problems.append(
                "its content was written back to \(restored) from the open file"
                    + (restored == configuration.journalPath
                        ? "" : "; move it to \(configuration.journalPath) to resume"))
        } else {
            problems.append("it could not be written back: the next run starts afresh")
        }
        return problems
    }

    /// Writes the report from the closed journal; returns what went wrong, for the user.
    private func writeReport(_ parts: Parts) -> [String] {
        let unwritten = parts.journal.outcomesNotWritten
        guard unwritten == 0 else {
            // A report made from the journal would leave their rows out.
            let older =
                FileManager.default.fileExists(atPath: configuration.reportPath)
                ? " (\(configuration.reportPath) is an older report)" : ""
            return [
                "the report could not be written (\(unwritten) "
                    + (unwritten == 1 ? "outcome" : "outcomes")
                    + " could not be written to the journal)\(older)"
            ]
        }
        do {
            try parts.journal.writeOutcomes(to: parts.writer)
            try parts.writer.finish()
        } catch {
            return ["the report could not be written (\(error))"]
        }
        return []
    }

    /// Why the run stopped before its end, if it did.
    private var stop: Stop? {
        guard let reason = control.stopReason else { return nil }
        var stop = Stop(reason: reason.description, exitCode: reason.exitCode)
        if case .firstRequestFailed(let failure) = reason,
            failure.cause == .untrustedCertificate
        {
            stop.untrustedCertificate = curl.describeServerCertificate()
        }
        return stop
    }

    /// The local failure the run ends with (exit 6), from `problems` and a stop for one,
    /// with what the journal says of the `requests` sent; nil when there was none.
    private func localFailure(_ problems: [String], _ requests: Int) -> String? {
        guard !problems.isEmpty || control.stopReason?.exitCode == .localFailure else {
            return nil
        }
        var parts: [String] = []
        if case .localFailure(let reason)? = control.stopReason { parts.append(reason) }
        parts += problems.filter { !parts.contains($0) }
        return parts.joined(separator: "; ") + "; \(requests) "
            + (requests == 1 ? "request was" : "requests were")
            + " sent in this run, and the journal records them: the same command resumes"
    }

    /// The result of a run whose journal already settles every row of the input (it was
    /// read to its end, and no row is left to send or in doubt): the report is written from
    /// the journal alone, without reading the input again (its fingerprint, checked in
    /// `EarlierRun.read`, says it has not changed). Nil when there is work left.
    func finishedAlready(_ earlier: EarlierRun) throws -> Result? {
        guard header.fingerprint != nil, let rows = earlier.inputRows,
            earlier.lastRunEnded, earlier.inDoubtRows.isEmpty, earlier.offsets.count == rows
        else { return nil }
        var counts: [RowStatus: Int] = [:]
        for row in stride(from: 1, through: rows, by: 1) {
            guard let status = earlier.finalStatus(of: row, retryFailed: configuration.retryFailed)
            else { return nil }
            counts[status, default: 0] += 1
        }
        let statistics = RunStatistics()
        for (status, count) in counts {
            statistics.count(status, times: count, fromEarlierRun: true)
        }
        let writer = try ReportWriter(
            path: configuration.reportPath, format: configuration.reportFormat,
            overview: configuration.overview)
        try JournalReader(path: configuration.journalPath).writeOutcomes(
            at: earlier.offsets, to: writer)
        try writer.finish()
        return Result(
            statistics: statistics.snapshot, blankRecordsSkipped: earlier.inputBlankRecords,
            alreadyDone: rows, overview: writer.overview, timeline: earlier.timeline)
    }
}
