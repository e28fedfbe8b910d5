/// Writes the report, one line per input record, in CSV or JSON Lines, UTF-8 without BOM.
///
/// In CSV, a cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
/// tab, CR, LF or NUL) is prefixed with `'` (OWASP's advice on CSV injection); JSON Lines
/// keeps values as they are. Empty cells are `null` in JSON Lines.
public final class ReportWriter {
    public let format: ReportFormat
    private let file: OutputFile
    private var line: [UInt8] = []

    /// Creates the report at `path` (in place only after `finish()`), header included.
    public init(path: String, format: ReportFormat) throws {
        self.format = format
        file = try OutputFile(path: path)
        if format == .csv {
            try file.append(ReportRecord.columns.joined(separator: ",") + "\n")
        }
    }

    /// The path the report goes to.
    public var path: String { file.path }

    /// Appends one record.
    public func write(_ record: ReportRecord) throws {
        switch format {
        case .csv:
            // Each cell takes at most twice its bytes plus quotes and a `'`; numbers at most 20.
            let cells =
                record.key.utf8.count + record.message.utf8.count
                + record.invitationStatus.utf8.count
                + record.expiresAt.utf8.count
            let bound = 3 * 21 + 16 + 9 + cells * 2 + 4 * 3
            try file.write(atMost: bound) { start in
                var cursor = start
                Self.formatCSV(record, at: &cursor)
                return cursor - start
            }
        case .jsonl:
            var line: [UInt8] = []
            swap(&line, &self.line)  // one access to the stored buffer, not one per byte
            defer { swap(&line, &self.line) }
            line.removeAll(keepingCapacity: true)
            record.appendJSON(to: &line)
            try line.withUnsafeBytes { try file.append($0) }
        }
    }

    /// Appends the line of a checked row (`validate`'s report: no send columns).
    public func write(_ row: CheckedBatch.Row) throws {
        guard format == .csv else {
            return try write(
                ReportRecord(
                    row: row.row, line: row.line, key: String(decoding: row.key, as: UTF8.self),
                    status: row.status, message: String(decoding: row.message, as: UTF8.self)))
        }
        let bound = 2 * 21 + 16 + 4 + (row.key.count + row.message.count) * 2 + 4 * 3
        try file.write(atMost: bound) { start in
            var cursor = start
            Self.putInteger(row.row, at: &cursor)
            Self.put(0x2C, at: &cursor)
            Self.putInteger(row.line, at: &cursor)
            Self.put(0x2C, at: &cursor)
            Self.putCell(bytes: row.key, at: &cursor)
            Self.put(0x2C, at: &cursor)
            Self.putCell(row.status.rawValue, at: &cursor)
            Self.put(0x2C, at: &cursor)
            Self.put(0x2C, at: &cursor)
            Self.putCell(bytes: row.message, at: &cursor)
            for _ in 0..<3 { Self.put(0x2C, at: &cursor) }
            Self.put(0x0A, at: &cursor)
            return cursor - start
        }
    }

    /// Appends the line of an outcome read back from the journal.
    public func write(_ columns: JournalEntry.ReportColumns) throws {
        guard format == .csv else { return try write(ReportRecord(columns)) }
        let cells =
            columns.key.count + columns.message.count + columns.invitationStatus.count
            + columns.expiresAt.count
        let bound = 4 * 21 + 16 + 9 + cells * 2 + 4 * 3
        try file.write(atMost: bound) { start in
            var cursor = start
            Self.putInteger(columns.row, at: &cursor)
            Self.put(0x2C, at: &cursor)
            Self.putInteger(columns.line, at: &cursor)
            Self.put(0x2C, at: &cursor)
            Self.putCell(bytes: columns.key, at: &cursor)
            Self.put(0x2C, at: &cursor)
            Self.putCell(columns.status.rawValue, at: &cursor)
            Self.put(0x2C, at: &cursor)
            if let status = columns.httpStatus { Self.putInteger(status, at: &cursor) }
            Self.put(0x2C, at: &cursor)
            Self.putCell(bytes: columns.message, at: &cursor)
            Self.put(0x2C, at: &cursor)
            Self.putCell(bytes: columns.invitationStatus, at: &cursor)
            Self.put(0x2C, at: &cursor)
            Self.putCell(bytes: columns.expiresAt, at: &cursor)
            Self.put(0x2C, at: &cursor)
            if let attempts = columns.attempts { Self.putInteger(attempts, at: &cursor) }
            Self.put(0x0A, at: &cursor)
            return cursor - start
        }
    }

