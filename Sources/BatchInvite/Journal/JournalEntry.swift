/// One journal record read back: its checksum checked, and decoded as far as resuming a
/// run needs (kind, row, status) without building a JSON value; the whole object is
/// there too (`json()`, `reportRecord()`) for the few records that need it.
///
/// An entry points into the reader's buffer: it is only valid during the call that
/// received it.
public struct JournalEntry {
    public enum Kind: Sendable, Equatable {
        case header, dispatch, outcome, other
    }

    public let kind: Kind
    /// The record's row; 0 when it has none (the header).
    public let row: Int
    /// An outcome's status.
    public let status: RowStatus?
    /// An outcome that failed on transient errors only (`--retry-failed` sends it again).
    public let transient: Bool
    /// The object's bytes up to its checksum member: `{"type":...` without the closing brace.
    private let members: UnsafeRawBufferPointer

    /// Checks `line` (one journal line without its newline) and decodes it; nil when it is
    /// not a whole record (torn, damaged, or not written by this tool).
    public init?(line: UnsafeRawBufferPointer) {
        guard let members = JournalFormat.checkedMembers(line) else { return nil }
        var kind = Kind.other
        var row = 0
        var status: RowStatus?
        var transient = false
        let wellFormed = FlatJSONObject.forEachMember(members) { key, value in
            switch (Self.knownKey(key), value) {
            case (.type, .string(let text, _)):
                kind = Self.kind(text)
            case (.row, .number(let digits)):
                row = FlatJSONObject.integer(digits) ?? 0
            case (.status, .string(let text, let escaped)):
                status = escaped ? nil : RowStatus(bytes: text)
            case (.transient, .bool(let flag)):
                transient = flag
            default:
                break
            }
        }
        guard wellFormed else { return nil }
        self.kind = kind
        self.row = row
        self.status = status
        self.transient = transient
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
    public func reportRecord() -> ReportRecord? {
        guard row > 0 else { return nil }
        let reported: RowStatus
        switch (kind, status) {
        case (.outcome, let status?): reported = status
        case (.dispatch, _): reported = .inDoubt
        default: return nil
        }
        var record = ReportRecord(row: row, line: 0, key: "", status: reported)
        _ = FlatJSONObject.forEachMember(members) { key, value in
            switch value {
            case .number(let digits):
                let number = FlatJSONObject.integer(digits)
                switch Self.knownKey(key) {
                case .line: record.line = number ?? 0
                case .httpStatus: record.httpStatus = number
                case .attempts: record.attempts = number
                default: break
                }
            case .string(let text, let escaped):
                switch Self.knownKey(key) {
                case .key: record.key = FlatJSONObject.string(text, escaped: escaped)
                case .message: record.message = FlatJSONObject.string(text, escaped: escaped)
                case .invitationStatus:
                    record.invitationStatus = FlatJSONObject.string(text, escaped: escaped)
                case .expiresAt: record.expiresAt = FlatJSONObject.string(text, escaped: escaped)
                default: break
                }
            case .bool, .null, .nested:
                break
            }
        }
        return record
    }

    private enum Key {
        case type, row, status, transient, line, key, httpStatus, message, invitationStatus
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
        default: return .unknown
        }
    }

    private static func kind(_ text: UnsafeRawBufferPointer) -> Kind {
        if matches(text, "outcome") { return .outcome }
        if matches(text, "dispatch") { return .dispatch }
        if matches(text, "header") { return .header }
        return .other
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        bytes.elementsEqual(
            UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }
}

extension RowStatus {
    /// The status whose report name is `bytes`.
    init?(bytes: UnsafeRawBufferPointer) {
        for status in RowStatus.allCases
        where status.rawValue.utf8.elementsEqual(bytes) {
            self = status
            return
        }
        return nil
    }
}
