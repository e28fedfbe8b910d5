/// Reads an input file (CSV, JSON Lines or a JSON document, as `FormatChoice` decides) and
/// hands out its data rows with their values arranged by the target's fields: the header
/// matched, defaults filled in, and problems with a record as a whole (wrong field count,
/// bad encoding, not a JSON object) named.
///
/// A file that cannot be used at all (unreadable, not text, no header, a required column
/// missing, broken CSV quoting) stops with `BatchInviteError` before any row is handed out.
public final class RowSource {
    /// Warnings for the user (columns that are ignored), given as soon as they are known.
    public var onWarning: (String) -> Void = { _ in }
    /// Records skipped because all their fields were empty.
    public internal(set) var blankRecordsSkipped = 0
    /// Batches of CSV records parsed ahead (see `CSVReader.readAhead`). Default 16.
    public var readAhead = 16
    /// The CSV delimiter in use, once reading has begun.
    public private(set) var delimiter: UInt8?
    /// Bytes read from the input so far, readable from any thread.
    public var readProgress: TextInput.ReadProgress { input.progress }
    /// Bytes read from the input so far.
    public var bytesRead: Int { input.bytesRead }
    /// The input's size in bytes, when it is a regular file.
    public var size: Int? { input.size }
    /// A guess at the number of rows from the file's size and the length of its first
    /// lines, a little on the high side (a table sized from it should not have to grow:
    /// growing holds the old table and the new one at once); without lines to measure, 64
    /// bytes a CSV row and 160 a JSON Lines one; 512 an element of a JSON document, whose
    /// lines say nothing of its rows. 1024 when the size is unknown.
    public var expectedRows: Int {
        let bytesPerRow =
            format.format == .json
            ? 512 : input.bytesPerLine.map { $0 / 1.1 } ?? (format.format == .csv ? 64 : 160)
        return input.size.map { min(max(Int(Double($0) / bytesPerRow), 1024), 1 << 26) } ?? 1024
    }
    /// The name of the input in messages.
    public var displayName: String { input.displayName }

    let options: InputOptions
    /// The format the file is read in, and why.
    public let format: FormatChoice
    /// The members that lead to the array of a JSON document read (empty: the document is
    /// the array), once reading found it.
    public internal(set) var jsonArray: [String]?
    let target: any Target
    let matcher: HeaderMatcher
    let input: TextInput
    let defaults: [UnsafeRawBufferPointer?]
    /// A blank row of values, copied and filled for each row.
    let values: [FieldValue]

    /// Opens the input and checks the options against the target (unknown `--map` field,
    /// a default for a field the target does not have).
    public init(options: InputOptions, target: any Target) throws {
        self.options = options
        self.target = target
        matcher = try HeaderMatcher(target: target, mappings: options.mappings)
        var defaults = [UnsafeRawBufferPointer?](repeating: nil, count: target.fields.count)
        values = Array(repeating: .missing, count: target.fields.count)
        for (name, value) in options.defaults {
            guard let index = target.fields.firstIndex(where: { $0.name == name }) else {
                throw BatchInviteError.usage(
                    "\(target.name) has no field \(name) to give a default for")
            }
            let storage = UnsafeMutableRawBufferPointer.allocate(
                byteCount: value.utf8.count, alignment: 1)
            storage.copyBytes(from: value.utf8)
            defaults[index] = UnsafeRawBufferPointer(storage)
        }
        self.defaults = defaults
        input = try TextInput(
            path: options.path, encoding: options.encoding, skipLines: options.skipLines)
        format = FormatChoice(options: options, input: input)
    }

    deinit {
        for case let storage? in defaults {
            storage.deallocate()
        }
    }

    /// One data row, valid only during the call that received it.
    public struct Row {
        /// The data row's number, counting from 1 (header and blank records not counted).
        public let row: Int
        /// The physical line where the row starts.
        public let line: Int
        /// The values, by the target's field index.
        public let values: RowValues
        /// What is wrong with the record as a whole, if anything; its values are then
        /// not to be trusted.
        public let problem: String?
    }

