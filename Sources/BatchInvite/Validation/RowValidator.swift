/// Decides each row's fate before anything is sent: `invalid` with every reason, a
/// `duplicate` of an earlier valid row with the same key, or `valid`.
public struct RowValidator {
    public let target: any Target
    private var seen = KeyDigestSet()
    private var key: [UInt8] = []
    private var problems: [String] = []

    public init(target: any Target) {
        self.target = target
    }

    /// The verdict on one row.
    public struct Verdict: Sendable, Equatable {
        /// `valid`, `invalid` or `duplicate`.
        public var status: RowStatus
        /// The row's key (normalised), or what there is of it in an invalid row.
        public var key: String
        /// Why the row is invalid or a duplicate; empty for a valid row.
        public var message: String
    }

    /// Checks `row`; a valid row's key is remembered so later rows with it are duplicates.
    public mutating func check(_ row: RowSource.Row) -> Verdict {
        key.removeAll(keepingCapacity: true)
        problems.removeAll(keepingCapacity: true)
        if let problem = row.problem {
            if case .text(let bytes) = row.values[target.keyField] {
                FieldRules.appendLowercased(FieldRules.trimmed(bytes), to: &key)
            }
            return Verdict(status: .invalid, key: String(decoding: key, as: UTF8.self), message: problem)
        }
        target.validate(row.values, key: &key, problems: &problems)
        let keyText = String(decoding: key, as: UTF8.self)
        if !problems.isEmpty {
            return Verdict(status: .invalid, key: keyText, message: problems.joined(separator: "; "))
        }
        let earlier = key.withUnsafeBytes { seen.insert($0, row: row.row) }
        if let earlier {
            return Verdict(
                status: .duplicate, key: keyText,
                message: "same \(target.fields[target.keyField].name) as row \(earlier)")
        }
        return Verdict(status: .valid, key: keyText, message: "")
    }
}
