/// One record of a CSV file as the reader saw it: its fields as raw UTF-8 bytes (nothing
/// trimmed, nothing decoded) and the physical line where it starts.
///
/// A `CSVRecord` points into the reader's buffer: it is only valid during the call that
/// received it. Copy what must outlive it (`strings`).
public struct CSVRecord {
    /// The physical line (1-based) where the record starts.
    public let line: Int
    /// How many fields the record has, including any that were too large to keep.
    public let fieldCount: Int
    /// Why the record cannot be used as it is, if it cannot.
    public let problem: RecordProblem?

    private let base: UnsafeRawBufferPointer
    private let start: Int
    private let ends: UnsafeBufferPointer<Int>

    init(
        line: Int, fieldCount: Int, problem: RecordProblem?, base: UnsafeRawBufferPointer,
        start: Int, ends: UnsafeBufferPointer<Int>
    ) {
        self.line = line
        self.fieldCount = fieldCount
        self.problem = problem
        self.base = base
        self.start = start
        self.ends = ends
    }

    /// The bytes of field `index`; empty for a field that was not kept or does not exist.
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        guard index < ends.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let from = index == 0 ? start : ends[index - 1]
        return UnsafeRawBufferPointer(rebasing: base[from..<ends[index]])
    }

    /// All the bytes of the fields kept, back to back.
    public var allBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: base[start..<(ends.last ?? start)])
    }

    /// The fields as strings (invalid UTF-8 replaced), for display and tests.
    public var strings: [String] {
        (0..<ends.count).map { String(decoding: self[$0], as: UTF8.self) }
    }
}

/// What is wrong with a record before its values are even looked at.
public enum RecordProblem: Equatable, Sendable {
    /// Field number `field` (0-based) is over the size limit and was not kept.
    case fieldTooLarge(field: Int)
    /// The record as a whole is over the size limit.
    case recordTooLarge
    /// A JSON Lines line that is not one JSON object; the parser's reason.
    case notAnObject(String)
    /// A line longer than the limit.
    case lineTooLong
    /// A JSON Lines line that is not valid UTF-8.
    case invalidText
}
