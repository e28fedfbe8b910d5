import Foundation

/// A token from a command (`--token-command`), run through `/bin/sh -c` with no standard
/// input, in a process group of its own: a secret manager's CLI, a script that calls a
/// token endpoint. It prints the token alone or a JSON object (`TokenText.parse`); AWS's
/// `credential_process` and kubectl's exec plugins work the same way.
///
/// It fails (and the run stops) when it exits with another status than 0, prints nothing
/// usable, prints more than 64 KiB, or takes longer than `timeout`: exit 3 when it says the
/// credentials were refused (exit status 3, or an OAuth `error` object), 5 otherwise. Its
/// whole process group is stopped when it ends or is stopped, so nothing it started
/// outlives it (`BoundedCommand`). The last line of its standard error is quoted, with
/// the run's secrets, and whatever token it printed, hidden.
public struct TokenCommand: TokenSource {
    public let command: String
    public let timeout: Double
    /// Hides secrets in what the command says on failure.
    public let redactor: Redactor
    /// Bytes of standard output read at most: a token, or a JSON object holding one.
    public static let outputLimit = 64 * 1024

    public init(command: String, timeout: Double = 30, redactor: Redactor) {
        self.command = command
        self.timeout = timeout
        self.redactor = redactor
    }

    public var name: String { "the token command" }
    public var renews: Bool { true }

    public func fetch() throws -> AccessToken {
        var bounded = BoundedCommand(command)
        bounded.timeout = timeout
        bounded.outputLimit = Self.outputLimit
        let result: BoundedCommand.Result
        do {
            result = try bounded.run()
        } catch {
            throw CredentialFailure(
                "the token command could not be started: \(error)", exitCode: .temporary)
        }
        let printed = String(decoding: result.output, as: UTF8.self)
        // A token it printed before failing (a `set -x` trace on standard error shows it
        // again) is hidden too, though it is never used.
        let hidden = Redactor(secrets: [])
        if let token = try? TokenText.parse(printed, from: name) { hidden.add(token.value) }
        // Hidden first, then cut to be quoted: a secret across the cut would leave a piece.
        let said = lastLine(String(decoding: result.errorTail, as: UTF8.self)).map {
            TextBytes.shown(hidden.redact(redactor.redact($0)), limit: 300)
        }
        let stopped = "and was stopped, with everything it started"
        switch result.ending {
        case .timedOut:
            throw CredentialFailure(
                "the token command took longer than \(String(format: "%g", timeout)) s \(stopped)",
                exitCode: .temporary)
        case .printedTooMuch:
            throw CredentialFailure(
                "the token command printed more than 64 KiB \(stopped); it must print the "
                    + "token alone or a JSON object with access_token", exitCode: .temporary)
        case .exited(let status) where status != 0:
            var message = "the token command exited with status \(status)"
            if let said { message += ": \(said)" }
            throw CredentialFailure(
                message, exitCode: status == 3 ? .credentialsRejected : .temporary)
        case .signalled(let signal):
            var message = "the token command was killed by signal \(signal)"
            if let said { message += ": \(said)" }
            throw CredentialFailure(message, exitCode: .temporary)
        case .exited:
            do {
                return try TokenText.parse(printed, from: name)
            } catch var failure as CredentialFailure {
                if let said { failure.message += " (its last message: \(said))" }
                failure.message = redactor.redact(failure.message)
                throw failure
            }
        }
    }

    private func lastLine(_ text: String) -> String? {
        let line = text.split(whereSeparator: \.isNewline).last.map(String.init)
        guard let line, !line.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return line
    }
}
