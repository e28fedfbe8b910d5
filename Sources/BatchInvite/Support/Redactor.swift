import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Replaces the run's secrets (tokens, a client secret) with `[redacted]` in text the tool
/// stores or prints: an API that echoes a request's `Authorization` header in its error
/// message must not put the token into the report, the journal or the terminal. Tokens
/// renewed during a run are added as they come. Safe for concurrent use.
public final class Redactor: @unchecked Sendable {
    // Safe to share: `secrets` is only touched with `lock` held.

    /// What a secret is replaced with.
    public static let mark = "[redacted]"
    private let lock = NSLock()
    private var secrets: [String] = []

    /// Redacts `secrets`; those shorter than 4 characters are left alone (they would
    /// garble ordinary words, and no real token is that short).
    public init(secrets: [String]) {
        secrets.forEach(add)
    }

    /// Redacts `secret` too from now on.
    public func add(_ secret: String) {
        guard secret.utf8.count >= 4 else { return }
        lock.lock()
        defer { lock.unlock() }
        if !secrets.contains(secret) { secrets.append(secret) }
    }

    /// `text` with every occurrence of a secret replaced.
    public func redact(_ text: String) -> String {
        lock.lock()
        let secrets = self.secrets
        lock.unlock()
        var result = text
        for secret in secrets where Self.contains(result, secret) {
            result = result.replacing(secret, with: Self.mark)
        }
        return result
    }

    /// A byte search (most texts are short and hold no secret: this is the common path).
    private static func contains(_ text: String, _ secret: String) -> Bool {
        var text = text
        var secret = secret
        guard text.utf8.count >= secret.utf8.count else { return false }
        return text.withUTF8 { haystack in
            secret.withUTF8 { needle in
                guard let first = needle.first, let base = needle.baseAddress else { return false }
                var index = 0
                while index + needle.count <= haystack.count {
                    if haystack[index] == first,
                        memcmp(haystack.baseAddress! + index, base, needle.count) == 0  // non-empty
                    {
                        return true
                    }
                    index += 1
                }
                return false
            }
        }
    }
}
