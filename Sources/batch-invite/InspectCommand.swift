import BatchInvite

/// `batch-invite inspect`: shows how the tool reads a file.
struct InspectCommand: Command {
    static let name = "inspect"
    static let summary = "show how a file is read: records, columns, mapped rows"
    static let options: [OptionSpec] =
        [
            OptionSpec(
                flag: "--raw",
                help: "print every parsed record as a JSON array of strings, header first",
                group: .common),
            OptionSpec(
                name: "--target", names: Targets.all.map(\.name),
                help: "the fields to map the columns to, or a definition FILE.json (default: "
                    + "sendoso)", group: .common),
            InputArguments.varSpec,
        ] + InputArguments.specs + ConfigFile.specs
    static let help = HelpText(
        usage: "batch-invite inspect FILE [--raw] [--target \(Targets.names)] [options]",
        description: """
            Shows how batch-invite reads FILE, one JSON value per line on standard output.
            With --raw: every parsed record, header first, as a JSON array of strings
            (records of spaces and tabs included; only those whose fields are all empty are
            skipped). Without: each data row's values mapped to the target's fields, with
            its row and line numbers and any problem with the record as a whole. How the
            file was read (format, encoding, delimiter, columns) goes to standard error.
            """,
        exitCodes: """
              0    the file read through
              2    usage error, or a file that cannot be read
            """,
        example: """
              batch-invite inspect export.csv --raw | head
            """)

    let raw: Bool
    let target: any Target
    let input: InputOptions

    init(_ arguments: Arguments) throws {
        let path = try arguments.single("an input FILE", command: Self.name)
        raw = arguments.has("--raw")
        target =
            try InputArguments.target(from: arguments, command: Self.name, required: false)
            ?? SendosoTarget.loaded
        input = try InputArguments.options(path: path, from: arguments, target: target)
    }

    func run() throws -> Int32 {
        raw ? try printRecords() : try printRows()
        return ExitCode.success.code
    }

    private func printRecords() throws {
        let text = try TextInput(
            path: input.path, encoding: input.encoding, skipLines: input.skipLines)
        text.notes.forEach { printError($0) }
        let format = FormatChoice(options: input, input: text)
        format.note.map { printError($0) }
        let guessed = !text.encodingWasGiven && text.encoding != .utf8
        let encoding =
            "encoding: \(text.encoding)\(guessed ? " (guessed)" : "")"
            + (text.linesSkipped > 0 ? ", \(text.linesSkipped) lines skipped" : "")
        do {
            try printRecords(text, format: format, encoding: encoding)
        } catch let error as BatchInviteError {
            throw format.explaining(error, file: text.displayName)
        }
    }

    private func printRecords(_ text: TextInput, format: FormatChoice, encoding: String) throws {
        switch format.format {
        case .csv: try printCSV(text, format: format, encoding: encoding)
        case .jsonl: try printJSONLines(text, format: format, encoding: encoding)
        case .json: try printJSONDocument(text, format: format, encoding: encoding)
        }
    }

    /// Each CSV record as a JSON array of its cells.
    private func printCSV(_ text: TextInput, format: FormatChoice, encoding: String) throws {
        let reader = try CSVReader(
            input: text, delimiter: format.delimiter ?? input.resolvedDelimiter,
            keepsBlankRecords: true)
        var line = JSONWriter()
        try reader.forEachRecord { record in
            line.reset()
            line.beginArray()
            for field in record.strings { line.string(field) }
            line.endArray()
            line.endLine()
            Self.write(line.bytes)
        }
        describe(
            "format: \(format), \(encoding), delimiter: \(Self.show(reader.delimiter))"
                + ", \(reader.blankRecordsSkipped) blank records skipped")
    }

    private func printJSONLines(_ text: TextInput, format: FormatChoice, encoding: String) throws {
        let reader = JSONLinesReader(input: text)
        try reader.forEachRecord { Self.printRecord($0, in: text.encoding) }
        describe(
            "format: \(format), \(encoding), \(reader.blankRecordsSkipped) blank lines skipped")
    }

