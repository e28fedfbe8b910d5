import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What a journal says about its run: the header, each row's latest outcome, and whether
/// a run holds it now. Read with `JournalScanner` (a torn last record is cut off).
public struct JournalSummary {
    public var path: String
    /// The header record's members (target, base_url, input, ...).
    public var header: JSONValue?
    /// Per row (index row - 1): the offset of its latest outcome record, -1 when none.
    public var offsets: [Int64] = []
    /// Rows per status: each row's latest outcome, and rows left in doubt as `in_doubt`.
    public var counts: [RowStatus: Int] = [:]
    /// Per row (index row - 1): its latest outcome's status.
    public var latest: [RowStatus?] = []
    /// Rows whose latest outcome is `failed` after transient errors only.
    public var transientFailures = Set<Int>()
    /// Rows the journal dispatched but holds no outcome for (a run died mid-request).
    public var inDoubt: [Int] = []
    /// Per row (index row - 1): the offset of its dispatch record when it has no outcome
    /// after it, or of its outcome when that is unsettled (the row is in doubt), else -1.
    public var dispatchOffsets: [Int64] = []
    /// How many data rows the input has, when a run read it to its end (an `end` record)
    /// or through before sending (a `start` record's `input_rows`).
    public var inputRows: Int?
    /// Blank records the input has (with `inputRows`).
    public var inputBlankRecords = 0
    /// Whether the last run on the journal wrote its end (it read its input to the end and
    /// recorded every row); false for a run that was killed, or is running.
    public var lastRunEnded = false
    /// The pid and start time written by the run holding the journal, if one does now.
    public var heldBy: String?
    /// When the journal was last written.
    public var lastActivity: Date?
    /// Each run's start and its seconds, as the journal records them.
    public var timeline = RunTimeline()