    /// Calls `body` with every data row, in order.
    public func forEachRow(_ body: (Row) throws -> Void) throws {
        input.notes.forEach(onWarning)
        format.note.map(onWarning)
        do {
            switch format.format {
            case .csv: try readCSV(body)
            case .jsonl: try readJSONLines(body)
            case .json: try readJSONDocument(body)
            }
        } catch let error as BatchInviteError {
            throw format.explaining(error, file: input.displayName)
        }
        if invalidText.rows > 0 && input.encoding == .utf8 {
            let count = invalidText.rows
            onWarning(
                "warning: \(input.displayName): \(count) \(count == 1 ? "row is" : "rows are") not valid "
                    + "UTF-8 (the first on line \(invalidText.firstLine)); if the file is in windows-1252, "
                    + "give --encoding windows-1252")
        }
    }

    /// Whether a row that is not valid text in the encoding stops reading (for a run's
    /// read-through of a file whose encoding was guessed from its start) instead of
    /// being a row with a problem.
    public var stopsOnInvalidText = false
    /// Whether JSON Lines records of the common kind are read without building values
    /// (`JSONRecordMembers.scan`); off only in tests, which compare the two ways.
    var scansJSONLines = true
    /// The rows that were not valid text, and the line of the first.
    public private(set) var invalidText = (rows: 0, firstLine: 0)
    /// The encoding in force and whether it was given (or a byte order mark's) rather than
    /// guessed.
    public var encoding: (TextEncoding, given: Bool) { (input.encoding, input.encodingWasGiven) }
    /// Lines skipped before the header.
    public var linesSkipped: Int { input.linesSkipped }

    // MARK: CSV

    private struct Layout {
        var columnOfField: [Int?]
        var headers: [String]
        var width: Int
    }

    private func readCSV(_ body: (Row) throws -> Void) throws {
        let reader = try CSVReader(
            input: input, delimiter: format.delimiter ?? options.resolvedDelimiter)
        reader.readAhead = readAhead
        var layout: Layout?
        /// A header without a required column: the first rows' values, kept for the advice.
        var missing: (headers: [String], assignment: HeaderMatcher.Assignment, fields: [Int])?
        var samples: [[String]] = []
        var sampled = 0
        /// The first sampled record that looks like a better header, and its line.
        var laterHeader: Int?
        var rowNumber = 0
        var values = self.values
        defer { blankRecordsSkipped = reader.blankRecordsSkipped }
        try reader.forEachRecord { record in
            if let gap = missing {
                let strings = record.strings
                for (column, text) in strings.enumerated() where column < samples.count {
                    samples[column].append(text)
                }
                if laterHeader == nil && fieldsNamed(by: strings) > fieldsNamed(by: gap.headers) {
                    laterHeader = record.line
                }
                sampled += 1
                if sampled == Self.sampleRows {
                    throw missingColumns(gap, samples: samples, laterHeader: laterHeader)
                }
                return
            }
            if layout == nil {
                delimiter = reader.delimiter
                let (headers, assignment, lacking) = try readHeader(record)
                if lacking.isEmpty {
                    layout = Layout(
                        columnOfField: assignment.columnOfField, headers: headers,
                        width: headers.count)
                } else {
                    missing = (headers, assignment, lacking)
                    samples = Array(repeating: [], count: headers.count)
                }
                return
            }
            rowNumber += 1
            // In place: copying the layout would cost two reference counts per row.
            try row(from: record, number: rowNumber, layout: &layout!, values: &values, body)
        }
        if let gap = missing {
            throw missingColumns(gap, samples: samples, laterHeader: laterHeader)
        }
        if layout == nil {
            throw BatchInviteError.input("\(input.displayName) is empty: there is no header line")
        }
    }

    /// Rows read after a header that lacks a column, to judge which column holds what.
    static let sampleRows = 20

    private func missingColumns(
        _ gap: (headers: [String], assignment: HeaderMatcher.Assignment, fields: [Int]),
        samples: [[String]], laterHeader: Int?
    ) -> BatchInviteError {
        var missing = MissingColumns(
            target: target, matcher: matcher, displayName: input.displayName, what: "column",
            headers: gap.headers, assignment: gap.assignment, missing: gap.fields,
            samples: samples)
        if let line = laterHeader {
            let skip = line - 1
            missing.extraAdvice =
                "line \(line) looks like the header: give --skip-lines \(skip) to skip the "
                + "\(skip == 1 ? "line" : "\(skip) lines") before it"
        }
        return missing.error
    }

    /// How many of the target's fields a record would name if it were the header.
    private func fieldsNamed(by record: [String]) -> Int {
        Set(record.compactMap { matcher.field(forHeader: $0) }).count
    }

