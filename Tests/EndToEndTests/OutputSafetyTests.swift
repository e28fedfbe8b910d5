import Foundation
import Testing

/// Outputs harm nothing (README, "Security"): no output may be the input, the journal, the
/// ledger or another output; device nodes and named pipes are written as streams, never
/// replaced; an output that cannot be written is found before anything is sent; a write
/// that fails at the end, standard output included, is exit 6.
@Suite struct OutputSafetyTests {
    static let people = sendosoCSV(3)

    /// A scratch directory with the input, a config file and a token file.
    func prepared() throws -> Tool {
        let tool = try Tool()
        try tool.write("people.csv", Self.people)
        try tool.write("job.conf", "target = sendoso\n")
        try tool.write("token.txt", "secret\n")
        try tool.write(
            "team.json",
            #"{"format": 1, "name": "team", "description": "d", "documentation": "https://x.io", "#
                + #""fields": [{"name": "email", "rule": "email", "key": "lowercased"}], "#
                + #""request": {"method": "POST", "path": "/i", "json": {"email": "{{email}}"}}}"#)
        chmod(tool.path("team.json"), 0o644)
        return tool
    }

    /// Commands whose two named files are one: (what to write first, the arguments, the
    /// file that must be left as it was, the two options the message names).
    static let clashes: [(String, [String], String, [String])] = [
        (
            "", ["validate", "people.csv", "--target", "sendoso", "--summary-json", "people.csv"],
            "people.csv", ["FILE people.csv", "--summary-json people.csv"]
        ),
        (
            "",
            ["validate", "people.csv", "--target", "sendoso", "--metrics-file", "./people.csv"],
            "people.csv", ["FILE", "--metrics-file ./people.csv"]
        ),
        (
            "", ["validate", "people.csv", "--target", "sendoso", "--report", "link.csv"],
            "people.csv", ["FILE", "--report link.csv"]
        ),
        (
            "", ["validate", "people.csv", "--target", "sendoso", "--html", "alias.csv"],
            "people.csv", ["FILE", "--html alias.csv"]
        ),
        (
            "", ["validate", "people.csv", "--config", "job.conf", "--summary-json", "job.conf"],
            "job.conf", ["--config job.conf", "--summary-json job.conf"]
        ),
        (
            "",
            [
                "validate", "people.csv", "--target", "sendoso", "--report", "r.csv", "--html",
                "r.csv",
            ],
            "", ["--report r.csv", "--html r.csv"]
        ),
        (
            "",
            [
                "validate", "people.csv", "--target", "sendoso", "--summary-json", "out",
                "--metrics-file", "sub/../out",
            ],
            "", ["--summary-json out", "--metrics-file sub/../out"]
        ),
        // A command line that cannot be read does not write its failure summary over the input.
        (
            "",
            [
                "validate", "people.csv", "--target", "sendoso", "--summary-json", "people.csv",
                "--bogus",
            ],
            "people.csv", ["unknown option --bogus"]
        ),
        // A target's definition file is read like the input.
        (
            "", ["validate", "people.csv", "--target", "./team.json", "--report", "team.json"],
            "team.json", ["--target ./team.json", "--report team.json"]
        ),
        (
            "",
            [
                "run", "people.csv", "--target", "./team.json", "--base-url", "http://127.0.0.1:9",
                "--dry-run", "--summary-json", "./team.json",
            ],
            "team.json", ["--target ./team.json", "--summary-json ./team.json"]
        ),
        // A report of a journal reads the run's input again: it is no place for the report.
        (
            "journal", ["report", "--journal", "report.csv.journal", "--report", "people.csv"],
            "people.csv", ["the journal's input", "--report people.csv"]
        ),
        (
            "journal",
            ["report", "--journal", "report.csv.journal", "--report", "report.csv.journal"],
            "report.csv.journal", ["--journal report.csv.journal", "--report report.csv.journal"]
        ),
        (
            "journal",
            ["report", "--journal", "report.csv.journal", "--html", "report.csv.journal"],
            "report.csv.journal", ["--journal report.csv.journal", "--html report.csv.journal"]
        ),
    ]

    @Test func anOutputThatIsAnotherFileOfTheCommandStopsBeforeAnythingIsRead() throws {
        for (setup, arguments, kept, named) in Self.clashes {
            let tool = try prepared()
            try FileManager.default.createDirectory(
                atPath: tool.path("sub"), withIntermediateDirectories: true)
            try FileManager.default.linkItem(
                atPath: tool.path("people.csv"), toPath: tool.path("link.csv"))
            try FileManager.default.createSymbolicLink(
                atPath: tool.path("alias.csv"), withDestinationPath: "people.csv")
            if setup == "journal" {
                let simulator = try SimulatorProcess(["--token", "secret"])
                #expect(try runAgainst(simulator, tool, file: "people.csv").status == 0)
            }
            let before =
                kept.isEmpty ? nil : try Data(contentsOf: URL(fileURLWithPath: tool.path(kept)))
            let result = try tool.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            for words in named {
                #expect(result.stderr.contains(words), "\(arguments): \(result.stderr)")
            }
            if let before {
                #expect(try Data(contentsOf: URL(fileURLWithPath: tool.path(kept))) == before)
            }
            #expect(!FileManager.default.fileExists(atPath: tool.path("people.report.csv")))
            #expect(try temporaryFiles(tool).isEmpty)
        }
    }

    /// `run` whose output is its journal, its ledger, its input or its token file: exit 2
    /// with nothing sent, and a second try sends nothing either (the journal was never
    /// replaced by a summary, so nothing is sent twice).
    @Test func aRunWhoseOutputIsItsMemoryOrItsInputSendsNothing() throws {
        let cases: [([String], String, [String])] = [
            (
                ["--summary-json", "report.csv.journal"], "",
                ["the journal report.csv.journal", "--summary-json report.csv.journal"]
            ),
            (["--html", "report.csv.journal"], "", ["the journal", "--html"]),
            (["--ledger", "L", "--summary-json", "L"], "", ["--ledger L", "--summary-json L"]),
            (["--ledger", "report.csv"], "", ["--ledger report.csv", "--report report.csv"]),
            (
                ["--journal", "people.csv"], "people.csv",
                ["FILE people.csv", "--journal people.csv"]
            ),
            (
                ["--token-file", "token.txt", "--metrics-file", "token.txt"], "token.txt",
                ["--token-file token.txt", "--metrics-file token.txt"]
            ),
            (["--summary-json", "report.csv.journal.lock"], "", ["lock file", "--summary-json"]),
        ]
        for (extra, kept, named) in cases {
            let simulator = try SimulatorProcess(["--token", "secret"])
            let tool = try prepared()
            let before =
                kept.isEmpty ? nil : try Data(contentsOf: URL(fileURLWithPath: tool.path(kept)))
            for _ in 0..<2 {
                let result = try runAgainst(
                    simulator, tool, file: "people.csv", ["--limit", "2"] + extra)
                #expect(result.status == 2, "\(extra): \(result.stderr)")
                for words in named {
                    #expect(result.stderr.contains(words), "\(extra): \(result.stderr)")
                }
            }
            if let before {
                #expect(try Data(contentsOf: URL(fileURLWithPath: tool.path(kept))) == before)
            }
            #expect(!FileManager.default.fileExists(atPath: tool.path("report.csv.journal")))
            simulator.stop()
            #expect(try simulator.logEntries().isEmpty, "\(extra)")
        }
    }

    @Test func deviceNodesAndPipesAreWrittenAsStreamsAndNeverReplaced() throws {
        let tool = try prepared()
        guard try makeNode(tool, "null", minor: 3) else { try skipWithoutNodes() }
        try FileManager.default.createSymbolicLink(
            atPath: tool.path("null-link"), withDestinationPath: "null")
        for option in ["--report", "--html", "--summary-json", "--metrics-file"] {
            for path in ["null", "null-link"] {
                let result = try tool.run([
                    "validate", "people.csv", "--target", "sendoso", option, path,
                ])
                #expect(result.status == 0, "\(option) \(path): \(result.stderr)")
                #expect(isCharacterDevice(tool.path("null")), "\(option) \(path)")
                #expect(isSymbolicLink(tool.path("null-link")))
            }
        }
        // A run writes its outputs to the node as streams too.
        let simulator = try SimulatorProcess(["--token", "secret"])
        let run = try runAgainst(
            simulator, tool, file: "people.csv",
            ["--summary-json", "null", "--metrics-file", "null-link", "--html", "null"])
        #expect(run.status == 2 && run.stderr.contains("--html null and --summary-json null"))
        let streams = try runAgainst(
            simulator, tool, file: "people.csv", ["--summary-json", "null", "--html", "null-link"])
        #expect(streams.status == 2)  // the two name one node
        let alone = try runAgainst(simulator, tool, file: "people.csv", ["--summary-json", "null"])
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(isCharacterDevice(tool.path("null")))
        // A named pipe gets the report as a stream; its reader sees every line.
        try mkfifo(tool, "pipe")
        let reader = try Reader(tool.path("pipe"))
        let piped = try tool.run([
            "validate", "people.csv", "--target", "sendoso", "--report", "pipe",
        ])
        #expect(piped.status == 0)
        #expect(reader.wait()?.hasPrefix("row,line,key,status") == true)
        #expect(isFIFO(tool.path("pipe")))
        #expect(try temporaryFiles(tool).isEmpty)
    }

    @Test func otherFilesThatAreNotRegularAreRefusedWithExit2() throws {
        let tool = try prepared()
        try FileManager.default.createDirectory(
            atPath: tool.path("folder"), withIntermediateDirectories: true)
        for option in ["--report", "--html", "--summary-json", "--metrics-file"] {
            let result = try tool.run([
                "validate", "people.csv", "--target", "sendoso", option, "folder",
            ])
            #expect(
                result.status == 2 && result.stderr.contains("folder is a directory"), "\(option)")
        }
        // The journal and the ledger are read back and written in place: regular files only.
        guard try makeNode(tool, "null", minor: 3) else { try skipWithoutNodes() }
        let simulator = try SimulatorProcess(["--token", "secret"])
        for option in ["--journal", "--ledger"] {
            let result = try runAgainst(simulator, tool, file: "people.csv", [option, "null"])
            #expect(result.status == 2, "\(option)")
            #expect(result.stderr.contains("\(option) null is a character device"), "\(option)")
            #expect(isCharacterDevice(tool.path("null")))
        }
        simulator.stop()
        #expect(try simulator.logEntries().isEmpty)
    }

