import Foundation

/// A token from a command (`--token-command`), run through `/bin/sh -c` with no standard
/// input: a secret manager's CLI, a script that calls a token endpoint. It prints the token
/// alone or a JSON object (`TokenText.parse`); AWS's `credential_process` and kubectl's exec
/// plugins work the same way.
///
/// It fails (and the run stops) when it exits with another status than 0, prints nothing
/// usable, or takes longer than `timeout`: exit 3 when it says the credentials were refused
/// (exit status 3, or an OAuth `error` object), 5 otherwise. The last line of its standard
/// error is quoted, with the run's secrets hidden.
public struct TokenCommand: TokenSource {
    public let command: String
    public let timeout: Double
    /// Hides secrets in what the command says on failure.
    public let redactor: Redactor

    public init(command: String, timeout: Double = 30, redactor: Redactor) {
        self.command = command
        self.timeout = timeout
        self.redactor = redactor
    }

    public var name: String { "the token command" }
    public var renews: Bool { true }

    public func fetch() throws -> AccessToken {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        // Set before the start: a command quicker than this line would otherwise end unseen.
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw CredentialFailure(
                "the token command could not be started: \(error)", exitCode: .temporary)
        }
        let reader = PipeReader(output.fileHandleForReading)
        let errorReader = PipeReader(errors.fileHandleForReading)
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            // The whole process group would be better; the shell and what it waits for are
            // what a command line starts, and the shell's end closes the pipes.
            process.terminate()
            _ = finished.wait(timeout: .now() + 2)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw CredentialFailure(
                "the token command took longer than \(String(format: "%g", timeout)) s and was stopped",
                exitCode: .temporary)
        }
        let printed = String(decoding: reader.wait(), as: UTF8.self)
        let said = lastLine(String(decoding: errorReader.wait(), as: UTF8.self))
        let status = process.terminationStatus
        guard process.terminationReason == .exit, status == 0 else {
            var message =
                process.terminationReason == .exit
                ? "the token command exited with status \(status)"
                : "the token command was killed by signal \(status)"
            if let said { message += ": \(redactor.redact(said))" }
            throw CredentialFailure(
                message, exitCode: status == 3 ? .credentialsRejected : .temporary)
        }
        do {
            return try TokenText.parse(printed, from: "the token command")
        } catch var failure as CredentialFailure {
            if let said { failure.message += " (its last message: \(redactor.redact(said)))" }
            failure.message = redactor.redact(failure.message)
            throw failure
        }
    }

    private func lastLine(_ text: String) -> String? {
        let line = text.split(whereSeparator: \.isNewline).last.map(String.init)
        guard let line, !line.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return TextBytes.shown(line, limit: 300)
    }
}

/// Reads a pipe to its end on a thread of its own, so that a command writing much never
/// blocks on a full pipe.
final class PipeReader: @unchecked Sendable {
    // Safe to share: `data` is written by the reading thread before `done` is signalled,
    // and read only after waiting for it.
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
}
