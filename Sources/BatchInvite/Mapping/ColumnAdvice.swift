/// The columns (or JSON keys) of an input judged against a target before any row is read,
/// and the error that stops the command when they will not do, with advice that works as
/// printed: one set of options that fixes everything (`fix`), then the alternatives.
///
/// A header match is a proposal; the values decide. From the first rows (up to
/// `RowSource.judgedRows`), a column matched to a field by its name whose values mostly
/// fail the field's rule (at least `minimumValues` of them, `failingShare` or more
/// failing) is not used for that field: "column "Role" holds job titles ("Chief Executive
/// Officer", ...), not a sendoso role". A column a `--map` chose is used all the same, with
/// a warning. A first-name column whose values are mostly two words or more, in a file
/// without a last-name column, holds full names (`--map "Name=full_name"`). A field left
/// without a column gets the column most likely to hold it (by its name and its values),
/// else the target's default option (`--role regular`). Last names are never judged by
/// their words ("van der Berg", "García López").
struct ColumnAdvice {
    let target: any Target
    let matcher: HeaderMatcher
    let displayName: String
    /// "column" or "key".
    let what: String
    let headers: [String]
    var assignment: HeaderMatcher.Assignment
    /// Per field, whether a default option fills it.
    let hasDefault: [Bool]
    /// Per field, how its values in the first rows fared (`FieldTally`).
    let tally: [FieldTally]
    /// The first rows' values, by column: made only when a column is in question.
    private let columns: SampleColumns
    /// Advice the reader found (a preamble to skip), given instead of the rest.
    var extraAdvice: String? = nil

    init(
        target: any Target, matcher: HeaderMatcher, displayName: String, what: String,
        headers: [String], assignment: HeaderMatcher.Assignment, hasDefault: [Bool],
        tally: [FieldTally], samples: @escaping () -> [[String]]
    ) {
        self.target = target
        self.matcher = matcher
        self.displayName = displayName
        self.what = what
        self.headers = headers
        self.assignment = assignment
        self.hasDefault = hasDefault
        self.tally = tally
        columns = SampleColumns(samples)
    }

    /// How one field's values fared in the first rows: how many were not blank, and
    /// those that failed the field's rule (the first of them kept, for the message).
    struct FieldTally {
        var filled = 0
        var failed = 0
        var failing: [String] = []

        /// Counts a value that is not blank, and whether it failed (its text asked for
        /// only then).
        mutating func count(failed: Bool, _ value: () -> String) {
            filled += 1
            guard failed else { return }
            self.failed += 1
            if failing.count < 20 { failing.append(value()) }
        }
    }

    /// The sample's columns, made once when first asked for.
    private final class SampleColumns {
        private let make: () -> [[String]]
        private lazy var made: [[String]] = make()

        init(_ make: @escaping () -> [[String]]) { self.make = make }

        subscript(column: Int) -> [String] { column < made.count ? made[column] : [] }
    }

    /// Columns judged by their values need at least this many values...
    static let minimumValues = 5
    /// ...and this share of them failing the field's rule to be turned down.
    static let failingShare = 0.8

    /// A column turned down for a field, and what it holds instead.
    struct Rejection {
        let field: Int
        let column: Int
        let holds: String
    }

    /// The verdict: the warnings to give (a `--map`'s column that looks wrong), or the
    /// error that stops the command.
    func judge() -> (warnings: [String], error: BatchInviteError?) {
        var warnings: [String] = []
        var rejected: [Rejection] = []
        for field in target.fields.indices {
            guard let column = assignment.columnOfField[field],
                column != assignment.fullNameColumn, field < tally.count
            else { continue }
            let counts = tally[field]
            guard counts.filled >= Self.minimumValues,
                Double(counts.failed) >= Self.failingShare * Double(counts.filled)
            else { continue }
            if assignment.mapped[field] {
                warnings.append(
                    "warning: \(what) \"\(TextBytes.shown(headers[column]))\" given for "
                        + "\(target.fields[field].name) by --map: \(counts.failed) of its first "
                        + "\(counts.filled) values will not do (\(Self.examples(counts.failing))); "
                        + "those rows will be invalid")
            } else {
                rejected.append(
                    Rejection(
                        field: field, column: column,
                        holds: ValueKinds.describe(counts.failing, header: headers[column])))
            }
        }
        let fullName = fullNameColumn(rejected: rejected)
        var lacking = target.fields.indices.filter {
            !assignment.covers($0) && !hasDefault[$0] && !target.fields[$0].optional
        }
        for rejection in rejected where !hasDefault[rejection.field] {
            if !lacking.contains(rejection.field) { lacking.append(rejection.field) }
        }
        if fullName != nil, let spec = target.fullName {
            lacking.removeAll { $0 == spec.first || $0 == spec.last }
        }
        guard !rejected.isEmpty || !lacking.isEmpty || fullName != nil else {
            return (warnings, nil)
        }
        return (warnings, error(rejected: rejected, lacking: lacking.sorted(), fullName: fullName))
    }