    @Test func outputsThatCannotBeWrittenAreFoundBeforeAnythingIsSent() throws {
        let tool = try prepared()
        try FileManager.default.createDirectory(
            atPath: tool.path("locked"), withIntermediateDirectories: true)
        try run("chmod 0777 \(tool.directory.path) && chmod 0555 \(tool.path("locked"))")
        let simulator = try SimulatorProcess(["--token", "secret"])
        for option in [
            "--summary-json", "--metrics-file", "--html", "--report", "--journal", "--ledger",
        ] {
            let result = try tool.runShell(
                Self.unprivileged(
                    "BATCH_INVITE_TOKEN=secret \(Tool.binary.path) run people.csv --target sendoso "
                        + "--base-url \(simulator.baseURL) --progress none "
                        + (option == "--report" ? "" : "--report r.csv ")
                        + (option == "--journal" ? "" : "--journal j.journal ")
                        + "\(option) locked/out"))
            #expect(result.status == 2, "\(option): \(result.stderr)")
            #expect(
                result.stderr.contains("\(option) locked/out cannot be written"),
                "\(option): \(result.stderr)")
        }
        simulator.stop()
        #expect(try simulator.logEntries().isEmpty)
    }

    @Test func aWriteThatFailsAtTheEndIsExit6WithThePath() throws {
        let tool = try prepared()
        guard try makeNode(tool, "full", minor: 7) else { try skipWithoutNodes() }
        let simulator = try SimulatorProcess(["--token", "secret"])
        for option in ["--summary-json", "--metrics-file", "--html"] {
            try? FileManager.default.removeItem(atPath: tool.path("report.csv.journal"))
            let result = try runAgainst(simulator, tool, file: "people.csv", [option, "full"])
            #expect(result.status == 6, "\(option): \(result.stderr)")
            #expect(result.stderr.contains("\(option): cannot write full"), "\(option)")
        }
        let validated = try tool.run([
            "validate", "people.csv", "--target", "sendoso", "--report", "full",
        ])
        #expect(validated.status == 6 && validated.stderr.contains("cannot write full"))
        #expect(isCharacterDevice(tool.path("full")))
    }

    @Test func standardOutputThatCannotBeWrittenIsExit6AndAClosedPipeIsQuiet() throws {
        let tool = try prepared()
        guard try makeNode(tool, "full", minor: 7) else { try skipWithoutNodes() }
        let binary = Tool.binary.path
        let commands = [
            "\(binary) inspect people.csv > full",
            "\(binary) inspect people.csv --raw > full",
            "\(binary) validate people.csv --target sendoso --report - > full",
            "\(binary) validate people.csv --target sendoso > full",
            "\(binary) --help > full",
        ]
        for command in commands {
            let result = try tool.runShell(command)
            #expect(result.status == 6, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("No space left on device"), "\(command)")
        }
        // A reader that goes away is no failure: silent, exit 0.
        var big = "First Name,Last Name,Email,Role,Team ID\n"
        for index in 0..<20000 { big += "A,B,p\(index)@example.com,regular,1\n" }
        try tool.write("big.csv", big)
        for command in [
            "\(binary) inspect big.csv", "\(binary) validate big.csv --target sendoso --report -",
        ] {
            let result = try tool.runShell(
                "(\(command); echo $? > status) | head -c 10 > /dev/null")
            #expect(result.stderr.isEmpty, "\(command): \(result.stderr)")
            #expect(try tool.read("status") == "0\n", "\(command)")
        }
    }

    /// `command` run as the user nobody when the tests run as root (root writes anywhere).
    static func unprivileged(_ command: String) -> String {
        getuid() == 0
            ? "setpriv --reuid 65534 --regid 65534 --clear-groups /bin/sh -c '\(command)'" : command
    }
}

