import BatchInvite

/// `batch-invite ledger show|forget KEY|compact --ledger PATH`: a job's ledger looked into
/// and kept.
struct LedgerCommand: Command {
    static let name = "ledger"
    static let summary = "look into a job's ledger, forget a key, or compact it"
    static let options: [OptionSpec] =
        [
            OptionSpec(
                name: "--ledger", value: "PATH", help: "the ledger (run --ledger PATH)",
                group: .common, kind: .file),
            OptionSpec(
                name: "--target", names: Targets.all.map(\.name),
                help: "forget: the target the key is for; show: only this target's keys",
                group: .common),
        ] + ConfigFile.specs
    static let help = HelpText(
        usage: "batch-invite ledger show|forget KEY|compact --ledger PATH [--target T]",
        description: """
            show     prints every key the ledger remembers, one a line: target, key, state
                     (invited or in_doubt) and when (UTC), tab-separated; a count on stderr.
            forget   lets one person be invited again: the next run sends to KEY (an e-mail
                     address or a CyberArk ID) as to anyone new. Needs --target.
            compact  rewrites the ledger with one record per key still remembered (under a
                     temporary name, then renamed).

            Each takes the ledger's lock: while a run holds it, they exit 5.
            """,
        exitCodes: """
              0    done
              2    usage error, or a ledger that cannot be read or is damaged
              5    a run holds the ledger; try again later
            """)

    let action: String
    let key: String?
    let path: String
    let target: String?

    init(_ arguments: Arguments) throws {
        guard let action = arguments.positional.first,
            ["show", "forget", "compact"].contains(action)
        else {
            throw BatchInviteError.usage("ledger needs show, forget KEY or compact")
        }
        self.action = action
        let rest = Array(arguments.positional.dropFirst())
        if action == "forget" {
            guard rest.count == 1 else {
                throw BatchInviteError.usage("ledger forget takes one KEY")
            }
            guard let definition = try Self.definition(arguments) else {
                throw BatchInviteError.usage(
                    "ledger forget needs --target \(Targets.names) or the definition FILE.json")
            }
            // As the target makes a row's key: trimmed, lower-cased when its key is (a
            // UUID without the braces it may be written in).
            key = definition.key(of: rest[0])
        } else {
            guard rest.isEmpty else {
                throw BatchInviteError.usage("ledger \(action) takes no other argument")
            }
            key = nil
        }
        path = try arguments.required("--ledger", "PATH", command: "ledger")
        target = try Self.definition(arguments)?.name
    }

    /// The definition `--target` names: a built-in's, or a definition file's (whose vars a
    /// ledger does not need); nil without `--target`.
    private static func definition(_ arguments: Arguments) throws -> TargetDefinition? {
        guard let name = arguments.value("--target") else { return nil }
        if InputArguments.isDefinitionPath(name) { return try TargetDefinition.load(path: name) }
        guard let builtIn = Targets.named(name) as? DefinitionTarget else {
            throw BatchInviteError.usage(
                "--target \"\(name)\" is not one of \(Targets.names), nor a definition file "
                    + "(a path with / or ending in .json)")
        }
        return builtIn.definition
    }

    func run() throws -> Int32 {
        switch action {
        case "show":
            let (text, keys, invited) = try LedgerMaintenance.listing(path: path, target: target)
            StandardOutput.shared.write(text)
            StandardOutput.shared.flush()
            printError("\(invited) invited, \(keys - invited) in doubt")
        case "forget":
            let known = try LedgerMaintenance.forget(path: path, target: target!, key: key!)
            printError(
                known
                    ? "forgot \(key!) (\(target!)): the next run sends to it"
                    : "\(key!) (\(target!)) was not in the ledger; nothing to forget")
        default:
            let (before, after) = try LedgerMaintenance.compact(path: path)
            printError("compacted \(path): \(before) records, now \(after)")
        }
        return ExitCode.success.code
    }
}
