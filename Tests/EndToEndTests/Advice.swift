import Foundation

/// The advice in a message of batch-invite's, taken as a new user takes it: as printed.
/// The same rules as Tests/Benchmarks/people_files_score.py (PeopleFilesTests checks
/// that both agree on every file):
/// - a command line in the message (`batch-invite validate FILE ...`, also `run` or
///   `inspect`, the first there is) is taken whole: its input options replace the ones given so far;
/// - otherwise the options it offers are added: `--map "X=field"` (the first offered per
///   field, replacing a map given for that field), `--where "C=V"` (the first per column),
///   and `--role`, `--team-group-id`, `--skip-lines`, `--delimiter`, `--encoding`,
///   `--format` (the first offered, when not given yet: "or" alternatives are not tried);
/// - a `--team-group-id` offered with a placeholder (`N`) is the user's own team.
/// Notes and warnings before the error line are not advice.
enum Advice {
    /// One option and its value, as given on the command line.
    struct Option: Equatable {
        var name: String
        var value: String
    }

    static let repeated: Set<String> = ["--map", "--where"]
    static let single = [
        "--role", "--team-group-id", "--skip-lines", "--delimiter", "--encoding", "--format",
    ]
    static let inputOptions = Set(repeated).union(single)
    /// Options of `run` and `validate` that take a value and are not about reading the file.
    static let otherValued: Set<String> = [
        "--target", "--base-url", "--report", "--report-format", "--html", "--journal", "--ledger",
        "--concurrency", "--rate", "--limit", "--config", "--token-command", "--summary-json",
        "--metrics-file", "--already-invited", "--in-doubt", "--reinvite-after", "--timeout",
    ]
    /// Words of a sentence that follow an option without being its value.
    static let words: Set<String> = [
        "to", "it", "the", "a", "an", "or", "and", "with", "for", "is", "if", "as", "so", "here",
        "again", "that", "of", "this", "otherwise", "instead", "when", "then", "see", "in", "by",
    ]

    /// The options to run with next, following the advice in `stderr`; nil when it offers
    /// nothing new.
    static func follow(_ stderr: String, given: [Option], team: Int) -> [Option]? {
        let message = errorPart(stderr)
        if let pattern = try? Regex("batch-invite (?:validate|run|inspect)[ \t]"),
            let command = message.firstMatch(of: pattern)
        {
            var line: [String] = []
            for token in Self.tokens(String(message[command.range.upperBound...])) {
                guard let word = token.word else { break }
                line.append(word)
            }
            let options = commandOptions(Array(line.dropFirst()), team: team)
            return options == given ? nil : options
        }
        let tokens = Self.tokens(message)
        var offered: [Option] = []
        for index in tokens.indices.dropLast() {
            guard let name = tokens[index].word, inputOptions.contains(name),
                let next = tokens[index + 1].word,
                let value = validValue(name, next, team: team)
            else { continue }
            offered.append(Option(name: name, value: value))
        }
        var options = given
        var taken: [String] = []
        for option in offered {
            let key = Self.key(option)
            if options.contains(option) || taken.contains(key) { continue }
            if repeated.contains(option.name) {
                options = options.filter { Self.key($0) != key } + [option]
            } else if options.contains(where: { $0.name == option.name }) {
                continue
            } else {
                options.append(option)
            }
            taken.append(key)
        }
        return options == given ? nil : options
    }

