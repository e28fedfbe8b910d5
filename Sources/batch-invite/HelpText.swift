/// A command's `--help`: usage, what it does, its options, its exit codes and an
/// example, laid out within 80 columns. `--help` lists the common options and points to
/// `--help-all`, which lists every option and adds `details`.
struct HelpText {
    /// The usage line after `usage: ` (wrapped under itself when long).
    var usage: String
    /// What the command does, in lines of at most 80 columns.
    var description: String
    /// More on how it works, for `--help-all` only.
    var details: String = ""
    /// The command's exit codes, `  CODE  meaning` lines of at most 80 columns.
    var exitCodes: String
    /// Example command lines, without the heading.
    var example: String = ""

    static let width = 80
    /// Where the options' help starts.
    private static let helpColumn = 26

    /// The text `--help` (or, with `all`, `--help-all`) prints.
    func render(command: String, options: [OptionSpec], all: Bool) -> String {
        let common = options.filter { $0.group != .advanced }
        let advanced = options.filter { $0.group == .advanced }
        var text = Self.wrap("usage: " + usage, indent: "       ") + "\n\n"
        text += description + "\n\n"
        text += "options:\n" + Self.lines(common)
        if all && !advanced.isEmpty {
            text += "\nmore options:\n" + Self.lines(advanced)
        }
        text += Self.line("--help", "show this help")
        if !advanced.isEmpty || !details.isEmpty {
            text += Self.line("--help-all", "show every option and how the command works")
        }
        if !all && !advanced.isEmpty {
            let more =
                "\(advanced.count) more \(advanced.count == 1 ? "option" : "options") "
                + "(\(Self.sample(advanced))):"
            let pointer = "batch-invite \(command) --help-all"
            text +=
                "\n"
                + (more.count + 1 + pointer.count <= Self.width
                    ? "\(more) \(pointer)\n" : "\(more)\n  \(pointer)\n")
        }
        if all && !details.isEmpty { text += "\n" + details + "\n" }
        text += "\nexit codes:\n" + exitCodes + "\n"
        if !example.isEmpty { text += "\nexample:\n" + example + "\n" }
        return text
    }

    /// A few of the advanced options' names, for the pointer to `--help-all`.
    private static func sample(_ options: [OptionSpec]) -> String {
        options.prefix(3).map(\.name).joined(separator: ", ") + (options.count > 3 ? ", ..." : "")
    }

    private static func lines(_ options: [OptionSpec]) -> String {
        options.map { option in
            line(option.value.map { "\(option.name) \($0)" } ?? option.name, option.help)
        }.joined()
    }

    /// One option: its label, then its help wrapped in the column after it (under the
    /// label when the label is too long to leave room).
    private static func line(_ label: String, _ help: String) -> String {
        let start = "  " + label
        let room = width - helpColumn
        let helpLines = wrapped(help, width: room)
        let pad = String(repeating: " ", count: helpColumn)
        var text: String
        var rest = helpLines[...]
        if start.count < helpColumn - 1 {
            text = start + String(repeating: " ", count: helpColumn - start.count)
            text += (rest.popFirst() ?? "") + "\n"
        } else {
            text = wrap(start, indent: "      ") + "\n"
        }
        for line in rest { text += pad + line + "\n" }
        return text
    }

    /// `text` wrapped at spaces within 80 columns, continuation lines starting `indent`.
    static func wrap(_ text: String, indent: String) -> String {
        let first = wrapped(text, width: width)
        guard first.count > 1 else { return text }
        let rest = wrapped(
            first.dropFirst().joined(separator: " "), width: width - indent.count)
        return ([first[0]] + rest.map { indent + $0 }).joined(separator: "\n")
    }

    /// The words of `text` in lines of at most `width` characters (a longer word alone).
    private static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}
