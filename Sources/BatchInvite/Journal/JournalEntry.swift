#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One journal record read back: its checksum checked, and decoded as far as resuming a
/// run needs (kind, row, status) without building a JSON value; the whole object is
/// there too (`json()`, `reportRecord()`) for the few records that need it.
///
/// An entry points into the reader's buffer: it is only valid during the call that
/// received it.
public struct JournalEntry {
    public enum Kind: Sendable, Equatable {
        /// `sent`: a row's first request started (`Journal.markSending`, as `SendQueue.take` hands the row out).
        case header, dispatch, outcome, sent, end, other
    }

    public let kind: Kind
    /// The record's row; 0 when it has none (the header).
    public let row: Int
    /// An outcome's status.
    public let status: RowStatus?
    /// An outcome that failed on transient errors only (`--retry-failed` sends it again).
    public let transient: Bool
    /// An outcome in doubt that a later run treats as in doubt (`OutcomeMarks.unsettled`).
    public let unsettled: Bool
    /// The object's bytes up to its checksum member: `{"type":...` without the closing brace.
    private let members: UnsafeRawBufferPointer

    /// Checks `line` (one journal line without its newline) and decodes it; nil when it is
    /// not a whole record (torn, damaged, or not written by this tool). `verifying` false
    /// skips the checksum, for a line a scan has checked already.
    public init?(line: UnsafeRawBufferPointer, verifying: Bool = true) {
        guard let members = JournalFormat.checkedMembers(line, verifying: verifying) else {
            return nil
        }
        var kind = Kind.other
        var row = 0
        var status: RowStatus?
        var transient = false
        var unsettled = false
        // The writer puts these first (type, flags, row; an outcome's status after its
        // line and key): the walk stops once they are known.
        let wellFormed = FlatJSONObject.forEachMember(members) { key, value in
            switch (Self.knownKey(key), value) {
            case (.type, .string(let text, _)):
                kind = Self.kind(text)
            case (.row, .number(let digits)):
                row = FlatJSONObject.integer(digits) ?? 0
                return kind == .outcome || kind == .other
            case (.status, .string(let text, let escaped)):
                status = escaped ? nil : RowStatus(bytes: text)
                return false
            case (.transient, .bool(let flag)):
                transient = flag
            case (.unsettled, .bool(let flag)):
                unsettled = flag
            default:
                break
            }
            return true
        }
        guard wellFormed else { return nil }
        self.kind = kind
        self.row = row
        self.status = status
        self.transient = transient
        self.unsettled = unsettled
        self.members = members
    }

    /// The whole record as a JSON value.
    public func json() -> JSONValue? {
        var object = Array(members)
        object.append(UInt8(ascii: "}"))
        return try? object.withUnsafeBytes { try JSONParser.parse($0) }
    }

    /// An outcome record as the report line it stands for; a dispatch record as the line
    /// of a row in doubt (without a message).
    public func reportRecord() -> OutcomeRecord? {
        var scratch: [UInt8] = []
        return withReportColumns(scratch: &scratch) { OutcomeRecord($0) }
    }

    /// Calls `body` with an outcome's report columns, the text ones straight from the line
    /// (escaped text decoded into `scratch`); a dispatch record gives those of a row in
    /// doubt (status `in_doubt`, line and key, no message). Nil for other records.
    public func withReportColumns<T>(
        scratch: inout [UInt8], _ body: (OutcomeColumns) throws -> T
    ) rethrows -> T? {
        try Self.withReportColumns(members: members, scratch: &scratch, body)
    }

    /// `withReportColumns(scratch:_:)` for a line a scan has checked already, in one walk
    /// over its members (the report of a million rows reads each line once).
    static func withReportColumns<T>(
        line: UnsafeRawBufferPointer, scratch: inout [UInt8], _ body: (OutcomeColumns) throws -> T
    ) rethrows -> T? {
        guard let members = JournalFormat.checkedMembers(line, verifying: false) else {
            return nil
        }
        return try withReportColumns(members: members, scratch: &scratch, body)
    }

