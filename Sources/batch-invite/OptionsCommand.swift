import BatchInvite

/// `batch-invite options [COMMAND]`: every command's options as data, one JSON object a
/// line (command, option, value placeholder, group, value kind, choices, repeatable,
/// help), for what is generated from the option tables (a man page, shell completions)
/// and for the test that every option has a group and a kind. Not in the tool's help.
struct OptionsCommand: Command {
    static let name = "options"
    static let summary = "list every command's options as JSON lines"
    static let hidden = true
    static let readsConfig = false
    static let options: [OptionSpec] = []
    static let help = HelpText(
        usage: "batch-invite options [COMMAND]",
        description: """
            Prints every option of every command (or of COMMAND), one JSON object a line:
            command, option, value (its placeholder, null for a flag), group (common or
            advanced), kind (none, file, directory, choices, number or text), choices,
            repeatable and help.
            """,
        exitCodes: """
              0    printed
              2    an unknown COMMAND
            """)

    /// The names of the commands to list.
    let listed: [String]

    init(_ arguments: Arguments) throws {
        let visible = commands.filter { !$0.hidden }.map { $0.name }
        let asked = arguments.positional
        guard asked.count <= 1, asked.allSatisfy({ visible.contains($0) }) else {
            throw BatchInviteError.usage(
                "options takes one command of " + visible.joined(separator: ", "))
        }
        listed = asked.isEmpty ? visible : asked
    }

    func run() throws -> Int32 {
        for command in commands where listed.contains(command.name) {
            for option in command.options {
                StandardOutput.shared.write(option.json(command: command.name) + "\n")
            }
        }
        return ExitCode.success.code
    }
}