/// Temporary files left in the tool's directory.
func temporaryFiles(_ tool: Tool) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: tool.directory.path).filter {
        $0.contains(".tmp-")
    }
}

/// Makes a character device node of the memory driver (major 1: 3 null, 5 zero, 7 full)
/// in the tool's directory; false (with the reason printed) where nodes cannot be made.
/// `guard try makeNode(...) else { try skipWithoutNodes() }` in a test about nodes.
func makeNode(_ tool: Tool, _ name: String, minor: Int) throws -> Bool {
    let result = try tool.runShell("mknod \(name) c 1 \(minor)")
    guard result.status == 0 else {
        print("device nodes cannot be made here (mknod: \(result.stderr))")
        return false
    }
    return true
}

func mkfifo(_ tool: Tool, _ name: String) throws {
    try run("mkfifo \(tool.path(name))")
}

/// Runs a shell command, failing the test when it fails.
func run(_ command: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(command)")
}

private func fileType(_ path: String) -> FileAttributeType? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
}

func isCharacterDevice(_ path: String) -> Bool { fileType(path) == .typeCharacterSpecial }
func isFIFO(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO
}
func isSymbolicLink(_ path: String) -> Bool { fileType(path) == .typeSymbolicLink }

/// Reads a named pipe to its end on a thread of its own.
final class Reader: @unchecked Sendable {
    // `text` is written by the reading thread before `done` is signalled, read after.
    private var text = ""
    private let done = DispatchSemaphore(value: 0)

    init(_ path: String) throws {
        Thread { [self] in
            let data = FileHandle(forReadingAtPath: path)?.readDataToEndOfFile() ?? Data()
            text = String(decoding: data, as: UTF8.self)
            done.signal()
        }.start()
    }

    /// What was read, once the writer closed the pipe; nil when nothing closed it within
    /// `seconds` (the reader is then left waiting).
    func wait(seconds: Double = 20) -> String? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return text
    }
}

/// Cancels a test that needs a device node where none can be made (skipped, even on CI).
func skipWithoutNodes() throws -> Never {
    try NeededTool.skip("device nodes cannot be made here")
}
