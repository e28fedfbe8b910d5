import BatchInvite

/// `batch-invite targets list|show NAME|check PATH|schema`: the targets, and target
/// definitions checked before a run uses them.
struct TargetsCommand: Command {
    static let name = "targets"
    static let summary = "list the targets; show, check a target definition; its schema"
    static let options: [OptionSpec] = []
    /// It reads definitions, not a job's options.
    static var readsConfig: Bool { false }
    static let help = HelpText(
        usage: "batch-invite targets list|show NAME|check FILE|schema",
        description: """
            list     prints the built-in targets, one a line: name, then what it is.
            show     prints the definition of NAME, a built-in's name or a definition
                     file (as it is, once checked): `targets show sendoso > s.json`
                     gives a definition to start from.
            check    checks the definition FILE: every problem on its own line, with
                     its JSON pointer and what is expected there (exit 2), or says it
                     is valid.
            schema   prints the JSON Schema of target definitions, for editors
                     (samples/targets/target.schema.json is the same).

            --target takes a built-in's name or a definition file (a value with a /
            or ending in .json); --var NAME=VALUE gives the constants it declares.
            README, "Targets", describes the format.
            """,
        exitCodes: """
              0    done; the definition is valid
              2    usage error, or a definition with problems
            """,
        example: """
              batch-invite targets check samples/targets/github-org-invitations.json
            """)

    let action: String
    let argument: String?

    init(_ arguments: Arguments) throws {
        let words = arguments.positional
        guard let action = words.first, ["list", "show", "check", "schema"].contains(action)
        else {
            throw BatchInviteError.usage("targets needs list, show NAME, check FILE or schema")
        }
        let wanted = action == "show" || action == "check" ? 2 : 1
        guard words.count == wanted else {
            throw BatchInviteError.usage(
                wanted == 2
                    ? "targets \(action) takes one \(action == "show" ? "NAME" : "FILE")"
                    : "targets \(action) takes no other argument")
        }
        self.action = action
        argument = words.count > 1 ? words[1] : nil
    }

    func run() throws -> Int32 {
        switch action {
        case "list":
            var text = ""
            for target in Targets.all {
                let description = (target as? DefinitionTarget)?.definition.description
                text += target.name + "\tbuilt-in: " + (description ?? "") + "\n"
            }
            StandardOutput.shared.write(text)
        case "show":
            let name = argument ?? ""
            guard InputArguments.isDefinitionPath(name) else {
                guard let builtIn = Targets.named(name) as? DefinitionTarget else {
                    throw BatchInviteError.usage(
                        "targets show: \"\(name)\" is not one of \(Targets.names), nor a "
                            + "definition file (a path with / or ending in .json)")
                }
                StandardOutput.shared.write(
                    String(decoding: builtIn.definition.source, as: UTF8.self))
                break
            }
            let definition = try TargetDefinition.load(path: name)
            StandardOutput.shared.write(String(decoding: definition.source, as: UTF8.self))
        case "check":
            return try check(argument ?? "")
        default:
            StandardOutput.shared.write(TargetDefinition.schema)
        }
        StandardOutput.shared.flush()
        return ExitCode.success.code
    }

    /// Prints every problem of the definition at `path` (exit 2), or that it is valid.
    private func check(_ path: String) throws -> Int32 {
        let file: TrustedFile
        do {
            file = try TrustedFile(path: path)
        } catch {
            throw BatchInviteError.usage("targets check \(path): \(error)")
        }
        switch TargetDefinition.parse(file.contents) {
        case .success(let definition):
            StandardOutput.shared.write(
                "\(path): a valid definition of target \(definition.name) ("
                    + "\(definition.fields.count) fields, key \(definition.fields[definition.keyField].name)"
                    + (definition.vars.isEmpty
                        ? ""
                        : ", --var " + definition.vars.map(\.name).joined(separator: ", --var "))
                    + ")\n")
            StandardOutput.shared.flush()
            return ExitCode.success.code
        case .failure(let problems):
            var text = ""
            for problem in problems.problems {
                text += "\(path): \(problem)\n"
            }
            StandardOutput.shared.write(text)
            StandardOutput.shared.flush()
            printError(
                "batch-invite targets: \(path) has \(problems.problems.count) "
                    + (problems.problems.count == 1 ? "problem" : "problems"))
            return ExitCode.usage.code
        }
    }
}
