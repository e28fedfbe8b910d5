extension RowSource {
    /// JSON Lines records read before the keys are judged: like a CSV header, a file whose
    /// first lines lack a required key stops at once.
    static let keyLines = 1000

    func readJSONLines(_ body: (Row) throws -> Void) throws {
        let reader = JSONLinesReader(input: input)
        defer { blankRecordsSkipped = reader.blankRecordsSkipped }
        try readJSONRecords(reader, body)
    }

    /// Maps the records `reader` hands on (JSON Lines' lines, a JSON document's elements).
    func readJSONRecords(_ reader: some JSONRecordSource, _ body: (Row) throws -> Void) throws {
        var mapper = JSONLinesMapper(source: self, record: type(of: reader).record)
        var waiting: [JSONLinesReader.Record]? = []
        try reader.forEachRecordText { line, text in
            guard waiting != nil else { return try mapper.handle(line: line, text, body) }
            waiting!.append(mapper.record(text, line))
            guard let records = waiting, records.count == Self.keyLines else { return }
            waiting = nil
            try mapper.decideKeys(records)
            for record in records { try mapper.handle(record, body) }
        }
        if let records = waiting {
            try mapper.decideKeys(records)
            for record in records { try mapper.handle(record, body) }
        }
    }
}

/// JSON Lines records turned into rows: which key feeds which field, decided from the first
/// lines, then each record's values arranged by field. Its state is its own (not captured
/// by closures), so the per-row work needs no run-time exclusivity checks.
private struct JSONLinesMapper {
    let source: RowSource
    let target: any Target
    let defaults: [UnsafeRawBufferPointer?]
    var rowNumber = 0
    var values: [FieldValue]
    /// Whether lines of the common kind are read without `JSONParser` (tests compare).
    let scans: Bool
    /// This line's members and the field of each; the previous line's, whose keys are
    /// nearly always the same, in the same order.
    var current = MappedLine()
    var previous = MappedLine()
    /// Which field each key feeds.
    var keyFields: KeyFields
    /// Per field, the index of the member it is read from (-1: none).
    var chosen: [Int]
    /// The target's first and last name fields, when one key holds whole names.
    var fullName: FullNameSpec?
    /// The `--where` conditions and the key each looks at.
    var filters: [(key: [UInt8], filter: RowFilter)] = []
    /// A record's bytes parsed (where the scan does not read them), its nested members
    /// given dotted keys (`NestedKeys`).
    let record: (UnsafeRawBufferPointer?, Int) -> JSONLinesReader.Record

    init(
        source: RowSource,
        record: @escaping (UnsafeRawBufferPointer?, Int) -> JSONLinesReader.Record
    ) {
        self.record = { NestedKeys.flattened(record($0, $1)) }
        self.source = source
        target = source.target
        defaults = source.defaults
        values = source.values
        scans = source.scansJSONLines
        keyFields = KeyFields(matcher: source.matcher, fields: values.count)
        chosen = Array(repeating: -1, count: values.count)
    }

    /// Judges the keys of the records read so far: which key feeds which field.
    mutating func decideKeys(_ records: [JSONLinesReader.Record]) throws {
        let matcher = source.matcher
        var keys: [String] = []
        var seen = Set<String>()
        for case .success(let members) in records.map(\.members) {
            for member in members where seen.insert(member.key).inserted {
                keys.append(member.key)
            }
        }
        // No object at all (an empty file, or only broken lines): each line says why.
        guard !keys.isEmpty else {
            filters = try source.filterColumns([], what: "key").map {
                (Array($0.filter.column.utf8), $0.filter)
            }
            return
        }
        var assignment = try matcher.assign(keys, what: "key", severalPerField: true)
        try NestedKeys.assignLeaves(
            keys, matcher: matcher, fieldNames: target.fields.map(\.name),
            hasDefault: defaults.map { $0 != nil }, to: &assignment)
        let position = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        let advice = ColumnAdvice(
            target: target, matcher: matcher, displayName: source.displayName, what: "key",
            headers: keys, assignment: assignment, hasDefault: defaults.map { $0 != nil },
            tally: Self.tally(records, keys: keys, assignment: assignment, target: target),
            samples: {
                var samples = [[String]](repeating: [], count: keys.count)
                for case .success(let members) in records.map(\.members) {
                    for member in members {
                        if let column = position[member.key], let text = member.value.text {
                            samples[column].append(text)
                        }
                    }
                }
                return samples
            })
        let (warnings, error) = advice.judge()
        if let error { throw error }
        warnings.forEach(source.onWarning)
        fullName = assignment.fullNameColumn == nil ? nil : target.fullName
        filters = try source.filterColumns(keys, what: "key").map {
            (Array(keys[$0.column].utf8), $0.filter)
        }
        keyFields.learn(keys, assignment: assignment)
        let parents = NestedKeys.parents(among: keys)
        let unused = assignment.unused.map { keys[$0] }.filter { !parents.contains($0) }
        if !unused.isEmpty {
            source.onWarning(
                "warning: ignoring \(unused.count == 1 ? "key" : "keys") not used by \(target.name): "
                    + unused.prefix(20).map { "\"\(TextBytes.shown($0))\"" }.joined(separator: ", ")
            )
        }
    }