    /// The error line and what follows it.
    static func errorPart(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("batch-invite validate:") })
        else { return stderr }
        return lines[start...].joined(separator: "\n")
    }

    /// A word, or one of the separators `;` `(` `)` and a line end.
    enum Token: Equatable {
        case word(String)
        case separator

        var word: String? {
            if case .word(let text) = self { return text }
            return nil
        }
    }

    /// Shell-like words: a word that starts with " or ' is quoted to the next one (\" and
    /// \\ escaped in "..."); punctuation after a word (, . : ? !) is the message's, dropped.
    static func tokens(_ text: String) -> [Token] {
        let separators: Set<Character> = [";", "(", ")", "\n"]
        let punctuation: Set<Character> = [",", ".", ":", "?", "!"]
        let characters = Array(text)
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if separators.contains(character) {
                tokens.append(.separator)
                index += 1
                continue
            }
            if character.isWhitespace {
                index += 1
                continue
            }
            var word: [Character] = []
            var quoted = false
            while index < characters.count, !characters[index].isWhitespace,
                !separators.contains(characters[index])
            {
                let character = characters[index]
                if character == "\"" || character == "'", word.isEmpty, !quoted {
                    quoted = true
                    index += 1
                    while index < characters.count, characters[index] != character {
                        if character == "\"", characters[index] == "\\",
                            index + 1 < characters.count,
                            "\"\\$`".contains(characters[index + 1])
                        {
                            index += 1
                        }
                        word.append(characters[index])
                        index += 1
                    }
                    index += 1
                    while index < characters.count, punctuation.contains(characters[index]) {
                        index += 1
                    }
                } else {
                    word.append(character)
                    index += 1
                }
            }
            if !quoted {
                while let last = word.last, punctuation.contains(last) { word.removeLast() }
            }
            if !word.isEmpty || quoted { tokens.append(.word(String(word))) }
        }
        return tokens
    }

    /// The value as the user gives it, or nil when the word after the option is not one of
    /// its values (`give --encoding to read it otherwise`).
    static func validValue(_ option: String, _ value: String, team: Int) -> String? {
        if value.hasPrefix("--") || words.contains(value.lowercased()) { return nil }
        func matches(_ pattern: String) -> Bool { Self.matches(value, pattern) }
        switch option {
        case "--team-group-id":
            if isDigits(value) { return value }
            return matches("[A-Z][A-Z_]*") ? String(team) : nil
        case "--skip-lines":
            return isDigits(value) ? value : nil
        case "--map", "--where":
            return value.contains("=") ? value : nil
        case "--role":
            return !matches("[A-Z]") && matches("[A-Za-z_-]+") ? value : nil
        case "--delimiter":
            return value.count == 1 || matches("[a-z]+") ? value : nil
        case "--encoding":
            return matches("[A-Za-z0-9][A-Za-z0-9_.:-]*") ? value : nil
        case "--format":
            return matches("[a-z]+") ? value : nil
        default:
            return nil
        }
    }

    /// What an option sets: `--map` its field, `--where` its column, the others themselves.
    static func key(_ option: Option) -> String {
        switch option.name {
        case "--map":
            let field = option.value.split(separator: "=", omittingEmptySubsequences: false).last
            return "--map " + (field.map(String.init) ?? "")
        case "--where":
            let column = option.value.split(separator: "=", maxSplits: 1).first ?? ""
            return "--where " + (column.hasSuffix("!") ? column.dropLast() : column)
        default:
            return option.name
        }
    }

    /// The input options among a printed command line's words (after its FILE).
    static func commandOptions(_ words: [String], team: Int) -> [Option] {
        var options: [Option] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            let next = index + 1 < words.count ? words[index + 1] : nil
            if inputOptions.contains(word) {
                var value = next ?? ""
                if word == "--team-group-id", !isDigits(value) {
                    value = String(team)
                }
                options.append(Option(name: word, value: value))
                index += 2
            } else if otherValued.contains(word) {
                index += 2
            } else {
                index += 1
            }
        }
        return options
    }

    static func isDigits(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Whether all of `text` matches `pattern`.
    static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return text.wholeMatch(of: regex) != nil
    }

    /// Options as a user types them.
    static func shown(_ options: [Option]) -> String {
        options.map { option in
            let plain = matches(option.value, "[A-Za-z0-9_./:#@+-]+")
            let value =
                plain
                ? option.value
                : "\""
                    + option.value.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "\"", with: "\\\"") + "\""
            return "\(option.name) \(value)"
        }.joined(separator: " ")
    }
}
