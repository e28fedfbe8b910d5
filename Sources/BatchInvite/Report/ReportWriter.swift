/// Writes the report, one line per input record, in CSV or JSON Lines, UTF-8 without BOM.
///
/// In CSV, a cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
/// tab, CR, LF or NUL) is prefixed with `'` (OWASP's advice on CSV injection); JSON Lines
/// keeps values as they are. Empty cells are `null` in JSON Lines.
public final class ReportWriter: OutcomeSink {
    public let format: ReportFormat
    private let file: OutputFile
    private var line = JSONWriter()
    /// Gathers the report's overview (for the HTML page) as lines are written, if asked.
    private let tally: ReportTally?

    /// The overview of the lines written so far, when the writer gathers one.
    public var overview: ReportOverview? { tally?.overview }

    /// Creates the report at `path` (in place only after `finish()`), header included;
    /// `overview` to gather the report's overview too.
    public init(path: String, format: ReportFormat, overview: Bool = false) throws {
        self.format = format
        tally = overview ? ReportTally() : nil
        file = try OutputFile(path: path)
        if format == .csv {
            try file.append(OutcomeRecord.columns.joined(separator: ",") + "\n")
        }
    }

    /// The path the report goes to.
    public var path: String { file.path }

    /// Appends one record.
    public func write(_ record: OutcomeRecord) throws {
        switch format {
        case .csv:
            var (key, message) = (record.key, record.message)
            var (invitation, expiry) = (record.invitationStatus, record.expiresAt)
            try key.withUTF8 { key in
                try message.withUTF8 { message in
                    try invitation.withUTF8 { invitation in
                        try expiry.withUTF8 { expiry in
                            try writeCSV(
                                row: record.row, line: record.line,
                                key: UnsafeRawBufferPointer(key),
                                status: record.status, httpStatus: record.httpStatus,
                                message: UnsafeRawBufferPointer(message),
                                invitationStatus: UnsafeRawBufferPointer(invitation),
                                expiresAt: UnsafeRawBufferPointer(expiry), attempts: record.attempts
                            )
                        }
                    }
                }
            }
        case .jsonl:
            if let tally {
                var (key, message) = (record.key, record.message)
                key.withUTF8 { key in
                    message.withUTF8 { message in
                        tally.add(
                            row: record.row, line: record.line, key: UnsafeRawBufferPointer(key),
                            status: record.status, httpStatus: record.httpStatus,
                            message: UnsafeRawBufferPointer(message))
                    }
                }
            }
            var line = JSONWriter()
            swap(&line, &self.line)  // one access to the stored buffer, not one per byte
            defer { swap(&line, &self.line) }
            line.reset()
            record.writeJSONLine(to: &line)
            try line.bytes.withUnsafeBytes { try file.append($0) }
        }
    }

    /// Appends the line of an outcome whose columns are borrowed (read back from the
    /// journal, or a checked row's).
    @inline(__always)
    public func write(_ columns: OutcomeColumns) throws {
        guard format == .csv else { return try write(OutcomeRecord(columns)) }
        try writeCSV(
            row: columns.row, line: columns.line, key: columns.key, status: columns.status,
            httpStatus: columns.httpStatus, message: columns.message,
            invitationStatus: columns.invitationStatus, expiresAt: columns.expiresAt,
            attempts: columns.attempts)
    }

    @inline(__always)
    private func writeCSV(
        row: Int, line: Int, key: UnsafeRawBufferPointer, status: RowStatus, httpStatus: Int?,
        message: UnsafeRawBufferPointer, invitationStatus: UnsafeRawBufferPointer,
        expiresAt: UnsafeRawBufferPointer, attempts: Int?
    ) throws {
        if let tally {
            tally.add(
                row: row, line: line, key: key, status: status, httpStatus: httpStatus,
                message: message)
        }
        let text = key.count + message.count + invitationStatus.count + expiresAt.count
        try file.write(atMost: CSVCells.bound(textBytes: text)) { start in
            var cursor = start
            CSVCells.putLine(
                row: row, line: line, key: key, status: status, httpStatus: httpStatus,
                message: message, invitationStatus: invitationStatus, expiresAt: expiresAt,
                attempts: attempts, at: &cursor)
            return cursor - start
        }
    }

    /// Puts the finished report in place.
    /// `durable` false skips syncing it to disk first, for a report that is quicker to make
    /// again than to sync (`validate`'s); a run's report is synced.
    public func finish(durable: Bool = true) throws {
        try file.commit(durable: durable)
    }
}

/// The report's file formats.
public enum ReportFormat: String, Sendable {
    case csv
    case jsonl

    /// The format a report path's extension says: JSON Lines for `.jsonl`/`.ndjson`.
    public init(path: String) {
        self = InputFormat(path: path) == .jsonl ? .jsonl : .csv
    }
}

/// A report's overview as it is gathered: rows that are done only counted (a million of
/// them cost a few milliseconds), the others (and the done ones with a `RepeatNote`)
/// handed to the `ReportOverview`.
final class ReportTally {
    private let done = UnsafeMutablePointer<Int>.allocate(capacity: 3)
    private var details = ReportOverview()

    init() {
        done.initialize(repeating: 0, count: 3)
    }

    deinit {
        done.deallocate()
    }

    @inline(__always)
    func add(
        row: Int, line: Int, key: UnsafeRawBufferPointer, status: RowStatus, httpStatus: Int?,
        message: UnsafeRawBufferPointer
    ) {
        switch status {
        case .valid: done[0] += 1
        case .invited where !RepeatNote.isIn(message): done[1] += 1
        case .alreadyInvited where !RepeatNote.isIn(message): done[2] += 1
        case .invited, .alreadyInvited, .invalid, .duplicate, .failed, .notSent, .inDoubt,
            .skipped, .wouldSend, .wouldReinvite, .done, .overLimit:
            details.add(
                row: row, line: line, key: key, status: status, httpStatus: httpStatus,
                message: message)
        }
    }

    var overview: ReportOverview {
        var overview = details
        overview.count(.valid, times: done[0])
        overview.count(.invited, times: done[1])
        overview.count(.alreadyInvited, times: done[2])
        return overview
    }
}
