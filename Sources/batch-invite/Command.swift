import BatchInvite

/// A subcommand: its help, its options, a step that checks the arguments (`init`) and a
/// step that does the work (`run`, returning the exit code).
protocol Command: Sendable {
    static var name: String { get }
    /// One line for the tool's command list.
    static var summary: String { get }
    /// What `--help` and `--help-all` say besides the options.
    static var help: HelpText { get }
    static var options: [OptionSpec] { get }
    /// Left out of the tool's help (internal commands).
    static var hidden: Bool { get }
    /// Reads `--config FILE`, whose keys serve every such command (a job's commands; not
    /// `simulate`, whose options mean other things).
    static var readsConfig: Bool { get }

    init(_ arguments: Arguments) throws
    func run() throws -> Int32
}

extension Command {
    static var hidden: Bool { false }
    static var readsConfig: Bool { true }

    /// The `--help` (or, with `all`, `--help-all`) text.
    static func helpText(all: Bool) -> String {
        help.render(command: name, options: options, all: all)
    }

    /// Checks the arguments, then does the work.
    static func execute(_ arguments: Arguments) throws -> Int32 {
        try Self(arguments).run()
    }
}

/// Every command, in the order the tool's help lists them.
let commands: [any Command.Type] = [
    ValidateCommand.self, RunCommand.self, StatusCommand.self, ReportCommand.self,
    LedgerCommand.self, InspectCommand.self, TargetsCommand.self,
    SimulateCommand.self, OptionsCommand.self, ManCommand.self, CompletionsCommand.self,
]

/// Every option a config file may hold: those of the commands that read one.
let configOptions: [OptionSpec] = {
    var seen = Set<String>()
    return commands.filter { $0.readsConfig }.flatMap { $0.options }.filter {
        seen.insert($0.name).inserted
    }
}()

let toolVersion = BatchInviteVersion.current

let toolHelp = """
    usage: batch-invite COMMAND [options]

    Sends invitations in bulk from a CSV or JSON Lines file, with a report that
    says, row by row, what happened.

    commands:
    \(commands.filter { !$0.hidden }.map { "  \($0.name + String(repeating: " ", count: max(10 - $0.name.count, 1)))\($0.summary)" }.joined(separator: "\n"))

    options:
      --help      show this help (or `batch-invite COMMAND --help`)
      --version   print the version

    \(ExitCode.summary)
    """
