import BatchInvite

/// One option a command accepts, as data: the parser, `--help`, `--help-all` and the
/// option list (`batch-invite options`, for a man page and shell completions) are made
/// from the same tables.
struct OptionSpec {
    /// Where the help lists an option: `--help` shows the common ones, `--help-all` all.
    enum Group: String {
        case common, advanced
    }

    /// What an option's value is, for completing it and for checking it.
    enum ValueKind: Equatable {
        /// A flag: it takes no value.
        case none
        /// A file's path (read or written).
        case file
        /// A directory's path.
        case directory
        /// One of these words.
        case choices([String])
        /// One of these words or a file's path (`--target sendoso` or `./api.json`).
        case nameOrFile([String])
        /// A number (whole or decimal, as its help says).
        case number
        /// Any other text (a URL, a name, a command, a `HEADER=field` pair).
        case text

        /// The kind's name in the option list (`choices` for a fixed list).
        var name: String {
            switch self {
            case .none: return "none"
            case .file: return "file"
            case .directory: return "directory"
            case .choices: return "choices"
            case .nameOrFile: return "name_or_file"
            case .number: return "number"
            case .text: return "text"
            }
        }

        /// The words of a fixed list, else none.
        var choices: [String] {
            if case .choices(let words) = self { return words }
            return []
        }

        /// The words it offers: a fixed list's, or the names beside files.
        var words: [String] {
            switch self {
            case .choices(let words), .nameOrFile(let words): return words
            default: return []
            }
        }
    }

    /// The long name, with its dashes (`--target`).
    let name: String
    /// The placeholder shown in help (`NAME`); nil for a flag.
    let value: String?
    /// The help line.
    let help: String
    /// Whether it may be given more than once (`--map`).
    var repeatable = false
    /// Where the help lists it. Nil only by mistake (an option added without one still
    /// builds, and `HelpTests` names it).
    var group: Group? = nil
    /// What its value is. Nil only by mistake, as `group`.
    var kind: ValueKind? = nil

    /// An option whose value is one of `choices`, shown `a|b|c`.
    init(name: String, choices: [String], help: String, group: Group) {
        self.init(
            name: name, value: choices.joined(separator: "|"), help: help, group: group,
            kind: .choices(choices))
    }

    /// An option whose value is one of `names` or a file (`NAME|FILE`): `--target`.
    init(name: String, names: [String], help: String, group: Group) {
        self.init(
            name: name, value: names.joined(separator: "|") + "|FILE", help: help, group: group,
            kind: .nameOrFile(names))
    }

    /// A flag: an option without a value.
    init(flag name: String, help: String, group: Group) {
        self.init(name: name, value: nil, help: help, group: group, kind: ValueKind.none)
    }

    init(
        name: String, value: String?, help: String, repeatable: Bool = false,
        group: Group? = nil, kind: ValueKind? = nil
    ) {
        self.name = name
        self.value = value
        self.help = help
        self.repeatable = repeatable
        self.group = group
        self.kind = kind
    }

    /// The option as one JSON line of `batch-invite options`.
    func json(command: String) -> String {
        let object = JSONWriter.object { json in
            json.member("command", command)
            json.member("option", name)
            json.member("value", value)
            json.member("group", group?.rawValue)
            json.member("kind", kind?.name)
            json.key("choices")
            json.beginArray()
            for choice in kind?.words ?? [] { json.string(choice) }
            json.endArray()
            json.member("repeatable", repeatable)
            json.member("help", help)
        }
        return String(decoding: object, as: UTF8.self)
    }
}
