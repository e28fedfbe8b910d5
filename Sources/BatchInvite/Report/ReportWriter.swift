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
            try file.append((ReportRecord.columns.joined(separator: ",") + "\n").utf8)
        }
    }

    /// The path the report goes to.
    public var path: String { file.path }

    /// Appends one record.
    public func write(_ record: ReportRecord) throws {
        var line: [UInt8] = []
        swap(&line, &self.line)  // one access to the stored buffer, not one per byte
        defer { swap(&line, &self.line) }
        line.removeAll(keepingCapacity: true)
        switch format {
        case .csv: Self.formatCSV(record, into: &line)
        case .jsonl: Self.formatJSON(record, into: &line)
        }
        try file.append(line)
    }

    /// Puts the finished report in place.
    public func finish() throws {
        try file.commit()
    }

    private static func formatCSV(_ record: ReportRecord, into line: inout [UInt8]) {
        TextBytes.appendInteger(record.row, to: &line)
        line.append(0x2C)
        TextBytes.appendInteger(record.line, to: &line)
        line.append(0x2C)
        appendCell(record.key, to: &line)
        line.append(0x2C)
        line.append(contentsOf: record.status.rawValue.utf8)
        line.append(0x2C)
        if let status = record.httpStatus { TextBytes.appendInteger(status, to: &line) }
        line.append(0x2C)
        appendCell(record.message, to: &line)
        line.append(0x2C)
        appendCell(record.invitationStatus, to: &line)
        line.append(0x2C)
        appendCell(record.expiresAt, to: &line)
        line.append(0x2C)
        if let attempts = record.attempts { TextBytes.appendInteger(attempts, to: &line) }
        line.append(0x0A)
    }

    /// Appends a CSV cell: quoted when it holds a delimiter, quote or line break, and
    /// prefixed with `'` when a spreadsheet would take it for a formula.
    private static func appendCell(_ text: String, to line: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendCell(bytes: $0, to: &line) }
    }

    private static func appendCell(bytes: UnsafeBufferPointer<UInt8>, to line: inout [UInt8]) {
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
            line.append(contentsOf: bytes)
            return
        }
        if needsQuotes { line.append(0x22) }
        if risky { line.append(UInt8(ascii: "'")) }
        for byte in bytes {
            if byte == 0x22 { line.append(0x22) }
            line.append(byte)
        }
        if needsQuotes { line.append(0x22) }
    }

    private static func formatJSON(_ record: ReportRecord, into line: inout [UInt8]) {
        line.append(contentsOf: "{\"row\":".utf8)
        TextBytes.appendInteger(record.row, to: &line)
        line.append(contentsOf: ",\"line\":".utf8)
        TextBytes.appendInteger(record.line, to: &line)
        line.append(contentsOf: ",\"key\":".utf8)
        appendJSON(record.key, to: &line)
        line.append(contentsOf: ",\"status\":\"".utf8)
        line.append(contentsOf: record.status.rawValue.utf8)
        line.append(contentsOf: "\",\"http_status\":".utf8)
        appendJSON(record.httpStatus, to: &line)
        line.append(contentsOf: ",\"message\":".utf8)
        appendJSON(record.message, to: &line)
        line.append(contentsOf: ",\"invitation_status\":".utf8)
        appendJSON(record.invitationStatus, to: &line)
        line.append(contentsOf: ",\"expires_at\":".utf8)
        appendJSON(record.expiresAt, to: &line)
        line.append(contentsOf: ",\"attempts\":".utf8)
        appendJSON(record.attempts, to: &line)
        line.append(contentsOf: "}\n".utf8)
    }

    private static func appendJSON(_ value: Int?, to line: inout [UInt8]) {
        if let value {
            TextBytes.appendInteger(value, to: &line)
        } else {
            line.append(contentsOf: "null".utf8)
        }
    }

    private static func appendJSON(_ text: String, to line: inout [UInt8]) {
        if text.isEmpty {
            line.append(contentsOf: "null".utf8)
        } else {
            TextBytes.appendJSONString(text, to: &line)
        }
    }
}
