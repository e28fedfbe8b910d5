private import CLibCSV

/// Reads RFC 4180 CSV through libcsv, streaming: the input is fed in pieces of
/// `pieceSize` bytes and records are handed on as soon as they are complete.
///
/// - Whitespace is data (nothing is trimmed); CRLF, LF and a lone CR all end a record.
/// - A record whose fields are all empty or blanks (a blank line, `;;;`) is skipped and
///   counted in `blankRecordsSkipped`.
/// - Every record carries the physical line where it starts.
/// - A field over `maxFieldBytes` is not kept: the record comes with
///   `RecordProblem.fieldTooLarge`, and memory stays bounded.
/// - Broken quoting stops reading with `BatchInviteError.input("line N: ...")`.
public final class CSVReader {
    /// The limit on one field's size; larger fields make their record invalid.
    public static let maxFieldBytes = 1 << 20
    /// The limit on the bytes kept for one record (all its fields together).
    public static let maxRecordBytes = 4 << 20
    /// How many bytes libcsv is given at a time (bounds the growth past `maxFieldBytes`).
    static let pieceSize = 64 * 1024

    private let input: TextInput
    /// The delimiter in use: given, or detected from the header line when reading starts.
    public private(set) var delimiter: UInt8?
    /// Records skipped because all their fields were empty.
    public var blankRecordsSkipped: Int { collector.blankRecords }

    private var parser = csv_parser()
    private let collector = RecordCollector()

    /// Prepares to read `input`; `delimiter` nil means detect it from the header line.
    public init(input: TextInput, delimiter: UInt8?) throws {
        self.input = input
        self.delimiter = delimiter
        guard csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL)) == 0 else {
            throw BatchInviteError.io("cannot start the CSV parser: out of memory")
        }
        csv_set_space_func(&parser, noSpaces)
        csv_set_blk_size(&parser, 4096)
    }

    deinit {
        csv_free(&parser)
    }

    /// Calls `body` with every non-blank record, in order. The record (and the bytes it
    /// points to) is only valid during the call.
    public func forEachRecord(_ body: (CSVRecord) throws -> Void) throws {
        try input.forEachChunk { chunk in
            if delimiter == nil {
                delimiter = Self.detectDelimiter(in: chunk)
            }
            csv_set_delim(&parser, delimiter ?? UInt8(ascii: ","))
            var offset = 0
            while offset < chunk.count {
                let piece = UnsafeRawBufferPointer(
                    rebasing: chunk[offset..<min(offset + Self.pieceSize, chunk.count)])
                try parse(piece)
                offset += piece.count
                try collector.deliver(body)
            }
        }
        let context = Unmanaged.passUnretained(collector).toOpaque()
        if csv_fini(&parser, fieldEnded, recordEnded, context) != 0 {
            let line = collector.recordInProgressLine ?? collector.lines + 1
            throw BatchInviteError.input(
                "line \(line): a quoted field is never closed (its opening quote is unmatched "
                    + "up to the end of the file)")
        }
        try collector.deliver(body)
    }

    private func parse(_ piece: UnsafeRawBufferPointer) throws {
        let context = Unmanaged.passUnretained(collector).toOpaque()
        let used = csv_parse(&parser, piece.baseAddress, piece.count, fieldEnded, recordEnded, context)
        if used < piece.count {
            throw parseError()
        }
        if clibcsv_pending_length(&parser) > Self.maxFieldBytes {
            clibcsv_discard_pending(&parser)
            collector.pendingFieldTooLarge = true
        }
    }

    private func parseError() -> BatchInviteError {
        guard csv_error(&parser) == CSV_EPARSE else {
            return .io("CSV parser: \(String(cString: csv_strerror(csv_error(&parser))))")
        }
        var line = collector.lines + 1
        if let pending = clibcsv_pending_bytes(&parser) {
            let bytes = UnsafeRawBufferPointer(
                start: pending, count: clibcsv_pending_length(&parser))
            line += LineBreaks.count(in: bytes)
        }
        let what =
            clibcsv_quoted(&parser) != 0
            ? "text after the closing quote of a quoted field (a quote inside a quoted field "
                + "must be doubled: \"\")"
            : "a quote inside an unquoted field (quote the whole field and double the quote: "
                + "\"a \"\"b\"\" c\")"
        return .input("line \(line): \(what)")
    }

    /// Picks the delimiter of the header line: the most frequent of `,` `;` tab `|` outside
    /// quotes, the earlier in that list on a tie, `,` when none occurs.
    static func detectDelimiter(in bytes: UnsafeRawBufferPointer) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")]
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var seenText = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if !inQuotes && (byte == 10 || byte == 13) {
                if seenText { break }
            } else if !inQuotes, let index = candidates.firstIndex(of: byte) {
                counts[index] += 1
            }
            if byte != 10 && byte != 13 { seenText = true }
        }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }),
            counts[best] > 0
        else { return UInt8(ascii: ",") }
        return candidates[best]
    }
}

