/// Counts of a validation, and the line that says them
/// (`1500 rows: 1180 valid, 290 invalid, 30 duplicate; 2 blank rows skipped`).
public struct ValidationSummary: Sendable, Equatable {
    public var valid = 0
    public var invalid = 0
    public var duplicate = 0
    /// Rows a `--where` left out.
    public var skipped = 0
    public var blankRecordsSkipped = 0

    public init() {}

    /// Data rows read (blank records not counted).
    public var rows: Int { valid + invalid + duplicate + skipped }

    /// Counts one verdict.
    public mutating func count(_ status: RowStatus) {
        switch status {
        case .valid: valid += 1
        case .invalid: invalid += 1
        case .duplicate: duplicate += 1
        case .skipped: skipped += 1
        default: break
        }
    }

    /// The summary line printed on standard output.
    public var line: String {
        var text =
            "\(rows) \(rows == 1 ? "row" : "rows"): \(valid) valid, \(invalid) invalid, \(duplicate) duplicate"
            + (skipped > 0 ? ", \(skipped) skipped (--where)" : "")
        if blankRecordsSkipped > 0 {
            text +=
                "; \(blankRecordsSkipped) blank \(blankRecordsSkipped == 1 ? "row" : "rows") skipped"
        }
        return text
    }
}
