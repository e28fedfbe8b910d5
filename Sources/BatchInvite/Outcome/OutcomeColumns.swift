/// A row's report columns as bytes borrowed from where they lie (a journal line read back,
/// a checked batch), valid only during the call that received them: the report is written
/// from them without a `String` per cell.
public struct OutcomeColumns {
    /// The data row's number, from 1.
    public var row: Int
    /// The physical line where the row starts.
    public var line = 0
    public var status: RowStatus
    /// The HTTP status of the last answer, if a request was answered.
    public var httpStatus: Int?
    /// How many requests were made for the row, if any.
    public var attempts: Int?
    /// The text columns (`OutcomeRecord`'s), empty when there is nothing.
    public var key = UnsafeRawBufferPointer(start: nil, count: 0)
    public var message = UnsafeRawBufferPointer(start: nil, count: 0)
    public var invitationStatus = UnsafeRawBufferPointer(start: nil, count: 0)
    public var expiresAt = UnsafeRawBufferPointer(start: nil, count: 0)

    /// The columns of row `row` with `status`, the others empty.
    public init(row: Int, status: RowStatus) {
        self.row = row
        self.status = status
    }

    /// The columns of a row that was checked, not sent: no HTTP status, attempts or
    /// invitation.
    public init(
        row: Int, line: Int, status: RowStatus, key: UnsafeRawBufferPointer,
        message: UnsafeRawBufferPointer
    ) {
        self.init(row: row, status: status)
        self.line = line
        self.key = key
        self.message = message
    }
}

extension OutcomeRecord {
    /// The record with its own copies of `columns`' text.
    public init(_ columns: OutcomeColumns) {
        func text(_ bytes: UnsafeRawBufferPointer) -> String {
            String(decoding: bytes, as: UTF8.self)
        }
        self.init(
            row: columns.row, line: columns.line, key: text(columns.key), status: columns.status,
            httpStatus: columns.httpStatus, message: text(columns.message),
            invitationStatus: text(columns.invitationStatus), expiresAt: text(columns.expiresAt),
            attempts: columns.attempts)
    }
}
