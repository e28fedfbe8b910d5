import BatchInvite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs the command line and returns the exit code; the one place errors are printed.
func runTool(_ arguments: [String]) -> Int32 {
    guard let first = arguments.first else {
        printError(toolHelp)
        return ExitCode.usage.code
    }
    if first == "--help" || first == "-h" || first == "help" {
        StandardOutput.shared.write(toolHelp + "\n")
        return ExitCode.success.code
    }
    if first == "--version" {
        StandardOutput.shared.write("batch-invite \(toolVersion)\n")
        return ExitCode.success.code
    }
    let names = commands.map { $0.name }
    let visible = commands.filter { !$0.hidden }.map { $0.name }
    guard let index = names.firstIndex(of: first) else {
        var message =
            "batch-invite: unknown command \"\(first)\"; commands: "
            + visible.joined(separator: ", ")
        if let guess = Arguments.closest(to: first, in: visible) {
            message += "; did you mean \(guess)?"
        }
        printError(message)
        return ExitCode.usage.code
    }
    return runCommand(commands[index], Array(arguments.dropFirst()))
}

func runCommand(_ command: any Command.Type, _ arguments: [String]) -> Int32 {
    if arguments.contains("--help-all") || arguments.contains("--help")
        || arguments.contains("-h")
    {
        StandardOutput.shared.write(command.helpText(all: arguments.contains("--help-all")))
        return ExitCode.success.code
    }
    do {
        let parsed: Arguments
        do {
            parsed = try Arguments(arguments, specs: command.options, command: command.name)
        } catch {
            // Even a command line that cannot be read leaves the summary a scheduler looks for.
            if let index = arguments.firstIndex(of: "--summary-json"), index + 1 < arguments.count,
                command.options.contains(where: { $0.name == "--summary-json" })
            {
                JobOutputs.failedParsing(
                    summaryPath: arguments[index + 1], command: command.name, error: error,
                    arguments: arguments)
            }
            throw error
        }
        try Verbosity.configure(from: parsed)
        if parsed.has("--print-config") {
            StandardOutput.shared.write(
                ConfigFile.describe(parsed, specs: command.options, command: command.name))
            return ExitCode.success.code
        }
        return try command.execute(parsed)
    } catch BatchInviteError.closedPipe {
        return ExitCode.success.code
    } catch BatchInviteError.advice(let message, let fix, let alternatives) {
        StandardOutput.shared.flush()
        printError(
            "batch-invite \(command.name): "
                + Advice.line(
                    message, fix: fix, alternatives: alternatives, command: command.name,
                    arguments: arguments, specs: command.options))
        return ExitCode.usage.code
    } catch {
        StandardOutput.shared.flush()
        printError("batch-invite \(command.name): \(error)")
        return JobOutputs.exitCode(of: error).code
    }
}

/// The exit status once standard output is flushed: a failure to write it (`> /dev/full`)
/// makes a command that would have ended 0, 1 or 4 end with 6, said on stderr.
func finalStatus(_ status: Int32, command: String?) -> Int32 {
    StandardOutput.shared.flush()
    guard let failure = StandardOutput.shared.failure else { return status }
    printError("batch-invite\(command.map { " " + $0 } ?? ""): \(failure)")
    return [0, 1, 4].contains(status) ? ExitCode.localFailure.code : status
}

signal(SIGPIPE, SIG_IGN)
// A file size limit (ulimit -f) is a write error to report, not a reason to die.
signal(SIGXFSZ, SIG_IGN)
Signals.install()
let arguments = Array(CommandLine.arguments.dropFirst())
let status = runTool(arguments)
exit(
    finalStatus(
        status,
        command: arguments.first.flatMap { name in
            commands.contains { $0.name == name } ? name : nil
        }))