    /// The non-blank values of `column`'s samples.
    private func filled(_ column: Int) -> [String] {
        columns[column].filter { !$0.allSatisfy(\.isWhitespace) }
    }

    /// The column of whole names, if the target has names and a column holds them: the
    /// first-name column of a file without a last-name column, whose values are mostly two
    /// words or more; else, when neither name has a column, one headed like a full name
    /// (`Name`, `Nome`, `ФИО`, `氏名`) whose values are names.
    private func fullNameColumn(rejected: [Rejection]) -> Int? {
        guard let spec = target.fullName, assignment.fullNameColumn == nil,
            assignment.columnOfField[spec.last] == nil, !hasDefault[spec.last]
        else { return nil }
        if let column = assignment.columnOfField[spec.first], !assignment.mapped[spec.first] {
            let values = filled(column)
            let several = values.filter { $0.split(whereSeparator: \.isWhitespace).count >= 2 }
            return !values.isEmpty && several.count * 2 > values.count ? column : nil
        }
        guard assignment.columnOfField[spec.first] == nil else { return nil }
        let aliases = Set(spec.aliases.map(HeaderMatcher.normalize))
        for column in headers.indices where assignment.unused.contains(column) {
            let header = HeaderMatcher.normalize(headers[column])
            guard
                aliases.contains(header)
                    || HeaderMatcher.parts(of: headers[column]).contains(where: aliases.contains)
            else { continue }
            let values = filled(column)
            let names = values.filter { accepts($0, field: spec.first) && !$0.contains("@") }
            if !values.isEmpty && names.count * 5 >= values.count * 4 { return column }
        }
        return nil
    }

    private func error(rejected: [Rejection], lacking: [Int], fullName: Int?) -> BatchInviteError {
        var message =
            "\(displayName): " + problems(rejected: rejected, lacking: lacking, fullName: fullName)
            + "; the \(what)s are: " + (headers.isEmpty ? "none" : HeaderMatcher.list(headers))
            + "; \(target.name) needs: " + target.fields.map(\.name).joined(separator: ", ")
        // A later line looks like the header: that first, the rest follows from it.
        if let extraAdvice, rejected.isEmpty, fullName == nil {
            return .input(message + "; " + extraAdvice)
        }
        // (Not for an Entra template's `version:v1.0` line read as the header.)
        if what == "column", rejected.isEmpty, fullName == nil, headers.count == 1,
            !headers[0].lowercased().hasPrefix("version:"),
            let separator = likelySeparator(in: headers[0])
        {
            let shown = separator == "\t" ? "tab" : "'\(separator)'"
            return .input(
                message + "; the header is a single column: if the file is separated by \(shown), "
                    + "give --delimiter \(shown)")
        }
        let (fix, alternatives, unfixable) = options(
            rejected: rejected, lacking: lacking, fullName: fullName)
        if !unfixable.isEmpty {
            // No command line can work: say what only the file can give, and the rest.
            message +=
                "; no \(what) seems to hold \(unfixable.joined(separator: " or ")): add "
                + (unfixable.count == 1 ? "it" : "them") + " to the file, or name the \(what) "
                + "that holds \(unfixable.count == 1 ? "it" : "each") with a --map"
            if !fix.isEmpty { message += "; the rest takes " + ShellWords.join(fix) }
            return .input(message)
        }
        guard !fix.isEmpty else { return .input(message) }
        return .advice(message: message, fix: fix, alternatives: alternatives)
    }

    /// What is wrong, one part for each column turned down, the column of full names and
    /// the fields missing.
    private func problems(rejected: [Rejection], lacking: [Int], fullName: Int?) -> String {
        var parts: [String] = []
        for rejection in rejected {
            let field = target.fields[rejection.field].name
            parts.append(
                "\(what) #\(rejection.column + 1) \"\(TextBytes.shown(headers[rejection.column]))\" "
                    + "holds \(rejection.holds), not \(Self.article(field)) \(target.name) \(field)"
                    + expectation(rejection.field))
        }
        if let fullName, let spec = target.fullName {
            let values = filled(fullName)
            parts.append(
                "\(what) #\(fullName + 1) \"\(TextBytes.shown(headers[fullName]))\" holds full names "
                    + "(\(Self.examples(values))), and \(target.name) needs "
                    + "\(target.fields[spec.first].name) and \(target.fields[spec.last].name)")
        }
        // A field whose column was turned down is said so above, not again as missing.
        let names = lacking.filter { field in !rejected.contains { $0.field == field } }.map {
            target.fields[$0].name
        }
        if !names.isEmpty {
            parts.append(
                "missing required \(what)\(names.count == 1 ? "" : "s") "
                    + names.joined(separator: ", ") + " for \(target.name)")
        }
        return parts.joined(separator: "; ")
    }

