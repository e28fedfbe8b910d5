private import CLibCSV
import Foundation

/// Reads RFC 4180 CSV through libcsv, streaming: the input is fed in pieces of
/// `pieceSize` bytes and records are handed on in batches as soon as they are complete.
/// Parsing runs on a thread of its own, one batch ahead of the caller, so reading and
/// whatever the caller does with the records use two cores.
///
/// - Whitespace is data (nothing is trimmed); CRLF, LF and a lone CR all end a record.
/// - A record whose fields are all empty or blanks (a blank line, `;;;`, ` , `) is skipped
///   and counted in `blankRecordsSkipped`; with `keepsBlankRecords`, only one whose fields
///   are all empty is (records of spaces and tabs are kept).
/// - Every record carries the physical line where it starts.
/// - A field over `maxFieldBytes` is not kept: the record comes with
///   `RecordProblem.fieldTooLarge`, and memory stays bounded.
/// - Broken quoting stops reading with `BatchInviteError.input("line N: ...")`, after
///   every record before it was handed on.
public final class CSVReader {
    /// The limit on one field's size; larger fields make their record invalid.
    public static let maxFieldBytes = 1 << 20
    /// The limit on the bytes kept for one record (all its fields together).
    public static let maxRecordBytes = 4 << 20
    /// How many bytes libcsv is given at a time (bounds the growth past `maxFieldBytes`).
    static let pieceSize = 64 * 1024

    private let parser: Parser
    /// Batches of records parsed ahead of the caller (each about 64 KiB of input). More
    /// smooths out the threads' pace; fewer holds less memory. Default 16.
    public var readAhead = 16
    /// The delimiter in use: given, or detected from the header line once reading began.
    public var delimiter: UInt8? { parser.delimiter }
    /// Records skipped because all their fields were empty (final once reading ended).
    public var blankRecordsSkipped: Int { parser.state.pointee.blankRecords }

    /// Prepares to read `input`; `delimiter` nil means detect it from the header line.
    public convenience init(input: TextInput, delimiter: UInt8?, keepsBlankRecords: Bool = false)
        throws
    {
        try self.init(input: input, delimiter: delimiter, keepsEveryBlank: false)
        parser.state.pointee.keepsBlanks = keepsBlankRecords
    }

    /// `keepsEveryBlank` hands libcsv its space function for every byte rather than for
    /// the blanks at field edges alone (see `FieldEdgeBlanks`): slower, the same records.
    init(input: TextInput, delimiter: UInt8?, keepsEveryBlank: Bool) throws {
        parser = try Parser(
            input: input, delimiter: delimiter, keepsEveryBlank: keepsEveryBlank)
    }

    /// Calls `body` with every non-blank record, in order. The record (and the bytes it
    /// points to) is only valid during the call.
    public func forEachRecord(_ body: (CSVRecord) throws -> Void) throws {
        let recycled = BoundedChannel<RecordBatch>(capacity: readAhead + 1)
        defer { recycled.close() }
        let parser = self.parser
        try Pipeline.run(
            capacity: readAhead,
            produce: { send in try parser.run(send: send, recycled: recycled) },
            consume: { batch in
                try batch.forEach(body)
                batch.removeAll()
                _ = recycled.trySend(batch)
            })
    }

    /// Whether `bytes` hold the whole first non-blank line (a line break outside quotes
    /// after some text), or so much that waiting longer is pointless.
    static func holdsFirstLine(_ bytes: [UInt8]) -> Bool {
        if bytes.count >= maxFieldBytes { return true }
        return bytes.withUnsafeBytes { walkFirstLine($0) { _ in } }
    }

    /// Picks the delimiter of the header line: the most frequent of `,` `;` tab `|` outside
    /// quotes, the earlier in that list on a tie, `,` when none occurs.
    static func detectDelimiter(in bytes: UnsafeRawBufferPointer) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")]
        var counts = [Int](repeating: 0, count: candidates.count)
        walkFirstLine(bytes) { byte in
            if let index = candidates.firstIndex(of: byte) { counts[index] += 1 }
        }
        var best = 0
        for index in counts.indices where counts[index] > counts[best] {
            best = index
        }
        return counts[best] > 0 ? candidates[best] : UInt8(ascii: ",")
    }

    /// Walks the first non-blank line of `bytes` (blank lines before it skipped, quoted
    /// line breaks inside it), calling `outsideQuotes` with each of its bytes outside quotes
    /// and not a line break; returns whether the line's end was found.
    @discardableResult
    private static func walkFirstLine(
        _ bytes: UnsafeRawBufferPointer, _ outsideQuotes: (UInt8) -> Void
    ) -> Bool {
        var inQuotes = false
        var seenText = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if !inQuotes && (byte == 10 || byte == 13) {
                if seenText { return true }
                continue
            } else if !inQuotes {
                outsideQuotes(byte)
            }
            seenText = true
        }
        return false
    }
}

