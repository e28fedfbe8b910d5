/// A row after validation: where it came from, its key and its status so far.
public struct CheckedRow: Sendable, Equatable {
    /// The data row's number, from 1.
    public var row: Int
    /// The physical line where the row starts.
    public var line: Int
    /// The row's key (normalised), or what there is of it in an invalid row.
    public var key: String
    /// `valid`, `invalid`, or `duplicate` once `DuplicateFilter` has seen it.
    public var status: RowStatus
    /// Why the row is invalid or a duplicate; empty for a valid row.
    public var message: String
    /// `KeyDigest.digest` of the key, for a valid row (computed here, off the ordered path).
    public var keyDigest: UInt64 = 0
    /// What the row's request carries, for a valid row when the check builds payloads: its
    /// path and query when they place a value of the row (else nothing), a 0 byte, and its
    /// body (`Target.payload`).
    public var payload: [UInt8] = []
    /// Said at the end of the row's message whatever happens (an earlier interrupted
    /// attempt, for a resumed row).
    public var note: String = ""

    public init(row: Int, line: Int, key: String, status: RowStatus, message: String) {
        self.row = row
        self.line = line
        self.key = key
        self.status = status
        self.message = message
    }
}
