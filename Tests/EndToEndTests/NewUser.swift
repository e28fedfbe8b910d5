import Foundation

/// A new user of batch-invite with a file: `validate FILE --target T` with no other option,
/// then the advice as printed (`Advice`), at most 3 more times; then, when the tool went
/// ahead, the known row as `inspect` maps it and `validate --report-format jsonl` judges it.
/// The classes (the same as Tests/Benchmarks/people_files_score.py's):
/// - as-is: right with no option but `--role` and `--team-group-id`, which no people file
///   carries and every Sendoso user gives;
/// - by-advice: right after following other advice;
/// - wrong-values: the tool went ahead and the known row's values are not the right ones
///   (a field from a column that holds something else, a value where the file has none),
///   or it read another number of rows than Python: whether the row would be sent or not;
/// - stopped: not right, and nothing wrong would be sent (still stopping after 3 rounds,
///   advice that does not work, the known row refused for a wrong reason).
/// Right is the known row valid with exactly the expected values or, for a file that cannot
/// be right (`refused`), a stop naming each missing field (after no advice that maps a
/// column to a field it does not hold), or the known row invalid for a reason naming one,
/// the missing fields empty.
struct NewUser {
    static let maxRounds = 3
    /// The user's own Sendoso team, given where the advice says `--team-group-id N`.
    let team: Int

    /// A judgement: the class (or "right") and why.
    private struct Verdict {
        var outcome: String
        var detail: String
        var wouldSend = false
    }

    func outcome(of file: PeopleFile, facts: PeopleFileFacts) throws -> PeopleFileOutcome {
        let tool = try Tool()
        let source = Tool.packageRoot.appendingPathComponent(
            "Tests/EndToEndTests/Fixtures/people-files/\(file.file)")
        try tool.write(file.file, Array(try Data(contentsOf: source)))
        var result = PeopleFileOutcome(file: file.file, target: file.target, expected: file.outcome)
        var given: [Advice.Option] = []
        var last: ToolResult
        while true {
            last = try tool.run(
                ["validate", file.file, "--target", file.target] + Self.flat(given))
            result.rounds.append(
                .init(
                    options: Advice.shown(given), status: last.status,
                    message: Self.lastLine(last.stderr)))
            guard last.status == 2,
                let next = Advice.follow(last.stderr, given: given, team: team),
                result.rounds.count <= Self.maxRounds
            else { break }
            given = next
        }
        let verdict: Verdict
        if last.status == 2 {
            verdict = judgeStop(
                file, facts, given: given, stderr: last.stderr, rounds: result.rounds.count)
        } else if last.status == 0 || last.status == 1 {
            verdict = try judgeRow(file, facts, tool: tool, given: given)
        } else {
            verdict = Verdict(outcome: "stopped", detail: "exit \(last.status)")
        }
        let plain = given.allSatisfy { ["--role", "--team-group-id"].contains($0.name) }
        result.options = Advice.shown(given)
        result.outcome =
            verdict.outcome == "right" ? (plain ? "as-is" : "by-advice") : verdict.outcome
        result.detail = verdict.detail
        result.wouldSend = verdict.wouldSend
        return result
    }

    /// The last stop, against the expected outcome.
    private func judgeStop(
        _ file: PeopleFile, _ facts: PeopleFileFacts, given: [Advice.Option], stderr: String,
        rounds: Int
    ) -> Verdict {
        guard file.outcome == "refused" else {
            return Verdict(
                outcome: "stopped",
                detail: rounds > Self.maxRounds
                    ? "still stops after 3 rounds of advice" : "stops with no advice that works")
        }
        let missing = (file.missing ?? []).joined(separator: ", ")
        let unnamed = (file.missing ?? []).filter { !Self.names(Advice.errorPart(stderr), $0) }
        if !unnamed.isEmpty {
            return Verdict(
                outcome: "stopped",
                detail: "stops without naming \(unnamed.joined(separator: ", ")) as missing")
        }
        if let shown = file.shown, !stderr.contains(shown) {
            return Verdict(
                outcome: "stopped",
                detail:
                    "stops naming \(missing) but does not show the header \(Self.quoted(shown)) "
                    + "as written")
        }
        let wrong = Self.wrongMaps(given, file, headers: facts.headers)
        if !wrong.isEmpty {
            return Verdict(
                outcome: "stopped",
                detail:
                    "stops naming \(missing), after advice that maps a column to a field it does "
                    + "not hold: \(wrong)")
        }
        return Verdict(outcome: "right", detail: "stops: \(missing) missing, as it should")
    }

