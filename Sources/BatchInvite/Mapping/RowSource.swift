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
    public internal(set) var delimiter: UInt8?
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

    /// Hands every data row, in order, to the target's `check`, which hands its verdict on
    /// to `sink` (the validation stage): the mapped row goes to the target, and on.
    public func forEachRow(checkedBy check: inout RowCheck, into sink: some VerdictSink)
        throws
    {
        try forEachRow { row in
            try check.check(
                row: row.row, line: row.line, values: row.values, problem: row.problem,
                skipped: row.skipped, into: sink)
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
