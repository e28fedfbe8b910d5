/// What the HTML report shows of a report, gathered line by line as the report is written:
/// rows per status, the problems grouped (invalid rows by field and kind of problem,
/// failed rows by the API's message, the others by what they say; and, whatever their
/// status, the rows whose person may have been invited twice, by their `RepeatNote`), and
/// the first rows that need attention. Its size does not grow with the report's: a million
/// rows make the same few groups and at most `attentionLimit` listed rows.
public struct ReportOverview: Sendable {
    /// Rows needing attention listed at most (the rest are counted).
    public static let attentionLimit = 10_000
    /// Rows named in each group.
    public static let rowsPerGroup = 10
    /// Groups kept at most; messages past them share one "other messages" group.
    public static let groupLimit = 1_000

    /// Where a row is: its number and its line in the input.
    public struct Place: Sendable, Equatable {
        public var row: Int
        public var line: Int
    }

    /// Rows sharing a problem.
    public struct Group: Sendable {
        /// The rows' status; nil for the rows whose person may have been invited twice,
        /// whatever their status (`invitedTwiceLabel`).
        public var status: RowStatus?
        /// `email: "…" is not an email address`, or the API's message as it came.
        public var label: String
        public var count = 0
        /// The first rows with it, in input order.
        public var first: [Place] = []
    }

    /// A row needing attention (invalid, failed, in doubt, not sent), as the report has it.
    public struct Row: Sendable {
        public var place: Place
        public var key: String
        public var status: RowStatus
        public var httpStatus: Int?
        public var message: String
    }

    /// The label of the group of rows whose person may have been invited twice.
    public static let invitedTwiceLabel =
        "may have been invited twice: sent again after an answer was lost or a run stopped "
        + "while sending"

    private var countByStatus = [Int](repeating: 0, count: RowStatus.allCases.count)
    /// Rows whose message says their person may have been invited twice.
    public private(set) var invitedTwiceCount = 0
    /// A group's digest (`group`) to its place in `groupList`.
    private var groupIndex: [UInt64: Int] = [:]
    private var groupList: [Group] = []
    public private(set) var attention: [Row] = []
    /// Rows needing attention, listed or not.
    public private(set) var attentionCount = 0

    public init() {}

    /// Rows per status.
    public var counts: [RowStatus: Int] {
        var counts: [RowStatus: Int] = [:]
        for (index, status) in RowStatus.allCases.enumerated() where countByStatus[index] > 0 {
            counts[status] = countByStatus[index]
        }
        return counts
    }

    public var rows: Int { countByStatus.reduce(0, +) }

    /// The groups, largest first (ties in the order they first appeared).
    public var groups: [Group] {
        groupList.enumerated().sorted {
            $0.element.count != $1.element.count
                ? $0.element.count > $1.element.count : $0.offset < $1.offset
        }.map(\.element)
    }

    /// Counts `times` rows of `status` that need nothing more (valid, invited, already
    /// invited) without taking their lines.
    mutating func count(_ status: RowStatus, times: Int) {
        countByStatus[Self.index(status)] += times
    }

    /// Takes one report line.
    public mutating func add(
        row: Int, line: Int, key: UnsafeRawBufferPointer, status: RowStatus, httpStatus: Int?,
        message: UnsafeRawBufferPointer
    ) {
        countByStatus[Self.index(status)] += 1
        let invitedTwice: Bool
        switch status {
        case .valid, .wouldSend, .done:
            return
        case .invited, .alreadyInvited, .failed, .wouldReinvite:
            invitedTwice = RepeatNote.isIn(message)
            guard invitedTwice || status == .failed else { return }
        case .invalid, .duplicate, .notSent, .inDoubt, .skipped, .overLimit:
            invitedTwice = false
        }
        let place = Place(row: row, line: line)
        if status != .invited && status != .alreadyInvited {
            Self.forEachLabel(of: message, status: status) { group(status, $0, place) }
        }
        if invitedTwice {
            invitedTwiceCount += 1
            group(nil, Array(Self.invitedTwiceLabel.utf8), place)
        }
        guard status != .duplicate else { return }
        attentionCount += 1
        if attention.count < Self.attentionLimit {
            attention.append(
                Row(
                    place: place, key: String(decoding: key, as: UTF8.self), status: status,
                    httpStatus: httpStatus, message: String(decoding: message, as: UTF8.self)))
        }
    }