    /// The known row as the tool reads it, against the expected values.
    private func judgeRow(
        _ file: PeopleFile, _ facts: PeopleFileFacts, tool: Tool, given: [Advice.Option]
    ) throws -> Verdict {
        let arguments = [file.file, "--target", file.target]
        let inspect = try tool.run(["inspect"] + arguments + Self.flat(given))
        guard inspect.status == 0 else {
            return Verdict(
                outcome: "stopped",
                detail: "inspect exits \(inspect.status): \(Self.lastLine(inspect.stderr))")
        }
        let rows = Self.jsonLines(inspect.stdout)
        _ = try tool.run(
            ["validate"] + arguments + [
                "--report-format", "jsonl", "--report", "score-report.jsonl",
            ]
                + Self.flat(given))
        var report: [Int: [String: Any]] = [:]
        for record in Self.jsonLines((try? tool.read("score-report.jsonl")) ?? "") {
            if let row = record["row"] as? Int { report[row] = record }
        }
        let number = facts.knownRow.row
        guard let row = rows.first(where: { ($0["row"] as? Int) == number }) else {
            return Verdict(
                outcome: "wrong-values",
                detail: "no row \(number) among the \(rows.count) rows read")
        }
        let status = report[number]?["status"] as? String
        let problem = report[number]?["message"] as? String ?? ""
        let valid = status == "valid"
        var wrong: [String] = []
        for (field, value) in facts.knownRow.expected.sorted(by: { $0.key < $1.key }) {
            let got = Self.text(row[field])
            if got != value && got != facts.knownRow.alsoRight[field] {
                wrong.append("\(field) \(Self.quoted(got)) (right: \(Self.quoted(value)))")
            }
        }
        if file.target == "sendoso" {
            for (field, option) in [("role", "--role"), ("team_group_id", "--team-group-id")] {
                let got = Self.text(row[field])
                if got != (given.first { $0.name == option }?.value ?? "") {
                    wrong.append("\(field) \(Self.quoted(got)) from the file (no such column)")
                }
            }
        }
        for field in file.missing ?? [] where !Self.text(row[field]).isEmpty {
            wrong.append("\(field) \(Self.quoted(Self.text(row[field]))) (the file has none)")
        }
        if rows.count != facts.rows {
            wrong.append("\(rows.count) rows read (Python reads \(facts.rows))")
        }
        if !wrong.isEmpty {
            let sent =
                valid
                ? "the row is valid: it would be sent"
                : "the row is \(status ?? "not reported"): \(problem)"
            return Verdict(
                outcome: "wrong-values",
                detail: "row \(number): \(wrong.joined(separator: ", ")); \(sent)", wouldSend: valid
            )
        }
        if file.outcome == "refused" {
            if valid {
                return Verdict(
                    outcome: "wrong-values",
                    detail: "row \(number) is valid: it would be sent, but it cannot be right",
                    wouldSend: true)
            }
            guard (file.missing ?? []).contains(where: { Self.names(problem, $0) }) else {
                return Verdict(
                    outcome: "stopped",
                    detail: "row \(number) refused for another reason: \(problem)")
            }
            return Verdict(outcome: "right", detail: "row \(number) refused: \(problem)")
        }
        guard valid else {
            return Verdict(
                outcome: "stopped",
                detail: "row \(number) is \(status ?? "not reported"): \(problem)")
        }
        return Verdict(outcome: "right", detail: "row \(number) read right", wouldSend: true)
    }

    /// The position of the column a `--map` or expected.json names: `#N`, or a header as
    /// written, else as the tool matches it (case and spaces aside); else the name itself.
    static func column(_ spec: String, headers: [String]) -> String {
        if spec.hasPrefix("#"), let number = Int(spec.dropFirst()),
            Advice.isDigits(String(spec.dropFirst()))
        {
            return "\u{1}\(number - 1)"
        }
        if let index = headers.firstIndex(of: spec) { return "\u{1}\(index)" }
        let plain = headers.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let wanted = spec.trimmingCharacters(in: .whitespaces).lowercased()
        return plain.firstIndex(of: wanted).map { "\u{1}\($0)" } ?? spec
    }

    /// The `--map` options among `given` that name a column that does not hold the field.
    static func wrongMaps(_ given: [Advice.Option], _ file: PeopleFile, headers: [String]) -> String
    {
        given.filter { option in
            guard option.name == "--map", let equals = option.value.lastIndex(of: "=") else {
                return false
            }
            let field = String(option.value[option.value.index(after: equals)...])
            var right = [file.mapping[field], file.alsoRight?[field]].compactMap { $0 }
            if ["first_name", "last_name"].contains(field), file.mapping[field] == nil,
                file.mapping["full_name"] != nil
            {
                right = []
            }
            let spec = String(option.value[..<equals])
            return !right.map { column($0, headers: headers) }.contains(
                column(spec, headers: headers))
        }.map { "--map \"\($0.value)\"" }.joined(separator: " ")
    }

    static func flat(_ options: [Advice.Option]) -> [String] {
        options.flatMap { [$0.name, $0.value] }
    }

    static func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last { !$0.allSatisfy(\.isWhitespace) }.map(String.init) ?? ""
    }

    /// Whether `text` names `field` (first_name also as "first name", either also as "full
    /// name"), not counting a "<target> needs: ..." list.
    static func names(_ text: String, _ field: String) -> Bool {
        guard let needs = try? Regex("[a-z-]+ needs: [^;\n]*") else { return false }
        let text = text.replacing(needs, with: "")
        var pattern = field.replacingOccurrences(of: "_", with: "[ _]")
        if field == "first_name" || field == "last_name" { pattern = "(?:\(pattern)|full[ _]name)" }
        guard let regex = try? Regex("(?:^|[^A-Za-z_])" + pattern) else { return false }
        return text.contains(regex.ignoresCase())
    }

    /// A mapped value as text, trimmed: a JSON number as written, null as nothing.
    static func text(_ value: Any?) -> String {
        switch value {
        case let string as String: return string.trimmingCharacters(in: .whitespacesAndNewlines)
        case let number as NSNumber: return number.stringValue
        default: return ""
        }
    }

    /// `text` as Python's repr writes it (the score script's messages say the same).
    static func quoted(_ text: String) -> String {
        let quote = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        return quote + text.replacingOccurrences(of: "\\", with: "\\\\") + quote
    }

    static func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }
}
