import BatchInvite

/// `batch-invite completions bash|zsh|fish`: the shell's completion script, made from the
/// same tables as the parser and `--help`: the commands, each command's options, and each
/// option's value by its kind (a fixed list's words, files, directories; nothing to offer
/// for a number or free text). The package installs them. Not in the tool's help.
struct CompletionsCommand: Command {
    static let name = "completions"
    static let summary = "print the completion script of bash, zsh or fish"
    static let hidden = true
    static let readsConfig = false
    static let options: [OptionSpec] = []
    static let help = HelpText(
        usage: "batch-invite completions bash|zsh|fish",
        description: "Prints the shell's completion script, made from the option tables.",
        exitCodes: """
              0    printed
              2    no shell, or one of none of those
            """)

    let shell: String

    init(_ arguments: Arguments) throws {
        guard arguments.positional.count == 1,
            let shell = arguments.positional.first, ["bash", "zsh", "fish"].contains(shell)
        else {
            throw BatchInviteError.usage("completions takes one shell: bash, zsh or fish")
        }
        self.shell = shell
    }

    func run() throws -> Int32 {
        switch shell {
        case "bash": StandardOutput.shared.write(Completions.bash)
        case "zsh": StandardOutput.shared.write(Completions.zsh)
        default: StandardOutput.shared.write(Completions.fish)
        }
        return ExitCode.success.code
    }
}

/// The completion scripts.
enum Completions {
    /// The commands a user types, in the help's order.
    private static var visible: [any Command.Type] { commands.filter { !$0.hidden } }

    /// Whether a command takes files as its words (`validate FILE`).
    private static func takesFiles(_ command: any Command.Type) -> Bool {
        command.help.usage.contains(" FILE")
    }

    /// The options' words every command also takes.
    private static let always = ["--help", "--help-all"]

    // MARK: bash

    static var bash: String {
        var text = """
            # bash completion for batch-invite (made by `batch-invite completions bash`)
            _batch_invite() {
                local cur="${COMP_WORDS[COMP_CWORD]}" prev=""
                (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"
                if (( COMP_CWORD == 1 )); then
                    COMPREPLY=( $(compgen -W "\(visible.map { $0.name }.joined(separator: " ")) --help --version" -- "$cur") )
                    return
                fi
                case "${COMP_WORDS[1]}" in

            """
        for command in visible {
            text += "        \(command.name))\n            case \"$prev\" in\n"
            for option in command.options {
                guard let kind = option.kind, kind != .none else { continue }
                text += "                \(option.name)) " + bashValues(kind) + " return ;;\n"
            }
            let words = (command.options.map(\.name) + always).joined(separator: " ")
            text += "            esac\n"
            text +=
                "            if [[ \"$cur\" == -* ]] || \(takesFiles(command) ? "false" : "true"); then\n"
            text += "                COMPREPLY=( $(compgen -W \"\(words)\" -- \"$cur\") )\n"
            text += "            else\n"
            text += "                compopt -o filenames 2>/dev/null\n"
            text += "                COMPREPLY=( $(compgen -f -- \"$cur\") )\n"
            text += "            fi\n            ;;\n"
        }
        text += """
                esac
            }
            complete -F _batch_invite batch-invite

            """
        return text
    }

    private static func bashValues(_ kind: OptionSpec.ValueKind) -> String {
        switch kind {
        case .choices(let words):
            return "COMPREPLY=( $(compgen -W \"\(words.joined(separator: " "))\" -- \"$cur\") );"
        case .nameOrFile(let words):
            return "compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -W \""
                + words.joined(separator: " ") + "\" -- \"$cur\") $(compgen -f -- \"$cur\") );"
        case .file:
            return "compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -f -- \"$cur\") );"
        case .directory:
            return "compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -d -- \"$cur\") );"
        case .number, .text, .none:
            return "COMPREPLY=();"
        }
    }

    // MARK: zsh

