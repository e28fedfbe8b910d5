/// One line of the report: what happened to one input record.
public struct ReportRecord: Sendable, Equatable {
    /// The data row's number, from 1.
    public var row: Int
    /// The physical line where the record starts.
    public var line: Int
    /// The row's key (the lower-cased e-mail or UUID).
    public var key: String
    public var status: RowStatus
    /// The HTTP status of the last answer, if a request was answered.
    public var httpStatus: Int?
    /// The API's or the tool's message; empty when there is nothing to say.
    public var message: String
    /// Sendoso's `invitation_status` from a 201.
    public var invitationStatus: String
    /// Sendoso's `expires_at` from a 201, as sent.
    public var expiresAt: String
    /// How many requests were made for the row.
    public var attempts: Int?

    public init(
        row: Int, line: Int, key: String, status: RowStatus, httpStatus: Int? = nil,
        message: String = "",
        invitationStatus: String = "", expiresAt: String = "", attempts: Int? = nil
    ) {
        self.row = row
        self.line = line
        self.key = key
        self.status = status
        self.httpStatus = httpStatus
        self.message = message
        self.invitationStatus = invitationStatus
        self.expiresAt = expiresAt
        self.attempts = attempts
    }

    /// The report's columns, in order.
    public static let columns = [
        "row", "line", "key", "status", "http_status", "message", "invitation_status", "expires_at",
        "attempts",
    ]
}

/// What the journal keeps of an outcome beyond its report line: how a later run treats it.
public struct OutcomeMarks: Sendable, Equatable {
    /// Failed because every attempt met a transient error: `--retry-failed` sends it again.
    public var transient = false
    /// In doubt and not settled: a request's answer was lost, and the run stopped before
    /// trying again. The next run treats the row as in doubt (`--in-doubt`), as if the run
    /// had died sending it.
    public var unsettled = false

    public init(transient: Bool = false, unsettled: Bool = false) {
        self.transient = transient
        self.unsettled = unsettled
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

extension ReportRecord {
    /// Appends the record as one JSON Lines line (the JSONL report's and the journal's
    /// form): every column, empty cells as `null`.
    public func appendJSON(to line: inout [UInt8]) {
        line.append(contentsOf: "{\"row\":".utf8)
        TextBytes.appendInteger(row, to: &line)
        line.append(contentsOf: ",\"line\":".utf8)
        TextBytes.appendInteger(self.line, to: &line)
        line.append(contentsOf: ",\"key\":".utf8)
        Self.append(key, to: &line)
        line.append(contentsOf: ",\"status\":\"".utf8)
        line.append(contentsOf: status.rawValue.utf8)
        line.append(contentsOf: "\",\"http_status\":".utf8)
        Self.append(httpStatus, to: &line)
        line.append(contentsOf: ",\"message\":".utf8)
        Self.append(message, to: &line)
        line.append(contentsOf: ",\"invitation_status\":".utf8)
        Self.append(invitationStatus, to: &line)
        line.append(contentsOf: ",\"expires_at\":".utf8)
        Self.append(expiresAt, to: &line)
        line.append(contentsOf: ",\"attempts\":".utf8)
        Self.append(attempts, to: &line)
        line.append(contentsOf: "}\n".utf8)
    }

    private static func append(_ value: Int?, to line: inout [UInt8]) {
        if let value {
            TextBytes.appendInteger(value, to: &line)
        } else {
            line.append(contentsOf: "null".utf8)
        }
    }

    private static func append(_ text: String, to line: inout [UInt8]) {
        if text.isEmpty {
            line.append(contentsOf: "null".utf8)
        } else {
            TextBytes.appendJSONString(text, to: &line)
        }
    }
}