    /// How each field's values fared in `records` (the key a field is read from: the one
    /// `assignment` gives it, by its position in `keys`).
    private static func tally(
        _ records: [JSONLinesReader.Record], keys: [String],
        assignment: HeaderMatcher.Assignment, target: any Target
    ) -> [ColumnAdvice.FieldTally] {
        var tally = [ColumnAdvice.FieldTally](repeating: .init(), count: target.fields.count)
        for case .success(let members) in records.map(\.members) {
            for field in target.fields.indices {
                guard let column = assignment.columnOfField[field],
                    column != assignment.fullNameColumn,
                    let member = members.first(where: { $0.key == keys[column] }),
                    let text = member.value.text,
                    !text.allSatisfy(\.isWhitespace)
                else { continue }
                let failed = !target.problems(of: text, inField: field).isEmpty
                tally[field].count(failed: failed) { text }
            }
        }
        return tally
    }

    /// Hands line `line` on as a row: read by `JSONRecordMembers.scan` when it can, else
    /// by `JSONParser`.
    mutating func handle(
        line: Int, _ text: UnsafeRawBufferPointer?, _ body: (RowSource.Row) throws -> Void
    ) throws {
        if scans, let text, current.record.scan(text) {
            return try handleMembers(line: line, problem: nil, body)
        }
        try handle(record(text, line), body)
    }

    /// Hands `record` on as a row.
    mutating func handle(_ record: JSONLinesReader.Record, _ body: (RowSource.Row) throws -> Void)
        throws
    {
        var problem: String?
        switch record.members {
        case .success(let found): current.record.load(found)
        case .failure(let error):
            current.record.load([])
            switch error.problem {
            case .notAnObject(let reason): problem = "line \(record.line): \(reason)"
            case .invalidText: problem = try source.invalidTextProblem(line: record.line)
            default:
                problem =
                    "line \(record.line): longer than \(JSONLinesReader.maxLineBytes >> 20) MiB"
            }
        }
        try handleMembers(line: record.line, problem: problem, body)
    }

    /// The field member `index` of `current` feeds (-1: none); `asBefore` when the previous
    /// line's member `index` has the same key.
    private mutating func field(ofMember index: Int, asBefore: Bool) -> Int {
        if asBefore { return previous.fieldOfMember[index] }
        return keyFields.field(ofKey: current.record.key(index))
    }

    /// Hands `current`'s members on as a row.
    private mutating func handleMembers(
        line: Int, problem: String?, _ body: (RowSource.Row) throws -> Void
    ) throws {
        rowNumber += 1
        let ambiguity = assignFields()
        let problem = problem ?? ambiguity
        fillValues()
        let row = rowNumber
        guard fullName != nil || !filters.isEmpty else {
            // The common case: nothing to split or filter, nothing retained or copied.
            try values.withUnsafeBufferPointer { slots in
                try body(
                    RowSource.Row(row: row, line: line, values: RowValues(slots), problem: problem))
            }
            swap(&current, &previous)
            return
        }
        try handOnSplitOrFiltered(row: row, line: line, problem: problem, body)
        swap(&current, &previous)
    }

    /// Finds the field each of `current`'s members feeds (`current.fieldOfMember`, and
    /// `chosen`); returns what makes the record ambiguous, if anything.
    @inline(__always)
    private mutating func assignFields() -> String? {
        var givenTwice: String?
        // A key given twice makes the record ambiguous, whichever key it is: readers differ
        // on which value counts. Two members with the same key feed the same field, so for
        // the keys of fields it is found among the members a field has twice; the keys of
        // no field are compared among themselves (nearly always one or none).
        var repeated: (first: Int, again: Int)?
        var unused = 0
        for field in chosen.indices { chosen[field] = -1 }
        current.fieldOfMember.removeAll(keepingCapacity: true)
        var keysAsBefore = current.record.members.count == previous.record.members.count
        for index in current.record.members.indices {
            let asBefore =
                index < previous.record.members.count
                && current.record.sameKey(index, as: previous.record, index)
            keysAsBefore = keysAsBefore && asBefore
            let field = self.field(ofMember: index, asBefore: asBefore)
            current.fieldOfMember.append(field)
            guard field >= 0 else {
                unused += 1
                continue
            }
            let earlier = chosen[field]
            if earlier >= 0 {
                if current.record.sameText(earlier, index) {
                    if repeated == nil { repeated = (earlier, index) }
                } else if givenTwice == nil {
                    let first = TextBytes.shown(current.record.key(earlier))
                    let second = TextBytes.shown(current.record.key(index))
                    givenTwice =
                        "\(target.fields[field].name): given twice, as \"\(first)\" and \"\(second)\""
                }
            }
            chosen[field] = index
        }
        // Keys as the previous line's have its verdict.
        var unusedRepeated: (first: Int, again: Int)?
        if unused > 1 {
            unusedRepeated =
                keysAsBefore
                ? previous.unusedRepeated
                : current.record.repeatedKey(among: { current.fieldOfMember[$0] < 0 })
        }
        current.unusedRepeated = unusedRepeated
        repeated = repeated ?? unusedRepeated
        let repeatedKey = repeated.map { first, again in
            "key \"\(TextBytes.shown(current.record.key(again)))\" appears twice"
                + (current.record.sameKey(first, as: current.record, again)
                    ? "" : " (written two ways that are the same text)")
        }
        return repeatedKey ?? givenTwice
    }

