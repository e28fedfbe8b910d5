/// The error for an input that lacks a column (or JSON key) a target needs, with advice
/// that works as printed: the headers found, the fields needed, a `--map` for the column
/// most likely to hold each missing field, a default option where the target has one,
/// a `--delimiter` when the header looks like one column of another separator's.
struct MissingColumns {
    let target: any Target
    let matcher: HeaderMatcher
    let displayName: String
    /// "column" or "key".
    let what: String
    let headers: [String]
    let assignment: HeaderMatcher.Assignment
    /// The fields with no column and no default.
    let missing: [Int]
    /// The first rows' values, by column (for judging what a column holds).
    let samples: [[String]]
    /// Advice the reader found (a preamble to skip), given instead of the rest.
    var extraAdvice: String? = nil

    var error: BatchInviteError {
        let names = missing.map { target.fields[$0].name }
        var message =
            "\(displayName): missing required \(what)\(names.count == 1 ? "" : "s") "
            + names.joined(separator: ", ") + " for \(target.name); the \(what)s are: "
            + (headers.isEmpty ? "none" : HeaderMatcher.list(headers)) + "; \(target.name) needs: "
            + target.fields.map(\.name).joined(separator: ", ")
        // A later line looks like the header: that first, the rest follows from it.
        if let extraAdvice { return .input(message + "; " + extraAdvice) }
        // (Not for an Entra template's `version:v1.0` line read as the header.)
        if what == "column", headers.count == 1, !headers[0].lowercased().hasPrefix("version:"),
            let separator = likelySeparator(in: headers[0])
        {
            let shown = separator == "\t" ? "tab" : "'\(separator)'"
            return .input(
                message + "; the header is a single column: if the file is separated by \(shown), "
                    + "give --delimiter \(shown)")
        }
        var offered = Set<Int>()
        for field in missing {
            if let column = bestColumn(for: field, excluding: offered) {
                offered.insert(column)
                let name = HeaderMatcher.mapName(headers[column], position: column)
                message +=
                    "; \(target.fields[field].name) may be \(what) #\(column + 1) \"\(TextBytes.shown(headers[column]))\": "
                    + "--map \"\(name)=\(target.fields[field].name)\""
            } else if let option = target.fields[field].defaultOption {
                let values =
                    option.choices.isEmpty
                    ? "\(option.name) \(option.value)"
                    : option.choices.map { "\(option.name) \($0)" }.joined(separator: " or ")
                message += "; or give \(values) for every row"
            }
        }
        return .input(message)
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
        let distinctive = !accepts("hello world", field: field) && !accepts("12345", field: field)
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
            let values = (column < samples.count ? samples[column] : []).filter {
                !$0.allSatisfy(\.isWhitespace)
            }
            if values.count >= 2 {
                let fraction =
                    Double(values.filter { accepts($0, field: field) }.count) / Double(values.count)
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
