/// The first data records of a CSV file, kept (copied) while the columns are judged
/// (`ColumnAdvice`), then handed on as they were read: no row goes out before the columns
/// are known to hold what their fields need.
final class RecordSample {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    private var records:
        [(line: Int, fieldCount: Int, problem: RecordProblem?, start: Int, fields: Range<Int>)] = []

    var count: Int { records.count }

    /// Keeps a copy of `record`.
    func append(_ record: CSVRecord) {
        let start = bytes.count
        let first = ends.count
        for field in 0..<record.fieldCount {
            bytes.append(contentsOf: record[field])
            ends.append(bytes.count)
        }
        records.append((record.line, record.fieldCount, record.problem, start, first..<ends.count))
    }

    /// Calls `body` with each record kept, in order, as the reader gave it.
    func forEach(_ body: (CSVRecord) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { base in
            try ends.withUnsafeBufferPointer { ends in
                for record in records {
                    try body(
                        CSVRecord(
                            line: record.line, fieldCount: record.fieldCount,
                            problem: record.problem, base: base, start: record.start,
                            ends: UnsafeBufferPointer(rebasing: ends[record.fields])))
                }
            }
        }
    }

    /// The records' fields as text, by column (`width` columns), for judging what a
    /// column holds.
    func columns(width: Int) -> [[String]] {
        var columns = [[String]](repeating: [], count: width)
        forEach { record in
            for column in 0..<min(width, record.fieldCount) {
                columns[column].append(String(decoding: record[column], as: UTF8.self))
            }
        }
        return columns
    }
}