    /// The options that fix everything (`fix`: each column turned down left out, the
    /// column of full names named, each field missing given its likeliest column or the
    /// target's default option), the other choices of those options, and the fields no
    /// option can give (nothing in the file holds them).
    private func options(rejected: [Rejection], lacking: [Int], fullName: Int?) -> (
        fix: [String], alternatives: [String], unfixable: [String]
    ) {
        var fix: [String] = []
        var alternatives: [String] = []
        var unfixable: [String] = []
        var offered = Set<Int>()
        for rejection in rejected {
            fix += [
                "--map",
                "\(HeaderMatcher.mapName(headers[rejection.column], position: rejection.column))=-",
            ]
            offered.insert(rejection.column)
        }
        if let fullName {
            fix += [
                "--map",
                "\(HeaderMatcher.mapName(headers[fullName], position: fullName))=full_name",
            ]
            offered.insert(fullName)
        }
        for field in lacking {
            let name = target.fields[field].name
            if let column = bestColumn(for: field, excluding: offered) {
                offered.insert(column)
                fix += [
                    "--map", "\(HeaderMatcher.mapName(headers[column], position: column))=\(name)",
                ]
            } else if let option = target.fields[field].defaultOption {
                fix += [option.name, option.choices.first ?? option.value]
                for choice in option.choices.dropFirst() {
                    alternatives.append(
                        "\(option.name) \(choice) instead of \(option.name) \(option.choices[0])")
                }
                if option.choices.isEmpty {
                    alternatives.append(
                        "replace \(option.value) with the \(name) every row is to get")
                }
            } else {
                unfixable.append(name)
            }
        }
        return (fix, alternatives, unfixable)
    }

    /// " (regular or manager)" for a field of few values, else "".
    private func expectation(_ field: Int) -> String {
        guard let choices = target.fields[field].defaultOption?.choices, !choices.isEmpty else {
            return ""
        }
        return " (" + choices.joined(separator: " or ") + ")"
    }

    private static func article(_ word: String) -> String {
        "aeiou".contains(word.first ?? "x") ? "an" : "a"
    }

    /// The first few values, quoted and shown safely: `"A", "B", "C", ...`.
    static func examples(_ values: [String]) -> String {
        var seen: [String] = []
        for value in values where !seen.contains(value) {
            seen.append(value)
            if seen.count == 3 { break }
        }
        return seen.map { "\"\(TextBytes.shown($0, limit: 40))\"" }.joined(separator: ", ")
            + (Set(values).count > seen.count ? ", ..." : "")
    }

    /// The unused column most likely to hold `field`, judged by its name (a near spelling
    /// of the field's names, or one of them within it) and its first values (a column of
    /// e-mail addresses holds e-mail addresses). Never a column whose header names another
    /// field; a header that is empty or a bare number counts by its values alone, and
    /// values count much only for fields whose values stand out (an e-mail address, a
    /// UUID, a role; not a number, which a row counter is too).
    private func bestColumn(for field: Int, excluding offered: Set<Int>) -> Int? {
        let names = ([target.fields[field].name] + target.fields[field].aliases).map(
            HeaderMatcher.normalize)
        let words = Set(names.filter { $0.count >= 4 })
        let textual = accepts("hello world", field: field)
        let distinctive = !textual && !accepts("12345", field: field)
        // A field of free text (a name) takes nearly anything: its values must be mostly
        // letters ("lastLoginAt" timestamps, "2024-05-01T10:00:00Z", are no last names).
        let plausible = { (value: String) in
            guard self.accepts(value, field: field) else { return false }
            guard textual else { return true }
            let letters = value.filter(\.isLetter).count
            return letters > 0 && letters > 3 * value.filter(\.isNumber).count
        }
        var best: (column: Int, score: Int)?
        for column in assignment.unused where !offered.contains(column) {
            let header = HeaderMatcher.normalize(headers[column])
            guard matcher.field(forHeader: headers[column]).map({ $0 == field }) ?? true else {
                continue
            }
            var score = 0
            if !header.isEmpty && !header.allSatisfy(\.isNumber) {
                if names.contains(where: { HeaderMatcher.near(header, $0) }) {
                    score += 3
                } else if words.contains(where: { header.contains($0) }) {
                    score += 2
                }
            }
            let values = filled(column)
            // One value tells for a field whose values stand out (an e-mail address).
            if values.count >= 2 || (distinctive && !values.isEmpty) {
                let fraction =
                    Double(values.filter(plausible).count) / Double(values.count)
                if fraction >= 0.8 {
                    score += distinctive ? 4 : 1
                } else if fraction < 0.5 {
                    score -= 5
                }
            }
            if score >= 3 && score > (best?.score ?? 0) { best = (column, score) }
        }
        return best?.column
    }

    /// Whether `value` passes `field`'s own check.
    private func accepts(_ value: String, field: Int) -> Bool {
        target.problems(of: value, inField: field).isEmpty
    }

    /// The separator a one-column header seems to be split by, if any.
    private func likelySeparator(in header: String) -> Character? {
        let candidates: [Character] = [":", "|", ";", "\t", "^", ",", "~"]
        let counts = candidates.map { candidate in header.filter { $0 == candidate }.count }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[best] > 0
        else { return nil }
        return candidates[best]
    }
}
