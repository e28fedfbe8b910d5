import Foundation
import Testing

/// The live progress line, as a terminal receives it: an escape sequence only for a
/// terminal that understands one.
@Suite struct ProgressTerminalTests {
    /// A shell word for `text`.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `run` of 30 rows at 20 a second (so the line is drawn several times) in `tool`'s
    /// folder, under a pseudo-terminal of util-linux's `script` when `terminal`, with the
    /// environment changed by `env` words (`TERM=dumb`, `-u NO_COLOR`): its exit status and
    /// everything it wrote to standard error (and, through the terminal, to standard output).
    static func run(
        _ tool: Tool, _ simulator: SimulatorProcess, name: String, terminal: Bool,
        env: [String], progress: String = "auto"
    ) throws -> (status: Int32, output: String) {
        var csv = "First Name,Last Name,Email,Role,Team ID\n"
        for index in 1...30 { csv += "A,B,\(name)\(index)@example.com,regular,1234\n" }
        try tool.write("\(name).csv", csv)
        let command =
            ([Tool.binary.path, "run", "\(name).csv", "--target", "sendoso", "--base-url"]
            + [simulator.baseURL, "--rate", "20", "--progress", progress, "--report"]
            + ["\(name).report.csv"]).map(quoted).joined(separator: " ")
        let environment = (["env"] + env + ["BATCH_INVITE_TOKEN=secret"]).map(quoted)
            .joined(separator: " ")
        if terminal {
            let result = try tool.runShell(
                "\(environment) script -qec \(quoted(command)) /dev/null")
            return (result.status, result.stdout)
        }
        let result = try tool.runShell("\(environment) \(command)")
        return (result.status, result.stderr)
    }

    @Test func theLiveLineUsesAnEscapeOnlyOnATerminalThatTakesOne() throws {
        try NeededTool.script.require()
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        let cases:
            [(name: String, terminal: Bool, env: [String], progress: String, escapes: Bool)] =
                [
                    ("xterm", true, ["-u", "NO_COLOR", "TERM=xterm"], "auto", true),
                    // The issue's example: an editor's shell, or a serial console.
                    ("dumb", true, ["-u", "NO_COLOR", "TERM=dumb"], "auto", false),
                    ("nocolor", true, ["NO_COLOR=1", "TERM=xterm"], "auto", false),
                    ("noterm", true, ["-u", "NO_COLOR", "-u", "TERM"], "auto", false),
                    ("emptyterm", true, ["-u", "NO_COLOR", "TERM="], "auto", false),
                    // Asked for on a stream that is not a terminal (a log file).
                    ("piped", false, ["-u", "NO_COLOR", "TERM=xterm"], "bar", false),
                ]
        for item in cases {
            let (status, output) = try Self.run(
                tool, simulator, name: item.name, terminal: item.terminal, env: item.env,
                progress: item.progress)
            #expect(status == 0, "\(item.name): \(output)")
            // The live line was drawn, and redrawn over itself after a carriage return.
            let draws = HTMLPageTests.matches(
                #"\r(?:\x1B\[K)?([^\r\n]*rows done[^\r\n]*)"#, in: output)
            #expect(draws.count >= 2, "\(item.name): \(output)")
            #expect(output.contains("\u{1B}") == item.escapes, "\(item.name): \(output)")
            if item.escapes {
                #expect(output.contains("\r\u{1B}[K"), "\(item.name): \(output)")
            } else {
                // At the end the line is blanked with as many spaces as it had characters.
                let width = draws.last?[0].unicodeScalars.count ?? 0
                #expect(
                    output.contains("\r" + String(repeating: " ", count: width) + "\r"),
                    "\(item.name): \(output)")
            }
        }
    }
}

/// What is said on standard error while the live line is drawn starts a line of its own
/// (issue 26, item 6): the line is cleared first, then drawn again below.
@Suite struct ProgressLineClearingTests {
    @Test func aSignalsMessageIsNotGluedToTheLiveLine() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(60))
        // --progress bar into a pipe: the line is redrawn after a carriage return and
        // cleared with spaces (no escape sequence off a terminal).
        let run = try BackgroundRun(
            tool,
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
                "--rate", "10", "--progress", "bar", "--report", "report.csv",
            ])
        let deadline = Date().addingTimeInterval(10)
        while ((try? simulator.logEntries().count) ?? 0) < 10 && Date() < deadline {
            usleep(20_000)
        }
        kill(run.process.processIdentifier, SIGINT)
        let (status, stderr) = run.finish()
        #expect(status == 130)
        let message = try #require(stderr.range(of: "batch-invite run: stopping on SIGINT"))
        let before = stderr[..<message.lowerBound]
        #expect(before.contains(" rows done"), "no live line was drawn: \(stderr)")
        // Cleared: blanks over the line, then a carriage return, right before the message.
        #expect(before.hasSuffix(" \r"), "\(stderr.debugDescription)")
        #expect(!before.split(separator: "\r").last!.contains(where: { $0 != " " }))
        #expect(stderr.hasSuffix("stopped by SIGINT (signal 2); run the same command to go on\n"))
    }
}
