/// Marks a valid row `duplicate` when an earlier valid row had the same key
/// (`same email as row 12`). Rows must come in input order.
public struct DuplicateFilter {
    private var seen = KeyDigestSet()
    private let keyName: String

    /// `keyName` names the key in messages (`email`, `ID`).
    public init(keyName: String) {
        self.keyName = keyName
    }

    public mutating func check(_ row: inout CheckedRow) {
        guard row.status == .valid else { return }
        var key = row.key
        let row0 = row.row
        let earlier = key.withUTF8 { seen.insert(UnsafeRawBufferPointer($0), row: row0) }
        if let earlier {
            row.status = .duplicate
            row.message = "same \(keyName) as row \(earlier)"
        }
    }
}