    /// Each element of the document's array (`--json-array`) as a JSON line.
    private func printJSONDocument(_ text: TextInput, format: FormatChoice, encoding: String)
        throws
    {
        let reader = JSONDocumentReader(
            input: text, arrayPath: input.jsonArray,
            reopen: text.size == nil
                ? nil
                : {
                    try TextInput(
                        path: input.path, encoding: input.encoding, skipLines: input.skipLines)
                })
        reader.onNote = { printError($0) }
        try reader.forEachElement { number, bytes in
            Self.printRecord(JSONDocumentReader.record(bytes, line: number), in: text.encoding)
        }
        describe("format: \(format)\(Self.show(array: reader.arrayPath)), \(encoding)")
    }

    /// A JSON record as one line of its members, or on stderr why it is none.
    private static func printRecord(_ record: JSONLinesReader.Record, in encoding: TextEncoding) {
        switch record.members {
        case .success(let members):
            var line = JSONWriter()
            line.value(.object(members))
            line.endLine()
            write(line.bytes)
        case .failure(let error):
            StandardOutput.shared.flush()
            printError("line \(record.line): \(describe(error.problem, in: encoding))")
        }
    }

    private func printRows() throws {
        let source = try RowSource(options: input, target: target)
        source.onWarning = { printError($0) }
        var line = JSONWriter()
        try source.forEachRow { row in
            line.reset()
            line.beginObject()
            line.member("row", row.row)
            line.member("line", row.line)
            for (index, field) in target.fields.enumerated() {
                line.key(field.name)
                switch row.values[index] {
                case .missing: line.null()
                case .text(let bytes): line.string(String(decoding: bytes, as: UTF8.self))
                case .number(let bytes): line.number(String(decoding: bytes, as: UTF8.self))
                case .wrongKind(let kind): line.string("<\(kind)>")
                }
            }
            if let problem = row.problem { line.member("problem", problem) }
            if let skipped = row.skipped { line.member("skipped", skipped) }
            line.endObject()
            line.endLine()
            Self.write(line.bytes)
        }
        let (encoding, given) = source.encoding
        let guessed = !given && encoding != .utf8
        var facts =
            "format: \(source.format)\(Self.show(array: source.jsonArray)), encoding: "
            + "\(encoding)\(guessed ? " (guessed)" : "")"
        if source.linesSkipped > 0 { facts += ", \(source.linesSkipped) lines skipped" }
        if let delimiter = source.delimiter { facts += ", delimiter: \(Self.show(delimiter))" }
        describe(facts + ", \(source.blankRecordsSkipped) blank records skipped")
    }

    /// Writes a line of JSON to standard output, each bidirectional control in its strings
    /// written `\u202E` (the same string to a JSON reader, and shown in the order it was
    /// written on a terminal).
    private static func write(_ line: [UInt8]) {
        let escaped = line.withUnsafeBytes { TextBytes.escapingBidiControls($0) }
        StandardOutput.shared.write(bytes: escaped ?? line)
    }

    private func describe(_ facts: String) {
        StandardOutput.shared.flush()
        printError(facts)
    }

    /// `, the array "users"` for the array of a JSON document read (nothing for one that
    /// is the array).
    private static func show(array path: [String]?) -> String {
        guard let path, !path.isEmpty else { return "" }
        return ", the array \"\(TextBytes.shown(path.joined(separator: ".")))\""
    }

    private static func show(_ delimiter: UInt8?) -> String {
        switch delimiter {
        case 9?: return "tab"
        case let byte?: return "\"\(Character(Unicode.Scalar(byte)))\""
        case nil: return "none"
        }
    }

    private static func describe(_ problem: RecordProblem, in encoding: TextEncoding) -> String {
        switch problem {
        case .notAnObject(let reason): return reason
        case .invalidText:
            return encoding == .utf8 ? "not valid UTF-8 text" : "not valid \(encoding) text"
        case .lineTooLong: return "longer than \(JSONLinesReader.maxLineBytes >> 20) MiB"
        case .fieldTooLarge(let field): return "field \(field + 1) is over 1 MiB"
        case .recordTooLarge: return "record too large"
        }
    }
}
