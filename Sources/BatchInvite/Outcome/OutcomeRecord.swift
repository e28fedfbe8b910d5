/// What happened to one input record: the journal's outcome record and the report's line.
public struct OutcomeRecord: Sendable, Equatable {
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
