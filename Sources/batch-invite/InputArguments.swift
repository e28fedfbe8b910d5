import BatchInvite

/// The input options shared by every command that reads a file.
enum InputArguments {
    static let specs: [OptionSpec] = readingSpecs + defaultSpecs

    /// How the input is read.
    private static let readingSpecs: [OptionSpec] = [
        OptionSpec(
            name: "--format", choices: ["csv", "jsonl", "json"],
            help: "input format (default: from the first bytes and the extension; json is one "
                + "document, an array of objects or an object holding one)", group: .advanced),
        OptionSpec(
            name: "--json-array", value: "MEMBER",
            help: "the member of a JSON document that holds the people's array (users, "
                + "data.users; implies --format json; default: found by its name)",
            group: .advanced, kind: .text),
        OptionSpec(
            name: "--delimiter", value: "C",
            help: "CSV delimiter: , ; tab | or one character (default: detected)",
            group: .advanced, kind: .text),
        OptionSpec(
            name: "--encoding", value: "E",
            help: "utf-8, windows-1252, utf-16 or any name iconv knows (shift_jis, gb18030, "
                + "windows-1251...) (default: a BOM's, else guessed from the first 64 KiB)",
            group: .advanced, kind: .text),
        OptionSpec(
            name: "--skip-lines", value: "N",
            help: "lines before the header to skip (default: an Entra template's version line)",
            group: .advanced, kind: .number),
        OptionSpec(
            name: "--map", value: "\"HEADER=field\"",
            help: "read column HEADER (or #N, the Nth column) as field; field - leaves it "
                + "unread, full_name splits whole names into first and last (repeatable)",
            repeatable: true, group: .common, kind: .text),
        OptionSpec(
            name: "--where", value: "\"COLUMN=VALUE\"",
            help: "only rows whose COLUMN (or #N) is VALUE (COLUMN!=VALUE: is not); VALUE may "
                + "be a comma list; the others are skipped, never sent (repeatable)",
            repeatable: true, group: .advanced, kind: .text),
    ]

    /// The targets' options that fill a field for rows without it (`--role`), each with the
    /// targets it applies to.
    private static let defaultSpecs: [OptionSpec] = {
        var names: [String] = []
        var specs:
            [String: (field: FieldSpec, option: FieldSpec.DefaultOption, targets: [String])] =
                [:]
        for target in Targets.all {
            for field in target.fields {
                guard let option = field.defaultOption else { continue }
                if specs[option.name] == nil { names.append(option.name) }
                specs[option.name, default: (field, option, [])].targets.append(target.name)
            }
        }
        return names.compactMap { name in
            specs[name].map {
                let help = "\($0.option.help) (\($0.targets.joined(separator: ", ")))"
                guard $0.option.choices.isEmpty else {
                    return OptionSpec(
                        name: name, choices: $0.option.choices, help: help, group: .common)
                }
                return OptionSpec(
                    name: name, value: $0.option.value, help: help, group: .common,
                    kind: $0.field.acceptsNumber ? .number : .text)
            }
        }
    }()

    /// Builds `InputOptions` for `path` from the parsed arguments; defaults are checked
    /// against `target`'s rules so a bad `--role` stops before reading.
    static func options(path: String, from arguments: Arguments, target: any Target) throws
        -> InputOptions
    {
        var options = InputOptions(path: path)
        try readFormat(arguments, into: &options)
        if let delimiter = arguments.value("--delimiter") {
            switch delimiter {
            case "tab", "\\t", "\t": options.delimiter = 9
            default:
                guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != 0x22,
                    byte != 0x0A, byte != 0x0D
                else {
                    throw BatchInviteError.usage(
                        "--delimiter \"\(delimiter)\" must be one ASCII character other than a quote or line break, or tab"
                    )
                }
                options.delimiter = byte
            }
        }
        if let encoding = arguments.value("--encoding") {
            guard let parsed = TextEncoding(optionValue: encoding) else {
                throw BatchInviteError.usage(
                    "--encoding \"\(TextBytes.shown(encoding))\" is not an encoding this system's iconv "
                        + "knows; give one such as utf-8, windows-1252, utf-16, shift_jis, cp932, euc-jp, "
                        + "gb18030, big5, cp949, windows-1251, koi8-r or iso-8859-15 (`iconv -l` lists "
                        + "them all)")
            }
            options.encoding = parsed
        }
        if arguments.value("--skip-lines") != nil {
            options.skipLines = try arguments.integer("--skip-lines", 0, in: 0...1_000_000)
        }
        try readColumns(arguments, into: &options)
        try readDefaults(arguments, target: target, into: &options)
        return options
    }