    static var zsh: String {
        var text = """
            #compdef batch-invite
            # zsh completion for batch-invite (made by `batch-invite completions zsh`)
            _batch_invite_names_or_files() {
              _alternative 'names:target:(\(Targets.all.map(\.name).joined(separator: " ")))' \\
                'files:target definition:_files -g "*.json"'
            }
            _batch_invite() {
              local -a commands
              commands=(

            """
        for command in visible {
            text += "    '\(command.name):\(zshQuoted(command.summary, inBrackets: false))'\n"
        }
        text += """
              )
              if (( CURRENT == 2 )); then
                _describe -t commands 'batch-invite command' commands
                return
              fi
              local command=$words[2]
              shift words
              (( CURRENT-- ))
              case $command in

            """
        for command in visible {
            text += "    \(command.name))\n      _arguments -s \\\n"
            for option in command.options {
                text += "        '\(zshSpec(option))' \\\n"
            }
            text += "        '--help[show the help]' \\\n"
            text += "        '--help-all[show every option]'"
            text += takesFiles(command) ? " \\\n        '*:file:_files'\n" : "\n"
            text += "      ;;\n"
        }
        text += """
              esac
            }
            _batch_invite "$@"

            """
        return text
    }

    /// `--target[the API]:target:(sendoso cyberark-sms)`, `*--map[...]:value:`.
    private static func zshSpec(_ option: OptionSpec) -> String {
        let help = zshQuoted(option.help, inBrackets: true)
        let many = option.repeatable ? "*" : ""
        let label = zshQuoted(option.value ?? "value", inBrackets: false)
        let action: String
        switch option.kind ?? .text {
        case .none: return "\(many)\(option.name)[\(help)]"
        case .choices(let words): action = "(\(words.joined(separator: " ")))"
        case .nameOrFile: action = "_batch_invite_names_or_files"
        case .file: action = "_files"
        case .directory: action = "_files -/"
        case .number, .text: action = " "
        }
        return "\(many)\(option.name)[\(help)]:\(label):\(action)"
    }

    /// Text inside a single-quoted `_arguments` spec: `'` closed and reopened; `[`, `]`,
    /// `:` and `\` escaped where the spec would read them.
    private static func zshQuoted(_ text: String, inBrackets: Bool) -> String {
        var out = ""
        for character in text {
            switch character {
            case "'": out += "'\\''"
            case "\\": out += "\\\\"
            case ":": out += "\\:"
            case "[" where inBrackets, "]" where inBrackets: out += "\\\(character)"
            default: out.append(character)
            }
        }
        return out
    }

    // MARK: fish

    static var fish: String {
        var text = """
            # fish completion for batch-invite (made by `batch-invite completions fish`)
            complete -c batch-invite -f
            complete -c batch-invite -n __fish_use_subcommand -l help -d 'show the help'
            complete -c batch-invite -n __fish_use_subcommand -l version -d 'print the version'

            """
        for command in visible {
            text +=
                "complete -c batch-invite -n __fish_use_subcommand -a \(command.name) -d "
                + "\(fishQuoted(command.summary))\n"
        }
        for command in visible {
            let when = "-n '__fish_seen_subcommand_from \(command.name)'"
            if takesFiles(command) { text += "complete -c batch-invite \(when) -F\n" }
            for option in command.options
                + always.map({
                    OptionSpec(
                        flag: $0, help: $0 == "--help" ? "show the help" : "show every option",
                        group: .common)
                })
            {
                let long = "-l \(option.name.dropFirst(2))"
                let values: String
                switch option.kind ?? .text {
                case .none: values = ""
                case .choices(let words):
                    values = " -x -a \(fishQuoted(words.joined(separator: " ")))"
                case .nameOrFile(let words):
                    values = " -r -F -a \(fishQuoted(words.joined(separator: " ")))"
                case .file: values = " -r -F"
                case .directory: values = " -x -a '(__fish_complete_directories)'"
                case .number, .text: values = " -x"
                }
                text +=
                    "complete -c batch-invite \(when) \(long)\(values) -d \(fishQuoted(option.help))\n"
            }
        }
        return text
    }

    private static func fishQuoted(_ text: String) -> String {
        "'"
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "'", with: "\\'")
            + "'"
    }
}