    private mutating func group(_ status: RowStatus?, _ label: [UInt8], _ place: Place) {
        // Groups are found by a 64-bit digest of their status and label (a collision
        // between two of at most a thousand labels would only merge two groups).
        let statusByte = UInt64(status.map(Self.index) ?? RowStatus.allCases.count)
        var id = label.withUnsafeBytes { KeyDigest.digest($0) } &+ statusByte
        var label = label
        // The group of rows that may have been invited twice is never merged away.
        if groupIndex[id] == nil && groupList.count >= Self.groupLimit && status != nil {
            label = Array("(other messages)".utf8)
            id = label.withUnsafeBytes { KeyDigest.digest($0) } &+ statusByte
        }
        let index: Int
        if let known = groupIndex[id] {
            index = known
        } else {
            index = groupList.count
            groupIndex[id] = index
            groupList.append(Group(status: status, label: String(decoding: label, as: UTF8.self)))
        }
        groupList[index].count += 1
        if groupList[index].first.count < Self.rowsPerGroup {
            groupList[index].first.append(place)
        }
    }

    private static let quotedEllipsis: [UInt8] = Array("\"…\"".utf8)
    private static let asRow: [UInt8] = Array(" as row ".utf8)

    /// What a row's message groups under, one label at a time: each problem of an invalid
    /// row, its value left out (`role: "admin" must be …` → `role: "…" must be …`); a
    /// duplicate's "same email as an earlier row"; any other message as it is.
    static func forEachLabel(
        of message: UnsafeRawBufferPointer, status: RowStatus, _ body: ([UInt8]) -> Void
    ) {
        switch status {
        case .invalid:
            // Problems are joined by "; "; a quoted value (backslash escapes inside) is
            // left out, so a "; " inside one does not split it.
            var label: [UInt8] = []
            label.reserveCapacity(message.count)
            var index = 0
            var run = 0  // where the bytes not yet copied start
            while index < message.count {
                let byte = message[index]
                if byte == 0x22 {
                    label.append(contentsOf: UnsafeRawBufferPointer(rebasing: message[run..<index]))
                    label += quotedEllipsis
                    index += 1
                    while index < message.count && message[index] != 0x22 {
                        index += message[index] == 0x5C ? 2 : 1
                    }
                    index += 1
                    run = min(index, message.count)
                } else if byte == 0x3B && index + 1 < message.count && message[index + 1] == 0x20 {
                    label.append(contentsOf: UnsafeRawBufferPointer(rebasing: message[run..<index]))
                    body(label)
                    label.removeAll(keepingCapacity: true)
                    index += 2
                    run = index
                } else {
                    index += 1
                }
            }
            label.append(contentsOf: UnsafeRawBufferPointer(rebasing: message[run..<message.count]))
            body(label)
        case .duplicate:
            let text = Array(message)
            if let start = text.firstRange(of: asRow)?.lowerBound {
                body(Array(text[..<start]) + Array(" as an earlier row".utf8))
            } else {
                body(text)
            }
        default:
            body(message.isEmpty ? Array("(no message)".utf8) : Array(message))
        }
    }

    @inline(__always)
    private static func index(_ status: RowStatus) -> Int {
        switch status {
        case .valid: 0
        case .invalid: 1
        case .duplicate: 2
        case .invited: 3
        case .alreadyInvited: 4
        case .failed: 5
        case .notSent: 6
        case .inDoubt: 7
        case .skipped: 8
        case .wouldSend: 9
        case .wouldReinvite: 10
        case .done: 11
        case .overLimit: 12
        }
    }
}