    /// `--format` and `--json-array`.
    private static func readFormat(_ arguments: Arguments, into options: inout InputOptions)
        throws
    {
        if let format = try arguments.choice("--format") {
            options.format = InputFormat(rawValue: format)
        }
        if let member = arguments.value("--json-array") {
            guard options.format == nil || options.format == .json else {
                throw BatchInviteError.usage(
                    "--json-array reads a JSON document: it goes with --format json, not "
                        + "--format \(options.format!.rawValue)")
            }
            guard !member.isEmpty else {
                throw BatchInviteError.usage(
                    "--json-array needs the member's name (users, or data.users for a member of a member)"
                )
            }
            options.format = .json
            options.jsonArray = member
        }
    }

    /// `--map` and `--where`.
    private static func readColumns(_ arguments: Arguments, into options: inout InputOptions)
        throws
    {
        for pair in arguments.all("--map") {
            guard let equals = pair.lastIndex(of: "="), equals != pair.startIndex,
                pair.index(after: equals) != pair.endIndex
            else {
                throw BatchInviteError.usage(
                    "--map \"\(pair)\" must look like \"Header Text=field\"")
            }
            options.mappings.append(
                HeaderMapping(
                    header: String(pair[..<equals]),
                    field: String(pair[pair.index(after: equals)...])))
        }
        for text in arguments.all("--where") {
            guard let filter = RowFilter(text) else {
                throw BatchInviteError.usage(
                    "--where \"\(text)\" must look like \"COLUMN=VALUE\" or \"COLUMN!=VALUE\" "
                        + "(VALUE may be a comma list)")
            }
            options.filters.append(filter)
        }
    }

    /// The defaults of fields: a definition's `--var` values, then the target's default
    /// options (`--role`, ...), each checked as a cell would be.
    private static func readDefaults(
        _ arguments: Arguments, target: any Target, into options: inout InputOptions
    ) throws {
        if let definition = target as? DefinitionTarget {
            for (field, value) in definition.defaultsFromVars {
                guard let index = target.fields.firstIndex(where: { $0.name == field }) else {
                    continue
                }
                try checkDefault(value, option: "--var", field: index, target: target)
                options.defaults[field] = value
            }
        }
        for spec in defaultSpecs {
            guard let value = arguments.value(spec.name) else { continue }
            guard
                let index = target.fields.firstIndex(where: { $0.defaultOption?.name == spec.name })
            else {
                throw BatchInviteError.usage(
                    "\(spec.name) does not apply to --target \(target.name)")
            }
            try checkDefault(value, option: spec.name, field: index, target: target)
            options.defaults[target.fields[index].name] = value
        }
    }

    /// Validates a default as if it were a cell, so `--role admin` is refused up front.
    private static func checkDefault(
        _ value: String, option: String, field: Int, target: any Target
    ) throws {
        if let message = target.problems(of: value, inField: field).first {
            throw BatchInviteError.usage("\(option): \(message)")
        }
    }

    /// The `--target` option, required: a built-in's name or a definition file.
    static let targetSpec = OptionSpec(
        name: "--target", names: Targets.all.map(\.name),
        help: "the API the rows are for, or a target definition FILE.json (targets --help)",
        group: .common)

    /// `--var NAME=VALUE`, for a definition's constants.
    static let varSpec = OptionSpec(
        name: "--var", value: "NAME=VALUE",
        help: "a constant a target definition declares (--var org=acme) (repeatable)",
        repeatable: true, group: .advanced, kind: .text)

    /// Whether a `--target` value names a definition file rather than a built-in.
    static func isDefinitionPath(_ value: String) -> Bool {
        value.contains("/") || value.hasSuffix(".json")
    }

    /// The definition file `--target` names (nil for a built-in's name, or none).
    static func definitionFile(_ arguments: Arguments) -> String? {
        arguments.value("--target").flatMap { isDefinitionPath($0) ? $0 : nil }
    }

    static func target(from arguments: Arguments, command: String, required: Bool = true) throws
        -> (any Target)?
    {
        guard let name = arguments.value("--target") else {
            if required {
                throw BatchInviteError.usage("\(command) needs --target \(Targets.names)")
            }
            return nil
        }
        let vars = try arguments.all("--var").map { pair -> (name: String, value: String) in
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw BatchInviteError.usage("--var \"\(pair)\" must look like NAME=VALUE")
            }
            return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }
        if isDefinitionPath(name) {
            return try DefinitionTarget.load(path: name, vars: vars)
        }
        guard let target = Targets.named(name) else {
            throw BatchInviteError.usage(
                "--target \"\(name)\" is not one of \(Targets.names), nor a definition file "
                    + "(a path with / or ending in .json)")
        }
        if let first = vars.first {
            throw BatchInviteError.usage(
                "--var \(first.name) goes with a target definition; \(name) takes none")
        }
        return target
    }
}
