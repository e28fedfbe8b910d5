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
        line.removeAll(keepingCapacity: true)
        switch format {
        case .csv: formatCSV(record)
        case .jsonl: formatJSON(record)
        }
        try file.append(line)
    }

    /// Puts the finished report in place.
    public func finish() throws {
        try file.commit()
    }

    private func formatCSV(_ record: ReportRecord) {
        TextBytes.appendInteger(record.row, to: &line)
        line.append(0x2C)
        TextBytes.appendInteger(record.line, to: &line)
        line.append(0x2C)
        appendCell(record.key)
        line.append(0x2C)
        line.append(contentsOf: record.status.rawValue.utf8)
        line.append(0x2C)
        if let status = record.httpStatus { TextBytes.appendInteger(status, to: &line) }
        line.append(0x2C)
        appendCell(record.message)
        line.append(0x2C)
        appendCell(record.invitationStatus)
        line.append(0x2C)
        appendCell(record.expiresAt)
        line.append(0x2C)
        if let attempts = record.attempts { TextBytes.appendInteger(attempts, to: &line) }
        line.append(0x0A)
    }

    /// Appends a CSV cell: quoted when it holds a delimiter, quote or line break, and
    /// prefixed with `'` when a spreadsheet would take it for a formula.
    private func appendCell(_ text: String) {
        let bytes = text.utf8
        guard let first = bytes.first else { return }
        let risky: Bool
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D, 0x0A, 0:
            risky = true
        default:
            risky = false
        }
        let needsQuotes = bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
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

    private func formatJSON(_ record: ReportRecord) {
        line.append(contentsOf: "{\"row\":".utf8)
        TextBytes.appendInteger(record.row, to: &line)
        line.append(contentsOf: ",\"line\":".utf8)
        TextBytes.appendInteger(record.line, to: &line)
        line.append(contentsOf: ",\"key\":".utf8)
        appendJSON(record.key)
        line.append(contentsOf: ",\"status\":\"".utf8)
        line.append(contentsOf: record.status.rawValue.utf8)
        line.append(contentsOf: "\",\"http_status\":".utf8)
        appendJSON(record.httpStatus)
        line.append(contentsOf: ",\"message\":".utf8)
        appendJSON(record.message)
        line.append(contentsOf: ",\"invitation_status\":".utf8)
        appendJSON(record.invitationStatus)
        line.append(contentsOf: ",\"expires_at\":".utf8)
        appendJSON(record.expiresAt)
        line.append(contentsOf: ",\"attempts\":".utf8)
        appendJSON(record.attempts)
        line.append(contentsOf: "}\n".utf8)
    }

    private func appendJSON(_ value: Int?) {
        if let value { TextBytes.appendInteger(value, to: &line) } else { line.append(contentsOf: "null".utf8) }
    }

    private func appendJSON(_ text: String) {
        if text.isEmpty { line.append(contentsOf: "null".utf8) } else { TextBytes.appendJSONString(text, to: &line) }
    }
}
