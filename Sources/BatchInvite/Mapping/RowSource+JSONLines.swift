extension RowSource {
    /// JSON Lines records read before the keys are judged: like a CSV header, a file whose
    /// first lines lack a required key stops at once.
    static let keyLines = 1000

    func readJSONLines(_ body: (Row) throws -> Void) throws {
        let reader = JSONLinesReader(input: input)
        defer { blankRecordsSkipped = reader.blankRecordsSkipped }
        var mapper = JSONLinesMapper(source: self)
        var waiting: [JSONLinesReader.Record]? = []
        try reader.forEachRecord { record in
            guard waiting != nil else { return try mapper.handle(record, body) }
            waiting!.append(record)
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
    let matcher: HeaderMatcher
    let defaults: [UnsafeRawBufferPointer?]
    var rowNumber = 0
    var scratch: [UInt8] = []
    var values: [FieldValue]
    /// -1: not a field; keys repeat on every line.
    var fieldOfKey: [String: Int] = [:]
    /// Per field, whether a `--map` chose its key.
    var mapped: [Bool]
    /// Per field, the index of the member it is read from (-1: none).
    var chosen: [Int]
    var ranges: [Range<Int>]

    init(source: RowSource) {
        self.source = source
        target = source.target
        matcher = source.matcher
        defaults = source.defaults
        values = source.values
        mapped = Array(repeating: false, count: values.count)
        chosen = Array(repeating: -1, count: values.count)
        ranges = Array(repeating: 0..<0, count: values.count)
    }

    /// Judges the keys of the records read so far: which key feeds which field.
    mutating func decideKeys(_ records: [JSONLinesReader.Record]) throws {
        var keys: [String] = []
        var seen = Set<String>()
        for case .success(let members) in records.map(\.members) {
            for member in members where seen.insert(member.key).inserted {
                keys.append(member.key)
            }
        }
        // No object at all (an empty file, or only broken lines): each line says why.
        guard !keys.isEmpty else { return }
        let assignment = try matcher.assign(keys, what: "key", severalPerField: true)
        let lacking = assignment.columnOfField.indices.filter {
            assignment.columnOfField[$0] == nil && defaults[$0] == nil
        }
        if !lacking.isEmpty {
            var samples = [[String]](repeating: [], count: keys.count)
            let position = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
            for case .success(let members) in records.prefix(RowSource.sampleRows).map(\.members) {
                for member in members {
                    if let column = position[member.key], let text = member.value.text {
                        samples[column].append(text)
                    }
                }
            }
            throw MissingColumns(
                target: target, matcher: matcher, displayName: source.displayName, what: "key",
                headers: keys, assignment: assignment, missing: lacking, samples: samples
            ).error
        }
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
        let unused = assignment.unused.map { keys[$0] }
        if !unused.isEmpty {
            source.onWarning(
                "warning: ignoring \(unused.count == 1 ? "key" : "keys") not used by \(target.name): "
                    + unused.prefix(20).map { "\"\(TextBytes.shown($0))\"" }.joined(separator: ", ")
            )
        }
    }

    /// Hands `record` on as a row.
    mutating func handle(_ record: JSONLinesReader.Record, _ body: (RowSource.Row) throws -> Void)
        throws
    {
        rowNumber += 1
        var problem: String?
        var members: [JSONMember] = []
        switch record.members {
        case .success(let found): members = found
        case .failure(let error):
            switch error.problem {
            case .notAnObject(let reason): problem = "line \(record.line): \(reason)"
            case .invalidText: problem = try source.invalidTextProblem(line: record.line)
            default:
                problem =
                    "line \(record.line): longer than \(JSONLinesReader.maxLineBytes >> 20) MiB"
            }
        }
        for field in chosen.indices { chosen[field] = -1 }
        for (index, member) in members.enumerated() {
            let field: Int
            if let known = fieldOfKey[member.key] {
                field = known
            } else {
                // A key first seen after the first lines: its alias, unless a --map chose
                // that field's key.
                let byAlias = matcher.field(forHeader: member.key) ?? -1
                field = byAlias >= 0 && mapped[byAlias] ? -1 : byAlias
                if fieldOfKey.count < 10_000 { fieldOfKey[member.key] = field }
            }
            guard field >= 0 else { continue }
            let earlier = chosen[field]
            if earlier >= 0, members[earlier].key != member.key, problem == nil {
                problem =
                    "\(target.fields[field].name): given twice, as \"\(TextBytes.shown(members[earlier].key))\" and \"\(TextBytes.shown(member.key))\""
            }
            chosen[field] = index
        }
        scratch.removeAll(keepingCapacity: true)
        for field in chosen.indices {
            ranges[field] = 0..<0
            guard chosen[field] >= 0 else { continue }
            switch members[chosen[field]].value {
            case .string(let text), .number(let text):
                let start = scratch.count
                scratch.append(contentsOf: text.utf8)
                ranges[field] = start..<scratch.count
            default: break
            }
        }
        let source = self.source
        let defaults = self.defaults
        let chosen = self.chosen
        let ranges = self.ranges
        let row = rowNumber
        try scratch.withUnsafeBytes { buffer in
            for field in values.indices {
                guard chosen[field] >= 0 else {
                    values[field] = defaults[field].map { .text($0) } ?? .missing
                    continue
                }
                let bytes = UnsafeRawBufferPointer(rebasing: buffer[ranges[field]])
                switch members[chosen[field]].value {
                case .null:
                    values[field] = source.withDefault(
                        UnsafeRawBufferPointer(start: nil, count: 0), field: field)
                case .string: values[field] = source.withDefault(bytes, field: field)
                case .number: values[field] = .number(bytes)
                case let other: values[field] = .wrongKind(other.kind)
                }
            }
            try values.withUnsafeBufferPointer { slots in
                try body(
                    RowSource.Row(
                        row: row, line: record.line, values: RowValues(slots), problem: problem))
            }
        }
    }
}
