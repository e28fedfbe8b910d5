/// Why no token could be had, and how the run ends for it: exit 3 when the credentials
/// were refused, 5 when their source could not be reached or run, 2 when it is set up
/// wrong. The message never holds a secret.
public struct CredentialFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var exitCode: ExitCode

    public init(_ message: String, exitCode: ExitCode) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}
