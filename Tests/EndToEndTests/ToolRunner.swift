import Foundation
import Testing

/// What a run of the built `batch-invite` binary did.
struct ToolResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built binary in a scratch directory of its own, removed afterwards.
final class Tool {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "batch-invite-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Whatever the umask: a config file in it must be one others cannot replace.
        chmod(directory.path, 0o755)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The binary `swift build` put beside the test bundle (or `BATCH_INVITE_BIN`).
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["BATCH_INVITE_BIN"] {
            return URL(fileURLWithPath: path)
        }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("batch-invite")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return packageRoot.appendingPathComponent(".build/debug/batch-invite")
    }()

    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// A file in the scratch directory.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    /// A config file (`--config`), mode 0644 whatever the umask: `run` refuses one that
    /// others may write.
    @discardableResult
    func writeConfig(_ name: String, _ text: String) throws -> String {
        let path = try write(name, text)
        chmod(path, 0o644)
        return path
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    /// Runs `batch-invite ARGUMENTS` with `input` on standard input; gives up after 60 s.
    func run(_ arguments: [String], input: [UInt8] = [], environment: [String: String]? = nil)
        throws -> ToolResult
    {
        try launch(Self.binary, arguments, input: input, environment: environment)
    }

    /// Runs `batch-invite ARGUMENTS` through `launcher`, a command line that runs the
    /// program given after it (a wrapper that measures it, say), the same way.
    func run(_ arguments: [String], environment: [String: String]? = nil, launcher: [String])
        throws -> ToolResult
    {
        try launch(
            URL(fileURLWithPath: "/usr/bin/env"), launcher + [Self.binary.path] + arguments,
            environment: environment)
    }

    /// Runs `/bin/sh -c COMMAND` (a command line that starts the binary with limits of its
    /// own, `ulimit` say) the same way; gives up after `seconds`.
    func runShell(
        _ command: String, environment: [String: String]? = nil, seconds: Double = 60
    ) throws -> ToolResult {
        try launch(
            URL(fileURLWithPath: "/bin/sh"), ["-c", command], environment: environment,
            seconds: seconds)
    }

    /// A child that stops reading its standard input early (a stream it refuses) must not
    /// end the tests with SIGPIPE: the write fails instead.
    private static let ignoresBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    private func launch(
        _ executable: URL, _ arguments: [String], input: [UInt8] = [],
        environment: [String: String]?, seconds: Double = 60
    ) throws -> ToolResult {
        _ = Self.ignoresBrokenPipes
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        // Only what the test gives: no token leaks in from the environment running the tests.
        var variables = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("BATCH_INVITE")
        }
        for (name, value) in environment ?? [:] { variables[name] = value }
        process.environment = variables
        process.currentDirectoryURL = directory
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errors = ReadInBackground(stderr.fileHandleForReading)
        let output = ReadInBackground(stdout.fileHandleForReading)
        if !Self.waitOrKill(process, seconds: seconds) {
            Issue.record(
                "batch-invite \(arguments.joined(separator: " ")) did not finish in \(Int(seconds)) s"
            )
        }
        return ToolResult(
            status: process.terminationStatus,
            stdout: String(decoding: output.wait(seconds: 10), as: UTF8.self),
            stderr: String(decoding: errors.wait(seconds: 10), as: UTF8.self))
    }

    /// Waits for `process` to end; past `seconds` sends SIGTERM, and SIGKILL 5 s later (a
    /// hung binary fails its test instead of hanging the suite). False when it had to.
    @discardableResult
    static func waitOrKill(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        guard process.isRunning else {
            process.waitUntilExit()
            return true
        }
        process.terminate()
        let grace = Date().addingTimeInterval(5)
        while process.isRunning && Date() < grace { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return false
    }
}

/// Reads a pipe to its end on another thread (so a full pipe never blocks the child).
final class ReadInBackground: @unchecked Sendable {
    // `data` is written by the reading thread before `done` is signalled, read after.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }

    /// What was read, once the writers closed the pipe; empty when they did not within
    /// `seconds` (a child the process left holds it open).
    func wait(seconds: Double) -> Data {
        guard done.wait(timeout: .now() + seconds) == .success else { return Data() }
        return data
    }
}