/// The libcsv parser and the input it reads, used by the parsing thread alone while it
/// runs and by the reader only after it ended. (So the run-time exclusivity checks of its
/// variables, which cost more than the accesses they guard, have nothing to find.)
private final class Parser: @unchecked Sendable {
    let input: TextInput
    @exclusivity(unchecked) var delimiter: UInt8?
    /// libcsv's parser, in memory of its own: calls into libcsv (several per piece where
    /// fields have blanks at their edges) need no exclusive access to a class property.
    let csv: UnsafeMutablePointer<csv_parser> = .allocate(capacity: 1)
    /// The callbacks' state, behind a pointer: libcsv hands the pointer back to them.
    let state: UnsafeMutablePointer<CollectorState>

    /// Whether libcsv gets the space function for every byte instead of for the blanks at
    /// field edges alone; the results are the same, only slower (for tests comparing them).
    let keepsEveryBlank: Bool
    /// The edge blanks of the piece being parsed (kept to reuse its storage).
    @exclusivity(unchecked) private var edgeBlanks: [Int] = []

    init(input: TextInput, delimiter: UInt8?, keepsEveryBlank: Bool) throws {
        self.input = input
        self.delimiter = delimiter
        self.keepsEveryBlank = keepsEveryBlank
        state = .allocate(capacity: 1)
        state.initialize(to: CollectorState())
        state.pointee.lines = input.linesSkipped
        csv.initialize(to: csv_parser())
        guard csv_init(csv, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL)) == 0 else {
            throw BatchInviteError.io("cannot start the CSV parser: out of memory")
        }
        csv_set_blk_size(csv, 4096)
    }

    deinit {
        csv_free(csv)
        csv.deinitialize(count: 1)
        csv.deallocate()
        state.pointee.free()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Parses the whole input, sending a batch of records after each piece.
    func run(send: (RecordBatch) throws -> Void, recycled: BoundedChannel<RecordBatch>) throws {
        func ship() throws {
            guard !state.pointee.records.isEmpty else { return }
            let next = recycled.tryReceive() ?? RecordBatch()
            state.pointee.takeCompleteRecords(into: next)
            try send(next)
        }
        // Until the delimiter is known, input is held back until the header line is whole.
        var held: [UInt8] = []
        func feed(_ chunk: UnsafeRawBufferPointer) throws {
            var offset = 0
            while offset < chunk.count {
                let piece = UnsafeRawBufferPointer(
                    rebasing: chunk[offset..<min(offset + CSVReader.pieceSize, chunk.count)])
                do {
                    try parse(piece)
                } catch {
                    try ship()  // the records before the error first
                    throw error
                }
                offset += piece.count
                try ship()
            }
        }
        func decide(_ bytes: UnsafeRawBufferPointer) {
            delimiter = CSVReader.detectDelimiter(in: bytes)
            csv_set_delim(csv, delimiter ?? UInt8(ascii: ","))
        }
        if let delimiter {
            csv_set_delim(csv, delimiter)
        }
        try input.forEachChunk { chunk in
            guard delimiter == nil else { return try feed(chunk) }
            held.append(contentsOf: chunk)
            guard CSVReader.holdsFirstLine(held) else { return }
            try held.withUnsafeBytes { bytes in
                decide(bytes)
                try feed(bytes)
            }
            held = []
        }
        if delimiter == nil {
            try held.withUnsafeBytes { bytes in
                decide(bytes)
                try feed(bytes)
            }
        }
        state.pointee.reserve(reading: 0, pending: clibcsv_pending_length(csv))
        if csv_fini(csv, fieldEnded, recordEnded, state) != 0 {
            try ship()
            let line = state.pointee.inRecord ? state.pointee.current.line : state.pointee.lines + 1
            throw BatchInviteError.input(
                "line \(line): a quoted field is never closed (its opening quote is unmatched "
                    + "up to the end of the file)")
        }
        try ship()
    }

    private func parse(_ piece: UnsafeRawBufferPointer) throws {
        edgeBlanks.removeAll(keepingCapacity: true)
        if !keepsEveryBlank {
            FieldEdgeBlanks.forEach(in: piece, delimiter: delimiter ?? UInt8(ascii: ",")) {
                edgeBlanks.append($0)
            }
        }
        // Each run of edge blanks (`  a ` has two) costs two more calls into libcsv: where
        // they are as common as in `a, b, c`, calling the space function for every byte is
        // cheaper.
        if keepsEveryBlank || edgeBlanks.count > 16 + piece.count / 64 {
            try parse(piece, 0..<piece.count, keepingBlanks: true)
        } else {
            var done = 0
            var index = 0
            while index < edgeBlanks.count {
                let start = edgeBlanks[index]
                var end = start + 1
                index += 1
                while index < edgeBlanks.count && edgeBlanks[index] == end {
                    end += 1
                    index += 1
                }
                try parse(piece, done..<start, keepingBlanks: false)
                try parse(piece, start..<end, keepingBlanks: true)
                done = end
            }
            try parse(piece, done..<piece.count, keepingBlanks: false)
        }
        let pending = clibcsv_pending_length(csv)
        if pending > CSVReader.maxFieldBytes, let start = clibcsv_pending_bytes(csv) {
            // The line breaks of the bytes thrown away still count: the lines after the
            // field are numbered as in the file.
            let dropped = UnsafeRawBufferPointer(start: start, count: pending - 1)
            var lines = LineBreaks.count(in: dropped)
            if dropped.last == 13 && start[pending - 1] == 10 { lines -= 1 }  // a CRLF cut in two
            state.pointee.droppedLines += lines
            clibcsv_discard_pending(csv)
            state.pointee.pendingFieldTooLarge = true
        }
    }

    /// Parses `range` of `piece`, with the space function that keeps blanks installed or
    /// with libcsv's own test (which would trim them; see `FieldEdgeBlanks`).
    private func parse(
        _ piece: UnsafeRawBufferPointer, _ range: Range<Int>, keepingBlanks: Bool
    ) throws {
        guard !range.isEmpty, let base = piece.baseAddress else { return }
        csv_set_space_func(csv, keepingBlanks ? noSpaces : nil)
        state.pointee.reserve(reading: range.count, pending: clibcsv_pending_length(csv))
        let used = csv_parse(
            csv, base + range.lowerBound, range.count, fieldEnded, recordEnded, state)
        if used < range.count {
            throw parseError()
        }
    }

    private func parseError() -> BatchInviteError {
        guard csv_error(csv) == CSV_EPARSE else {
            return .io("CSV parser: \(String(cString: csv_strerror(csv_error(csv))))")
        }
        // The field being read began on the line after the last one ended; the error is
        // as many lines further down as the field holds line breaks.
        let fieldLine = state.pointee.lines + 1
        var line = fieldLine
        if let pending = clibcsv_pending_bytes(csv) {
            line += LineBreaks.count(
                in: UnsafeRawBufferPointer(start: pending, count: clibcsv_pending_length(csv)))
        }
        let began = line == fieldLine ? "" : " that began on line \(fieldLine)"
        let what =
            clibcsv_quoted(csv) != 0
            ? "text after the closing quote of a quoted field\(began) (a quote inside a quoted "
                + "field must be doubled: \"\")"
            : "a quote inside an unquoted field\(began) (quote the whole field and double the "
                + "quote: \"a \"\"b\"\" c\")"
        return .input("line \(line): \(what)")
    }
}

/// libcsv's space function: nothing is a space, so no field is trimmed.
private let noSpaces: @convention(c) (UInt8) -> Int32 = { _ in 0 }

private let fieldEnded:
    @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
        bytes, count, context in
        context!.assumingMemoryBound(to: CollectorState.self).pointee
            .fieldEnded(UnsafeRawBufferPointer(start: bytes, count: count))
    }

private let recordEnded: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = {
    terminator, context in
    context!.assumingMemoryBound(to: CollectorState.self).pointee.recordEnded(terminator)
}
