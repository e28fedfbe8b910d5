extension RowSource {
    private struct Layout {
        var columnOfField: [Int?]
        var headers: [String]
        var width: Int
        /// The target's first and last name fields, when one column holds whole names.
        var fullName: FullNameSpec?
        /// The `--where` conditions and the column each looks at.
        var filters: [(column: Int, filter: RowFilter)] = []
    }

    /// The header line: its cells (blank ones at its end left out), how many cells it has
    /// (blank ones included), and the fields its columns are assigned (judged later, with
    /// the first rows).
    private struct Header {
        var headers: [String]
        var width: Int
        var assignment: HeaderMatcher.Assignment
    }

    /// What `readCSV` knows as it reads: one value the record closure changes in place (no
    /// nested function captures it: a captured variable would be checked for exclusive
    /// access at run time on every row).
    private struct CSVReading {
        /// The header's columns and their fields, until the first rows are judged.
        var header: Header?
        var layout: Layout?
        /// The first data records, kept until the columns are judged.
        var sample: RecordSample? = RecordSample()
        /// The first sampled record that looks like a better header, and its line.
        var laterHeader: Int?
        var rowNumber = 0
    }

    func readCSV(_ body: (Row) throws -> Void) throws {
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
            guard let header = reading.header else {
                delimiter = reader.delimiter
                reading.header = try readHeader(record)
                // A --where that names no column stops before any row is read.
                _ = try filterColumns(reading.header?.headers ?? [], what: "column")
                return
            }
            kept.append(record)
            // A header that lacks a column: is a later line the real header?
            if reading.laterHeader == nil, kept.count <= Self.sampleRows,
                lacksColumns(header.assignment),
                fieldsNamed(by: record.strings) > fieldsNamed(by: header.headers)
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
        guard let kept = reading.sample, let header = reading.header else { return }
        reading.sample = nil
        var decided = try judgeColumns(header, sample: kept, laterHeader: reading.laterHeader)
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
    private func judgeColumns(_ header: Header, sample: RecordSample, laterHeader: Int?) throws
        -> Layout
    {
        let (headers, assignment) = (header.headers, header.assignment)
        // Cells under empty trailing headers are no extra cells: the width is the header's
        // whole, blanks at its end included.
        let layout = Layout(
            columnOfField: assignment.columnOfField, headers: headers,
            width: max(headers.count, header.width),
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

    /// The header's columns assigned to fields (judged later, with the first rows).
    private func readHeader(_ header: CSVRecord) throws -> Header {
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
        return Header(
            headers: headers, width: header.fieldCount, assignment: try matcher.assign(headers))
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
}