    /// Puts the values of `current`'s chosen members in the fields' order, defaults filled in.
    @inline(__always)
    private mutating func fillValues() {
        let members = current.record
        for field in values.indices {
            guard chosen[field] >= 0 else {
                values[field] = defaults[field].map { .text($0) } ?? .missing
                continue
            }
            let member = members.members[chosen[field]]
            switch member.kind {
            case .null:
                values[field] = source.withDefault(
                    UnsafeRawBufferPointer(start: nil, count: 0), field: field)
            case .string: values[field] = source.withDefault(members.value(member), field: field)
            case .number: values[field] = .number(members.value(member))
            case let other: values[field] = .wrongKind(other)
            }
        }
    }

    /// Hands the row on with its full name split and its `--where` conditions applied.
    private mutating func handOnSplitOrFiltered(
        row: Int, line: Int, problem: String?, _ body: (RowSource.Row) throws -> Void
    ) throws {
        let (fullName, filters, source, members) = (
            self.fullName, self.filters, self.source, current.record
        )
        try values.withUnsafeMutableBufferPointer { slots in
            var problem = problem
            if problem == nil, fullName != nil {
                problem = source.splitFullName(slots, fullName)
            }
            var row = RowSource.Row(
                row: row, line: line, values: RowValues(UnsafeBufferPointer(slots)),
                problem: problem)
            if !filters.isEmpty {
                row.skipped = source.skipReason(
                    filters.indices.map { ($0, filters[$0].filter) }
                ) { index in
                    let key = filters[index].key
                    let found = members.members.indices.first {
                        members.key($0).elementsEqual(key)
                    }
                    return found.map { members.value(members.members[$0]) }
                        ?? UnsafeRawBufferPointer(start: nil, count: 0)
                }
            }
            try body(row)
        }
    }
}

/// A JSON Lines record's members, the field each feeds (-1: none), and the key repeated
/// among those that feed no field, if any: kept for the next line, whose keys are nearly
/// always the same, in the same order.
private struct MappedLine {
    var record = JSONRecordMembers()
    var fieldOfMember: [Int] = []
    var unusedRepeated: (first: Int, again: Int)?
}

/// Which field each JSON Lines key feeds (-1: none): for the keys of the first lines as
/// their judgment decided (`learn`); for a key first seen after them, its alias's field,
/// unless a `--map` chose that field's key.
private struct KeyFields {
    let matcher: HeaderMatcher
    /// The keys seen so far (keys repeat on every line).
    private var fieldOfKey: [String: Int] = [:]
    /// Per field, whether a `--map` chose its key.
    private var mapped: [Bool]

    init(matcher: HeaderMatcher, fields: Int) {
        self.matcher = matcher
        mapped = Array(repeating: false, count: fields)
    }

    /// The keys of the first lines, assigned to fields as `assignment` says.
    mutating func learn(_ keys: [String], assignment: HeaderMatcher.Assignment) {
        mapped = assignment.mapped
        for (index, key) in keys.enumerated() {
            // A key a --map chose, else its alias (several keys may stand for one field; a
            // record with two of them is told so), unless a --map chose that field.
            if let field = assignment.columnOfField.firstIndex(of: index) {
                fieldOfKey[key] = field
            } else {
                let byAlias = matcher.field(forHeader: key) ?? -1
                fieldOfKey[key] = byAlias >= 0 && !mapped[byAlias] ? byAlias : -1
            }
        }
    }

    /// The field `key` feeds.
    mutating func field(ofKey key: UnsafeRawBufferPointer) -> Int {
        let key = String(decoding: key, as: UTF8.self)
        if let known = fieldOfKey[key] { return known }
        // A key first seen after the first lines: its alias, unless a --map chose that
        // field's key.
        let byAlias = matcher.field(forHeader: key) ?? -1
        let field = byAlias >= 0 && mapped[byAlias] ? -1 : byAlias
        if fieldOfKey.count < 10_000 { fieldOfKey[key] = field }
        return field
    }
}