    private static func withReportColumns<T>(
        members: UnsafeRawBufferPointer, scratch: inout [UInt8],
        _ body: (OutcomeColumns) throws -> T
    ) rethrows -> T? {
        var kind = Kind.other
        var status: RowStatus?
        var columns = OutcomeColumns(row: 0, status: .inDoubt)
        var places: (Place, Place, Place, Place) = (.none, .none, .none, .none)
        scratch.removeAll(keepingCapacity: true)
        let wellFormed = FlatJSONObject.forEachMember(members) { key, value in
            switch value {
            case .number(let digits):
                let number = FlatJSONObject.integer(digits)
                switch knownKey(key) {
                case .row: columns.row = number ?? 0
                case .line: columns.line = number ?? 0
                case .httpStatus: columns.httpStatus = number
                case .attempts: columns.attempts = number
                default: break
                }
            case .string(let text, let escaped):
                let place = Place.of(text, escaped: escaped, scratch: &scratch)
                switch knownKey(key) {
                case .type: kind = self.kind(text)
                case .status: status = escaped ? nil : RowStatus(bytes: text)
                case .key: places.0 = place
                case .message: places.1 = place
                case .invitationStatus: places.2 = place
                case .expiresAt: places.3 = place
                default: break
                }
            case .bool, .null, .nested:
                break
            }
            return true
        }
        guard wellFormed, columns.row > 0 else { return nil }
        switch (kind, status) {
        case (.outcome, let status?): columns.status = status
        case (.dispatch, _): columns.status = .inDoubt
        default: return nil
        }
        return try scratch.withUnsafeBytes { decoded in
            columns.key = places.0.bytes(decoded)
            columns.message = places.1.bytes(decoded)
            columns.invitationStatus = places.2.bytes(decoded)
            columns.expiresAt = places.3.bytes(decoded)
            return try body(columns)
        }
    }

    /// Where a text column's bytes are: the line itself, or a range of the scratch buffer.
    private enum Place {
        case none, line(UnsafeRawBufferPointer), scratch(Range<Int>)

        /// Where `text` is: in the line, or (`escaped`) decoded at the end of `scratch`.
        static func of(_ text: UnsafeRawBufferPointer, escaped: Bool, scratch: inout [UInt8])
            -> Place
        {
            guard escaped else { return .line(text) }
            let start = scratch.count
            scratch.append(contentsOf: FlatJSONObject.string(text, escaped: true).utf8)
            return .scratch(start..<scratch.count)
        }

        /// The bytes, `decoded` being the scratch buffer's.
        func bytes(_ decoded: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
            switch self {
            case .none: return UnsafeRawBufferPointer(start: nil, count: 0)
            case .line(let text): return text
            case .scratch(let range): return UnsafeRawBufferPointer(rebasing: decoded[range])
            }
        }
    }

    private enum Key {
        case type, row, status, transient, unsettled, line, key, httpStatus, message
        case invitationStatus
        case expiresAt, attempts, unknown
    }

    /// The members this tool writes, told apart by first byte and then compared.
    private static func knownKey(_ key: UnsafeRawBufferPointer) -> Key {
        switch key.first {
        case UInt8(ascii: "t"):
            return matches(key, "type") ? .type : matches(key, "transient") ? .transient : .unknown
        case UInt8(ascii: "r"): return matches(key, "row") ? .row : .unknown
        case UInt8(ascii: "s"): return matches(key, "status") ? .status : .unknown
        case UInt8(ascii: "l"): return matches(key, "line") ? .line : .unknown
        case UInt8(ascii: "k"): return matches(key, "key") ? .key : .unknown
        case UInt8(ascii: "h"): return matches(key, "http_status") ? .httpStatus : .unknown
        case UInt8(ascii: "m"): return matches(key, "message") ? .message : .unknown
        case UInt8(ascii: "i"):
            return matches(key, "invitation_status") ? .invitationStatus : .unknown
        case UInt8(ascii: "e"): return matches(key, "expires_at") ? .expiresAt : .unknown
        case UInt8(ascii: "a"): return matches(key, "attempts") ? .attempts : .unknown
        case UInt8(ascii: "u"): return matches(key, "unsettled") ? .unsettled : .unknown
        default: return .unknown
        }
    }

    private static func kind(_ text: UnsafeRawBufferPointer) -> Kind {
        if matches(text, "outcome") { return .outcome }
        if matches(text, "dispatch") { return .dispatch }
        if matches(text, "sent") { return .sent }
        if matches(text, "header") { return .header }
        if matches(text, "end") { return .end }
        return .other
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        guard let base = bytes.baseAddress else { return true }
        return memcmp(base, word.utf8Start, bytes.count) == 0
    }
}

extension RowStatus {
    /// The status whose report name is `bytes`.
    init?(bytes: UnsafeRawBufferPointer) {
        // Told apart by length and first letter, then compared: no String on this path.
        let status: RowStatus
        switch (bytes.count, bytes.first) {
        case (5, UInt8(ascii: "v")): status = .valid
        case (7, UInt8(ascii: "i")): status = bytes[3] == UInt8(ascii: "a") ? .invalid : .invited
        case (9, UInt8(ascii: "d")): status = .duplicate
        case (6, UInt8(ascii: "f")): status = .failed
        case (8, UInt8(ascii: "n")): status = .notSent
        case (8, UInt8(ascii: "i")): status = .inDoubt
        case (15, UInt8(ascii: "a")): status = .alreadyInvited
        case (7, UInt8(ascii: "s")): status = .skipped
        default: return nil
        }
        let same =
            status.rawValue.utf8.withContiguousStorageIfAvailable {
                memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0  // both non-empty
            } ?? status.rawValue.utf8.elementsEqual(bytes)
        guard same else { return nil }
        self = status
    }
}
