/// Replaces the run's secrets (the token) with `[redacted]` in text the tool stores or
/// prints: an API that echoes a request's `Authorization` header in its error message
/// must not put the token into the report, the journal or the terminal.
public struct Redactor: Sendable {
    /// What a secret is replaced with.
    public static let mark = "[redacted]"
    private let secrets: [String]

    /// Redacts `secrets`; those shorter than 4 characters are left alone (they would
    /// garble ordinary words, and no real token is that short).
    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.utf8.count >= 4 }
    }

    /// `text` with every occurrence of a secret replaced.
    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: Self.mark)
        }
        return result
    }
}