    /// Reads the journal at `path`; `checkHolder` false when the caller holds its lock (and
    /// may cut off a torn tail), true for an observer (`status`, `report`), which changes
    /// nothing. `boot` is this machine's boot (`BootIdentity`).
    ///
    /// A row dispatched by a run started on this same boot that marks its sends, with no
    /// `sent` record after its dispatch record, was logged ahead and never sent: the run
    /// wrote `sent` before the request, and what a dead process wrote survives in the page cache while the machine
    /// runs. So it is not in doubt. After a restart, unsynced records may be lost: every row
    /// dispatched without an outcome is in doubt.
    public init(path: String, checkHolder: Bool = true, boot: String? = BootIdentity.current)
        throws
    {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw BatchInviteError.usage("no journal at \(path)")
        }
        heldBy = checkHolder ? JournalLock.holder(journal: path) : nil
        var scan = Scan(boot: boot)
        // Only the run holding the journal repairs a torn tail: for anyone else the tail may
        // be a group of records being written right now.
        try JournalScanner.scan(path: path, repairs: !checkHolder) { offset, entry in
            try take(entry, at: offset, &scan)
        }
        settle(scan)
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path) {
            lastActivity = attributes[.modificationDate] as? Date
        }
    }

    /// What reading the journal keeps besides the summary.
    private struct Scan {
        /// This machine's boot.
        let boot: String?
        /// Per row (index row - 1): its latest outcome's status so far.
        var statuses: [RowStatus?] = []
        /// Whether the run whose records are being read started on this boot and marks
        /// its sends.
        var sameBoot = false
        /// Rows dispatched on this boot, with nothing before that put them in doubt, whose
        /// `sent` record has not come (yet).
        var unsent = Set<Int>()

        init(boot: String?) {
            self.boot = boot
        }
    }

    /// Takes one record, written at `offset`.
    private mutating func take(_ entry: JournalEntry, at offset: Int64, _ scan: inout Scan) throws {
        switch entry.kind {
        case .header:
            header = entry.json()
            if let version = header?["version"]?.text.flatMap({ Int($0) }),
                version > JournalFormat.version
            {
                throw BatchInviteError.input(
                    "the journal \(path) was written by a newer batch-invite (journal version "
                        + "\(version)); use that version, or --restart to begin a new journal")
            }
        case .dispatch:
            takeDispatch(entry, at: offset, &scan)
        case .sent:
            if !scan.unsent.isEmpty { scan.unsent.remove(entry.row) }
        case .outcome:
            takeOutcome(entry, at: offset, &scan)
        case .end:
            let json = entry.json()
            inputRows = json?["rows"]?.text.flatMap { Int($0) }
            inputBlankRecords = json?["blank"]?.text.flatMap { Int($0) } ?? 0
            lastRunEnded = true
        case .other:
            guard let json = entry.json() else { return }
            if json["type"]?.text == "start" {
                scan.sameBoot =
                    scan.boot != nil && json["boot"]?.text == scan.boot
                    && json["marks_sent"] == .bool(true)
                lastRunEnded = false
                if let rows = json["input_rows"]?.text.flatMap({ Int($0) }) {
                    inputRows = rows
                    inputBlankRecords = json["input_blank"]?.text.flatMap { Int($0) } ?? 0
                }
            }
            timeline.take(json)
        }
    }

    private mutating func takeDispatch(_ entry: JournalEntry, at offset: Int64, _ scan: inout Scan)
    {
        guard entry.row > 0 else { return }
        while dispatchOffsets.count < entry.row { dispatchOffsets.append(-1) }
        // Logged again by a run that marks its sends: never sent if it was not sent
        // before either (logged ahead by an earlier run on this boot too).
        if scan.sameBoot
            && (dispatchOffsets[entry.row - 1] < 0 || scan.unsent.contains(entry.row))
        {
            scan.unsent.insert(entry.row)
        } else if !scan.unsent.isEmpty {
            scan.unsent.remove(entry.row)
        }
        dispatchOffsets[entry.row - 1] = offset
    }

    private mutating func takeOutcome(_ entry: JournalEntry, at offset: Int64, _ scan: inout Scan) {
        guard entry.row > 0, let status = entry.status else { return }
        let row = entry.row
        if !scan.unsent.isEmpty { scan.unsent.remove(row) }
        while offsets.count < row {
            offsets.append(-1)
            scan.statuses.append(nil)
        }
        offsets[row - 1] = offset
        scan.statuses[row - 1] = status
        if entry.unsettled {
            // In doubt and left for the next run: as if it had died sending the row.
            while dispatchOffsets.count < row { dispatchOffsets.append(-1) }
            dispatchOffsets[row - 1] = offset
        } else if row <= dispatchOffsets.count {
            dispatchOffsets[row - 1] = -1
        }
        if status == .failed && entry.transient {
            transientFailures.insert(row)
        } else if !transientFailures.isEmpty {
            transientFailures.remove(row)
        }
    }

    /// Once every record is read: the rows in doubt, and the counts.
    private mutating func settle(_ scan: Scan) {
        // Logged ahead and never sent: as if never dispatched.
        for row in scan.unsent { dispatchOffsets[row - 1] = -1 }
        // A row dispatched again after an outcome (a resumed run died sending it) is in
        // doubt: its older outcome no longer counts.
        for (index, status) in scan.statuses.enumerated() {
            guard let status, index >= dispatchOffsets.count || dispatchOffsets[index] < 0
            else { continue }
            counts[status, default: 0] += 1
        }
        latest = scan.statuses
        inDoubt = dispatchOffsets.indices.filter { dispatchOffsets[$0] >= 0 }.map { $0 + 1 }
        // Rows left in doubt count as in doubt, whatever an older outcome said.
        if !inDoubt.isEmpty { counts[.inDoubt, default: 0] += inDoubt.count }
    }

    /// Rows with an outcome, or in doubt.
    public var recordedRows: Int { counts.values.reduce(0, +) }

    /// Input rows the runs never reached: no outcome, not dispatched (a run was killed,
    /// or is still running). 0 when the input's row count is not known.
    public var notReached: Int { max((inputRows ?? 0) - recordedRows, 0) }

    /// Every input row: those recorded and those never reached.
    public var rows: Int { recordedRows + notReached }

    /// Rows per status, the rows never reached counted as `not_sent`.
    public var countsWithUnreached: [RowStatus: Int] {
        var all = counts
        if notReached > 0 { all[.notSent, default: 0] += notReached }
        return all
    }

    /// Whether nothing is left to do: no run holds the journal, the input's row count is
    /// known and every row was reached, none is `not_sent` or in doubt.
    public var isSettled: Bool {
        heldBy == nil && header != nil && inputRows != nil && notReached == 0
            && (counts[.notSent] ?? 0) == 0 && inDoubt.isEmpty
    }

    /// Whether the last run wrote its end and left nothing to do.
    public var isFinished: Bool { lastRunEnded && isSettled }

}