/// libcsv's space function: nothing is a space, so no field is trimmed.
private let noSpaces: @convention(c) (UInt8) -> Int32 = { _ in 0 }

private let fieldEnded: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
    bytes, count, context in
    Unmanaged<RecordCollector>.fromOpaque(context!).takeUnretainedValue()
        .fieldEnded(UnsafeRawBufferPointer(start: bytes, count: count))
}

private let recordEnded: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { terminator, context in
    Unmanaged<RecordCollector>.fromOpaque(context!).takeUnretainedValue().recordEnded(terminator)
}

/// Gathers libcsv's field and record callbacks into a batch of complete records, keeping
/// line numbers. One batch holds the records of one piece of input; the record still in
/// progress is carried over to the next batch.
private final class RecordCollector {
    /// Field bytes of the records in the batch, back to back.
    var bytes: [UInt8] = []
    /// End offset in `bytes` of each stored field.
    var fieldEnds: [Int] = []
    var records: [PendingRecord] = []

    /// Line breaks seen so far; the line being read is `lines + 1`.
    var lines = 0
    var lastTerminatorWasCR = false
    var blankRecords = 0
    var pendingFieldTooLarge = false

    // The record in progress, if a field of it has ended.
    var current: PendingRecord?

    var recordInProgressLine: Int? { current?.line }

    struct PendingRecord {
        var line: Int
        var bytesStart: Int
        var firstField: Int
        var storedFields = 0
        var fieldCount = 0
        var problem: RecordProblem?
    }

    func fieldEnded(_ field: UnsafeRawBufferPointer) {
        lastTerminatorWasCR = false
        if current == nil {
            current = PendingRecord(line: lines + 1, bytesStart: bytes.count, firstField: fieldEnds.count)
        }
        let index = current!.fieldCount
        current!.fieldCount += 1
        if pendingFieldTooLarge {
            pendingFieldTooLarge = false
            if current!.problem == nil { current!.problem = .fieldTooLarge(field: index) }
        } else if current!.problem == nil, bytes.count - current!.bytesStart + field.count > CSVReader.maxRecordBytes {
            current!.problem = .recordTooLarge
        }
        if current!.problem == nil {
            bytes.append(contentsOf: field)
            fieldEnds.append(bytes.count)
            current!.storedFields += 1
        }
        lines += LineBreaks.count(in: field)
    }

    func recordEnded(_ terminator: Int32) {
        if let record = current {
            current = nil
            if record.problem == nil && isBlank(record) {
                blankRecords += 1
                bytes.removeSubrange(record.bytesStart...)
                fieldEnds.removeSubrange(record.firstField...)
            } else {
                records.append(record)
            }
        } else if terminator >= 0 && !(terminator == 10 && lastTerminatorWasCR) {
            blankRecords += 1
        }
        if terminator == 13 || (terminator == 10 && !lastTerminatorWasCR) {
            lines += 1
        }
        lastTerminatorWasCR = terminator == 13
    }

    private func isBlank(_ record: PendingRecord) -> Bool {
        bytes[record.bytesStart...].allSatisfy { $0 == 32 || $0 == 9 }
    }

    /// Hands every complete record to `body`, then keeps only the record in progress.
    func deliver(_ body: (CSVRecord) throws -> Void) throws {
        guard !records.isEmpty else { return }
        try bytes.withUnsafeBytes { allBytes in
            try fieldEnds.withUnsafeBufferPointer { allEnds in
                for record in records {
                    let ends = UnsafeBufferPointer(rebasing: allEnds[record.firstField..<record.firstField + record.storedFields])
                    try body(
                        CSVRecord(
                            line: record.line, fieldCount: record.fieldCount, problem: record.problem,
                            base: allBytes, start: record.bytesStart, ends: ends))
                }
            }
        }
        records.removeAll(keepingCapacity: true)
        if var partial = current {
            let shift = partial.bytesStart
            bytes.removeSubrange(0..<shift)
            fieldEnds.removeSubrange(0..<partial.firstField)
            for index in fieldEnds.indices { fieldEnds[index] -= shift }
            partial.bytesStart = 0
            partial.firstField = 0
            current = partial
        } else {
            bytes.removeAll(keepingCapacity: true)
            fieldEnds.removeAll(keepingCapacity: true)
        }
    }
}

/// Counting physical line breaks: CRLF, LF and a lone CR each count once.
enum LineBreaks {
    static func count(in bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var previousCR = false
        for byte in bytes {
            if byte == 13 {
                count += 1
                previousCR = true
            } else {
                if byte == 10 && !previousCR { count += 1 }
                previousCR = false
            }
        }
        return count
    }
}