    private func row(
        from record: CSVRecord, number: Int, layout: inout Layout, values: inout [FieldValue],
        _ body: (Row) throws -> Void
    ) throws {
        let problem = try csvProblem(record, layout: layout)
        try values.withUnsafeMutableBufferPointer { slots in
            for field in slots.indices {
                if let column = layout.columnOfField[field] {
                    slots[field] = withDefault(record[column], field: field)
                } else {
                    slots[field] = defaults[field].map { .text($0) } ?? .missing
                }
            }
            try body(
                Row(
                    row: number, line: record.line, values: RowValues(UnsafeBufferPointer(slots)),
                    problem: problem))
        }
    }

    func withDefault(_ bytes: UnsafeRawBufferPointer, field: Int) -> FieldValue {
        if let fallback = defaults[field], FieldRules.trimmed(bytes).isEmpty {
            return .text(fallback)
        }
        return .text(bytes)
    }

    /// The header's columns assigned to fields; the fields left without a column (and
    /// without a default). Warns of the columns no field uses.
    private func readHeader(_ header: CSVRecord) throws -> (
        [String], HeaderMatcher.Assignment, [Int]
    ) {
        if header.problem != nil {
            throw BatchInviteError.input(
                "line \(header.line): the header line is too large to be a header")
        }
        if !TextBytes.isValidUTF8(header.allBytes),
            let field = (0..<header.fieldCount).first(where: { !TextBytes.isValidUTF8(header[$0]) })
        {
            throw BatchInviteError.input(
                "\(input.displayName): line \(header.line): the header is not valid \(input.encoding) text "
                    + "(column #\(field + 1) \"\(TextBytes.shown(header[field]))\"); if the file is in "
                    + "windows-1252, give --encoding windows-1252")
        }
        var headers = header.strings
        while let last = headers.last, last.allSatisfy(\.isWhitespace) { headers.removeLast() }
        let assignment = try matcher.assign(headers)
        let lacking = assignment.columnOfField.indices.filter {
            assignment.columnOfField[$0] == nil && defaults[$0] == nil
        }
        let unused = assignment.unused.filter { !headers[$0].allSatisfy(\.isWhitespace) }
        if lacking.isEmpty && !unused.isEmpty {
            onWarning(
                "warning: ignoring \(unused.count == 1 ? "column" : "columns") not used by \(target.name): "
                    + unused.map { "\"\(TextBytes.shown(headers[$0]))\"" }.joined(separator: ", "))
        }
        return (headers, assignment, lacking)
    }

    private func csvProblem(_ record: CSVRecord, layout: Layout) throws -> String? {
        switch record.problem {
        case .fieldTooLarge(let field)?:
            let column =
                field < layout.headers.count
                ? "column \"\(TextBytes.shown(layout.headers[field]))\"" : "field \(field + 1)"
            return "\(column): the value is over 1 MiB"
        case .recordTooLarge?:
            return "the row is over \(CSVReader.maxRecordBytes >> 20) MiB"
        case .notAnObject, .lineTooLong, .invalidText, nil:
            break
        }
        if !TextBytes.isValidUTF8(record.allBytes) {
            return try invalidTextProblem(line: record.line)
        }
        var nonEmptyWidth = record.fieldCount
        while nonEmptyWidth > layout.width && record[nonEmptyWidth - 1].isEmpty {
            nonEmptyWidth -= 1
        }
        if record.fieldCount < layout.width || nonEmptyWidth > layout.width {
            let count = record.fieldCount < layout.width ? record.fieldCount : nonEmptyWidth
            return
                "row has \(count) \(count == 1 ? "field" : "fields"), the header has \(layout.width)"
        }
        return nil
    }

    /// The problem of a row that is not valid text (counted), or the stop.
    func invalidTextProblem(line: Int) throws -> String {
        let encoding = input.encoding
        if stopsOnInvalidText && !input.encodingWasGiven {
            throw BatchInviteError.input(
                "\(input.displayName): line \(line) is not valid \(encoding) text, though the file's first "
                    + "64 KiB are; nothing was sent. If the file is in windows-1252, give --encoding "
                    + "windows-1252; with --encoding \(encoding) such rows are reported invalid and the "
                    + "others sent")
        }
        invalidText.rows += 1
        if invalidText.rows == 1 { invalidText.firstLine = line }
        let hint = encoding == .utf8 ? " (is the file in another encoding? see --encoding)" : ""
        return "line \(line): not valid \(encoding) text\(hint)"
    }
}
