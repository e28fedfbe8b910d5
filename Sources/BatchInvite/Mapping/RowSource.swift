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
        /// Why a `--where` leaves the row out, if it does (`Status is "deactivated"`).
        public var skipped: String? = nil
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
        if invalidText.rows > 0 {
            let count = invalidText.rows
            let rows =
                "\(input.displayName): \(count) \(count == 1 ? "row is" : "rows are") not valid"
            onWarning(
                input.encoding == .utf8
                    ? "warning: \(rows) UTF-8 (the first on line \(invalidText.firstLine)); if the file is in "
                        + "windows-1252, give --encoding windows-1252"
                    : "warning: \(rows) \(input.encoding) text (the first on line \(invalidText.firstLine)); "
                        + "they are reported invalid")
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
    /// The CSV header's cells, blank ones at its end included.
    private var headerWidth = 0

    // MARK: CSV

    private struct Layout {
        var columnOfField: [Int?]
        var headers: [String]
        var width: Int
        /// The target's first and last name fields, when one column holds whole names.
        var fullName: FullNameSpec?
        /// The `--where` conditions and the column each looks at.
        var filters: [(column: Int, filter: RowFilter)] = []
    }

    /// What `readCSV` knows as it reads: one value the record closure changes in place (no
    /// nested function captures it: a captured variable would be checked for exclusive
    /// access at run time on every row).
    private struct CSVReading {
        /// The header's columns and their fields, until the first rows are judged.
        var header: (headers: [String], assignment: HeaderMatcher.Assignment)?
        var layout: Layout?
        /// The first data records, kept until the columns are judged.
        var sample: RecordSample? = RecordSample()
        /// The first sampled record that looks like a better header, and its line.
        var laterHeader: Int?
        var rowNumber = 0
    }

    private func readCSV(_ body: (Row) throws -> Void) throws {
        let reader = try CSVReader(
            input: input, delimiter: format.delimiter ?? options.resolvedDelimiter)
        reader.readAhead = readAhead
        var reading = CSVReading()
        var values = self.values
        defer { blankRecordsSkipped = reader.blankRecordsSkipped }
        try reader.forEachRecord { record in
            guard let kept = reading.sample else {
                reading.rowNumber += 1
                // In place: copying the layout would cost two reference counts per row.
                return try row(
                    from: record, number: reading.rowNumber, layout: &reading.layout!,
                    values: &values, body)
            }
            guard let (headers, assignment) = reading.header else {
                delimiter = reader.delimiter
                reading.header = try readHeader(record)
                // A --where that names no column stops before any row is read.
                _ = try filterColumns(reading.header?.headers ?? [], what: "column")
                return
            }
            kept.append(record)
            // A header that lacks a column: is a later line the real header?
            if reading.laterHeader == nil, kept.count <= Self.sampleRows,
                lacksColumns(assignment),
                fieldsNamed(by: record.strings) > fieldsNamed(by: headers)
            {
                reading.laterHeader = record.line
            }
            if kept.count == Self.judgedRows { try decide(&reading, &values, body) }
        }
        guard reading.header != nil else {
            throw BatchInviteError.input("\(input.displayName) is empty: there is no header line")
        }
        try decide(&reading, &values, body)
    }

    /// Judges the columns from the records kept, then hands those on.
    private func decide(
        _ reading: inout CSVReading, _ values: inout [FieldValue], _ body: (Row) throws -> Void
    ) throws {
        guard let kept = reading.sample, let (headers, assignment) = reading.header else { return }
        reading.sample = nil
        var decided = try judgeColumns(
            headers: headers, assignment: assignment, sample: kept,
            laterHeader: reading.laterHeader)
        var rowNumber = reading.rowNumber
        try kept.forEach { record in
            rowNumber += 1
            try row(from: record, number: rowNumber, layout: &decided, values: &values, body)
        }
        reading.rowNumber = rowNumber
        reading.layout = decided
    }

    /// Rows read after a header that lacks a column, to find a later line that would be a
    /// better header.
    static let sampleRows = 20
    /// The first data rows read before any is handed out, to judge what the columns hold
    /// (`ColumnAdvice`).
    public static let judgedRows = 1000

    /// Whether `assignment` leaves a field without a column or a default.
    private func lacksColumns(_ assignment: HeaderMatcher.Assignment) -> Bool {
        target.fields.indices.contains {
            !assignment.covers($0) && defaults[$0] == nil && !target.fields[$0].optional
        }
    }

    /// The layout the columns will be read with, once the first records (`sample`) show
    /// they hold what their fields need; else the error that says what to do (exit 2).
    private func judgeColumns(
        headers: [String], assignment: HeaderMatcher.Assignment, sample: RecordSample,
        laterHeader: Int?
    ) throws -> Layout {
        // Cells under empty trailing headers are no extra cells: the width is the header's
        // whole, blanks at its end included.
        let layout = Layout(
            columnOfField: assignment.columnOfField, headers: headers,
            width: max(headers.count, headerWidth),
            fullName: assignment.fullNameColumn == nil ? nil : target.fullName,
            filters: try filterColumns(headers, what: "column"))
        var tally = [ColumnAdvice.FieldTally](repeating: .init(), count: target.fields.count)
        var values = self.values
        var key = RowKey()
        var problems = RowProblems()
        sample.forEach { record in
            guard record.problem == nil, TextBytes.isValidUTF8(record.allBytes),
                skipReason(layout.filters, { record[$0] }) == nil
            else { return }
            values.withUnsafeMutableBufferPointer { slots in
                fill(slots, from: record, layout: layout)
                guard splitFullName(slots, layout.fullName) == nil else { return }
                key.removeAll()
                problems.removeAll()
                target.validate(
                    RowValues(UnsafeBufferPointer(slots)), key: &key, problems: &problems)
            }
            for field in target.fields.indices {
                guard let column = layout.columnOfField[field],
                    !FieldRules.trimmed(record[column]).isEmpty
                else { continue }
                tally[field].count(failed: problems.concerns(target.fields[field].name)) {
                    String(decoding: FieldRules.trimmed(record[column]), as: UTF8.self)
                }
            }
        }
        var advice = ColumnAdvice(
            target: target, matcher: matcher, displayName: input.displayName, what: "column",
            headers: headers, assignment: assignment, hasDefault: defaults.map { $0 != nil },
            tally: tally, samples: { sample.columns(width: headers.count) })
        if let line = laterHeader {
            let skip = line - 1
            advice.extraAdvice =
                "line \(line) looks like the header: give --skip-lines \(skip) to skip the "
                + "\(skip == 1 ? "line" : "\(skip) lines") before it"
        }
        let (warnings, error) = advice.judge()
        if let error { throw error }
        warnings.forEach(onWarning)
        if !assignment.unused.isEmpty {
            let unused = assignment.unused.filter { !headers[$0].allSatisfy(\.isWhitespace) }
            if !unused.isEmpty {
                onWarning(
                    "warning: ignoring \(unused.count == 1 ? "column" : "columns") not used by \(target.name): "
                        + unused.map { "\"\(TextBytes.shown(headers[$0]))\"" }.joined(
                            separator: ", "))
            }
        }
        return layout
    }

    /// How many of the target's fields a record would name if it were the header (a cell
    /// headed like a full name, `Name`, `ФИО`, `이름`, names both names).
    private func fieldsNamed(by record: [String]) -> Int {
        var fields = Set(record.compactMap { matcher.field(forHeader: $0) })
        if let spec = target.fullName {
            let aliases = Set(spec.aliases.map(HeaderMatcher.normalize))
            if record.contains(where: { aliases.contains(HeaderMatcher.normalize($0)) }) {
                fields.formUnion([spec.first, spec.last])
            }
        }
        return fields.count
    }

    private func row(
        from record: CSVRecord, number: Int, layout: inout Layout, values: inout [FieldValue],
        _ body: (Row) throws -> Void
    ) throws {
        var problem = try csvProblem(record, layout: layout)
        try values.withUnsafeMutableBufferPointer { slots in
            fill(slots, from: record, layout: layout)
            if let fullName = layout.fullName, problem == nil {
                problem = splitFullName(slots, fullName)
            }
            var row = Row(
                row: number, line: record.line, values: RowValues(UnsafeBufferPointer(slots)),
                problem: problem)
            if !layout.filters.isEmpty { row.skipped = skipReason(layout.filters, { record[$0] }) }
            try body(row)
        }
    }

    /// Each `--where` with the column (or key) it names among `headers`; exit 2 for one
    /// that names none.
    func filterColumns(_ headers: [String], what: String) throws -> [(
        column: Int, filter: RowFilter
    )] {
        try options.filters.map { filter in
            (
                try HeaderMatcher.column(
                    named: filter.column, in: headers, what: what,
                    option: "--where \"\(filter)\""), filter
            )
        }
    }

    /// Why `filters` leave a row out (the first that does), given its cells by column.
    func skipReason(
        _ filters: [(column: Int, filter: RowFilter)], _ cell: (Int) -> UnsafeRawBufferPointer
    ) -> String? {
        for (column, filter) in filters {
            let text = String(decoding: cell(column), as: UTF8.self)
            if !filter.admits(text) {
                let shown = text.trimmingCharacters(in: .whitespaces)
                return "skipped: \(filter.column) is "
                    + (shown.isEmpty ? "empty" : "\"\(TextBytes.shown(shown))\"")
                    + " (--where \"\(filter)\")"
            }
        }
        return nil
    }

    /// Puts `record`'s cells in the target's field order, defaults filled in.
    @inline(__always)
    private func fill(
        _ slots: UnsafeMutableBufferPointer<FieldValue>, from record: CSVRecord, layout: Layout
    ) {
        for field in slots.indices {
            if let column = layout.columnOfField[field] {
                slots[field] = withDefault(record[column], field: field)
            } else {
                slots[field] = defaults[field].map { .text($0) } ?? .missing
            }
        }
    }

    /// Splits the whole name in the first name's slot into the first and last names
    /// (`FullName`); the row's problem when it cannot be split.
    func splitFullName(_ slots: UnsafeMutableBufferPointer<FieldValue>, _ spec: FullNameSpec?)
        -> String?
    {
        guard let spec, case .text(let whole) = slots[spec.first] else { return nil }
        switch FullName.split(whole) {
        case .parts(let first, let last):
            slots[spec.first] = .text(first)
            slots[spec.last] = .text(last)
            return nil
        case .problem(let reason):
            return "full name \(reason)"
        }
    }

    @inline(__always)
    func withDefault(_ bytes: UnsafeRawBufferPointer, field: Int) -> FieldValue {
        if let fallback = defaults[field], FieldRules.trimmed(bytes).isEmpty {
            return .text(fallback)
        }
        return .text(bytes)
    }

    /// The header's columns assigned to fields (judged later, with the first rows).
    private func readHeader(_ header: CSVRecord) throws -> ([String], HeaderMatcher.Assignment) {
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
        headerWidth = header.fieldCount
        return (headers, try matcher.assign(headers))
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
        // Fewer cells than the header: the missing trailing ones are empty (exports leave
        // them off). More non-empty cells than the header: which is which cannot be told.
        var nonEmptyWidth = record.fieldCount
        while nonEmptyWidth > layout.width && record[nonEmptyWidth - 1].isEmpty {
            nonEmptyWidth -= 1
        }
        if nonEmptyWidth > layout.width {
            return "row has \(nonEmptyWidth) fields, the header has \(layout.width)"
        }
        return nil
    }

    /// The problem of a row that is not valid text (counted), or the stop.
    func invalidTextProblem(line: Int) throws -> String {
        let encoding = input.encoding
        if stopsOnInvalidText && !input.encodingWasGiven {
            let other =
                encoding == .utf8
                ? "If the file is in windows-1252, give --encoding windows-1252"
                : "If the file is in another encoding, give it with --encoding"
            throw BatchInviteError.input(
                "\(input.displayName): line \(line) is not valid \(encoding) text, though the file's first "
                    + "64 KiB are; nothing was sent. \(other); with --encoding \(encoding) such rows are "
                    + "reported invalid and the others sent")
        }
        invalidText.rows += 1
        if invalidText.rows == 1 { invalidText.firstLine = line }
        let hint = encoding == .utf8 ? " (is the file in another encoding? see --encoding)" : ""
        return "line \(line): not valid \(encoding) text\(hint)"
    }
}
