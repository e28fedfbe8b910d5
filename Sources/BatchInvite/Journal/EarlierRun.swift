import Foundation

/// The state earlier runs left in a journal, replayed for the run that resumes it: which
/// rows are settled for good, which are in doubt, which failed on transient errors.
struct EarlierRun {
    var offsets: [Int64]
    var latest: [RowStatus?]
    var transientFailures: Set<Int>
    var inDoubtRows: Set<Int>
    /// The input's data rows, when a run read it to its end.
    var inputRows: Int?
    var inputBlankRecords: Int
    /// Whether the last run wrote its end (it was not killed).
    var lastRunEnded = true
    /// The journal a `--restart` set aside to begin this one, if one did.
    var restartHistory: String?
    /// How the earlier run read the input (its encoding and preamble in force), when the
    /// journal says; a resumed run reads it the same way.
    var inputOptions: InputOptions?
    /// The earlier runs' starts and seconds.
    var timeline = RunTimeline()
    /// The job the journal records (`JournalHeader.jobID(of:)`), which a resume keeps.
    var jobID: String?

    func status(of row: Int) -> RowStatus? {
        row - 1 < latest.count ? latest[row - 1] : nil
    }

    /// The status of `row` when the earlier run settled it for good (it is not sent
    /// again); nil when this run must handle it: never reached, `not_sent`, in doubt
    /// under `--in-doubt retry`, or failed on transient errors under `--retry-failed`.
    func finalStatus(of row: Int, retryFailed: Bool) -> RowStatus? {
        // Dispatched again after an outcome: the later attempt decides (in doubt).
        guard !inDoubtRows.contains(row), let previous = status(of: row) else { return nil }
        switch previous {
        case .invited, .alreadyInvited, .invalid, .duplicate, .inDoubt, .skipped:
            return previous
        case .failed:
            return retryFailed && transientFailures.contains(row) ? nil : previous
        case .notSent, .valid, .wouldSend, .wouldReinvite, .done, .overLimit:
            return nil
        }
    }

    /// What the journal at `path` says, checked against this run's header `now`; nil for a
    /// new (empty or missing) journal.
    static func read(journal path: String, for now: JournalHeader) throws -> EarlierRun? {
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int,
            size > 0
        else {
            return nil
        }
        let summary = try JournalSummary(path: path, checkHolder: false)
        guard let header = summary.header else {
            throw BatchInviteError.input(
                "the journal \(path) has no header record; use --restart to start over")
        }
        let earlierOptions = JournalHeader.inputOptions(from: header)
        let differences =
            targetDifferences(header, now) + inputDifferences(header, now)
            + readingDifferences(earlierOptions, now)
        guard differences.isEmpty else {
            throw BatchInviteError.input(
                "the journal \(path) belongs to another run (" + differences.joined(separator: ", ")
                    + "); run the same command as before to resume it, or pass --restart to start over "
                    + "(the old journal is set aside and whom it invited is not invited again)")
        }
        return EarlierRun(
            offsets: summary.offsets, latest: summary.latest,
            transientFailures: summary.transientFailures,
            inDoubtRows: Set(summary.inDoubt), inputRows: summary.inputRows,
            inputBlankRecords: summary.inputBlankRecords, lastRunEnded: summary.lastRunEnded,
            restartHistory: header["restart_history"]?.text,
            inputOptions: earlierOptions,
            timeline: summary.timeline, jobID: JournalHeader.jobID(of: header))
    }

    /// How the journal's target differs from this run's: another target, another
    /// definition of it, other `--var` values.
    private static func targetDifferences(_ header: JSONValue, _ now: JournalHeader) -> [String] {
        var differences: [String] = []
        if header["target"]?.text != now.target {
            differences.append("target \(header["target"]?.text ?? "?")")
        }
        if header["target_digest"]?.text != now.targetDigest {
            differences.append(
                header["target_digest"]?.text == nil
                    ? "the built-in target" : "another definition of target \(now.target)")
        }
        if let digest = now.targetDigest, header["target_digest"]?.text == digest,
            header["target_vars"]?.encoded != JournalHeader.varsObject(now.targetVars)
        {
            var vars: [String] = []
            if case .object(let members)? = header["target_vars"] {
                vars = members.map { "--var \($0.key)=\($0.value.text ?? "")" }
            }
            differences.append(vars.isEmpty ? "no --var" : vars.joined(separator: " "))
        }
        return differences
    }

    /// How the journal's base URL and input differ from this run's (its size or content).
    private static func inputDifferences(_ header: JSONValue, _ now: JournalHeader) -> [String] {
        var differences: [String] = []
        if header["base_url"]?.text != now.baseURL {
            differences.append(
                "base URL \(Redactor.hidingUserInfo(header["base_url"]?.text ?? "?"))")
        }
        if let fingerprint = now.fingerprint,
            header["input_size"]?.text != String(fingerprint.size)
                || header["input_hash"]?.text != fingerprint.hashText
        {
            if header["input"]?.text == "-" {
                differences.append(
                    header["input_size"] == nil
                        ? "standard input, which an earlier version did not fingerprint: whether "
                            + "this is the same input cannot be told"
                        : "standard input as it was then: \(header["input_size"]?.text ?? "?") bytes "
                            + "then, \(fingerprint.size) now, or another content")
            } else {
                differences.append(
                    "input \(header["input"]?.text ?? "?") as it was then (its size or content "
                        + "changed)")
            }
        }
        return differences
    }

    /// How the journal's run read its input differently from how this run would: another
    /// encoding, preamble, `--map` or `--where` (another reading is another run: a row
    /// number would mean another person).
    private static func readingDifferences(_ theirs: InputOptions?, _ now: JournalHeader)
        -> [String]
    {
        guard let theirs, let mine = now.inputOptions else { return [] }
        var differences: [String] = []
        if let encoding = mine.encoding, encoding != theirs.encoding {
            differences.append("the input read as \(theirs.encoding.map(\.description) ?? "?")")
        }
        if let lines = mine.skipLines, lines != theirs.skipLines {
            differences.append("--skip-lines \(theirs.skipLines ?? 0)")
        }
        if mine.mappings != theirs.mappings {
            differences.append(
                theirs.mappings.isEmpty
                    ? "no --map"
                    : theirs.mappings.map { "--map \"\($0.header)=\($0.field)\"" }
                        .joined(separator: " "))
        }
        if mine.filters != theirs.filters {
            differences.append(
                theirs.filters.isEmpty
                    ? "no --where"
                    : theirs.filters.map { "--where \"\($0)\"" }.joined(separator: " "))
        }
        return differences
    }
}