    /// Puts the finished report in place.
    public func finish() throws {
        try file.commit()
    }

    private static func formatCSV(_ record: ReportRecord, at cursor: inout UnsafeMutableRawPointer)
    {
        putInteger(record.row, at: &cursor)
        put(0x2C, at: &cursor)
        putInteger(record.line, at: &cursor)
        put(0x2C, at: &cursor)
        putCell(record.key, at: &cursor)
        put(0x2C, at: &cursor)
        putCell(record.status.rawValue, at: &cursor)
        put(0x2C, at: &cursor)
        if let status = record.httpStatus { putInteger(status, at: &cursor) }
        put(0x2C, at: &cursor)
        putCell(record.message, at: &cursor)
        put(0x2C, at: &cursor)
        putCell(record.invitationStatus, at: &cursor)
        put(0x2C, at: &cursor)
        putCell(record.expiresAt, at: &cursor)
        put(0x2C, at: &cursor)
        if let attempts = record.attempts { putInteger(attempts, at: &cursor) }
        put(0x0A, at: &cursor)
    }

    @inline(__always)
    private static func put(_ byte: UInt8, at cursor: inout UnsafeMutableRawPointer) {
        cursor.storeBytes(of: byte, as: UInt8.self)
        cursor += 1
    }

    private static func putInteger(_ value: Int, at cursor: inout UnsafeMutableRawPointer) {
        if value < 0 { put(UInt8(ascii: "-"), at: &cursor) }
        var magnitude = value.magnitude
        var digits = 1
        var probe = magnitude / 10
        while probe > 0 {
            digits += 1
            probe /= 10
        }
        var index = digits
        repeat {
            index -= 1
            (cursor + index).storeBytes(
                of: UInt8(truncatingIfNeeded: magnitude % 10) + 0x30, as: UInt8.self)
            magnitude /= 10
        } while magnitude > 0
        cursor += digits
    }

    /// Writes a CSV cell: quoted when it holds a delimiter, quote or line break, and
    /// prefixed with `'` when a spreadsheet would take it for a formula.
    private static func putCell(_ text: String, at cursor: inout UnsafeMutableRawPointer) {
        if let done: Void = text.utf8.withContiguousStorageIfAvailable({
            putCell(bytes: UnsafeRawBufferPointer($0), at: &cursor)
        }) {
            return done
        }
        var copy = text
        copy.withUTF8 { putCell(bytes: UnsafeRawBufferPointer($0), at: &cursor) }
    }

    private static func putCell(
        bytes: UnsafeRawBufferPointer, at cursor: inout UnsafeMutableRawPointer
    ) {
        guard let first = bytes.first else { return }
        let risky: Bool
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
            0x0A, 0:
            risky = true
        default:
            risky = false
        }
        var needsQuotes = false
        for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        if !needsQuotes && !risky {
            cursor.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)  // not empty
            cursor += bytes.count
            return
        }
        if needsQuotes { put(0x22, at: &cursor) }
        if risky { put(UInt8(ascii: "'"), at: &cursor) }
        for byte in bytes {
            if byte == 0x22 { put(0x22, at: &cursor) }
            put(byte, at: &cursor)
        }
        if needsQuotes { put(0x22, at: &cursor) }
    }
}
