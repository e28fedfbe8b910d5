import Foundation

/// A bearer token and how long it lasts.
public struct AccessToken: Sendable, Equatable {
    public var value: String
    /// Seconds it is valid for from when it was obtained; nil when unknown (it is then
    /// renewed only when the API rejects it).
    public var lifetime: Double?

    public init(value: String, lifetime: Double? = nil) {
        self.value = value
        self.lifetime = lifetime
    }

    /// What in `value` could not go into an `Authorization: Bearer` header as it is, in
    /// words ("character 9 is a control character (\r)"), or nil when every character is
    /// visible ASCII. RFC 6750's tokens are visible ASCII; a CR or LF would end the header
    /// and start another the API would obey, a space or a non-ASCII byte would be read as
    /// something else than what the source meant.
    public static func headerProblem(in value: String) -> String? {
        for (index, scalar) in value.unicodeScalars.enumerated() {
            let place = "character \(index + 1)"
            switch scalar.value {
            case 0x21...0x7E: continue
            case 0x20: return "\(place) is a space"
            case 0..<0x20, 0x7F, 0x80...0x9F:
                return "\(place) is a control character (\(TextBytes.shown(String(scalar))))"
            default: return "\(place) is not ASCII (\(TextBytes.shown(String(scalar))))"
            }
        }
        return nil
    }

    /// The token as `source` gave it, refused (exit 3: the source must be fixed) when it
    /// could not be sent as it is (`headerProblem`); the message never shows the token.
    public func checked(from source: String) throws -> AccessToken {
        if value.isEmpty {
            throw CredentialFailure(
                "\(source) gave an empty token; nothing was sent with it",
                exitCode: .credentialsRejected)
        }
        if let problem = Self.headerProblem(in: value) {
            throw CredentialFailure(
                "\(source) gave a token that cannot be sent: its \(problem); a token is "
                    + "visible ASCII only (a CR or LF would add a header of its own to the "
                    + "request); nothing was sent with it: fix what \(source) gives, then run again",
                exitCode: .credentialsRejected)
        }
        return self
    }
}

/// Where a run's token comes from. `fetch` may block (a command, a token endpoint); it is
/// called once before anything is sent and then, for sources that can renew, from the
/// `TokenKeeper`'s thread.
public protocol TokenSource: Sendable {
    /// What the source is, for messages ("the token command", "the token file x").
    var name: String { get }
    /// Whether asking again may give another token (a file rotated, a command, OAuth).
    var renews: Bool { get }
    /// A token now. Throws `CredentialFailure`.
    func fetch() throws -> AccessToken
}

/// A token given once (an environment variable): never renewed.
public struct FixedToken: TokenSource {
    public let name: String
    private let token: String

    public init(_ token: String, name: String) {
        self.token = token
        self.name = name
    }

    public var renews: Bool { false }

    public func fetch() throws -> AccessToken { AccessToken(value: token) }
}

/// A token in a file's first line, read again when the API rejects the one in use (a
/// sidecar may have rotated it).
public struct TokenFile: TokenSource {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var name: String { "the token file \(path)" }
    public var renews: Bool { true }

    public func fetch() throws -> AccessToken {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CredentialFailure("cannot read the token file \(path)", exitCode: .usage)
        }
        let token = String(text.prefix { $0 != "\n" && $0 != "\r" })
            .trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else {
            throw CredentialFailure(
                "the token file \(path): the first line is empty", exitCode: .usage)
        }
        return AccessToken(value: token)
    }
}

/// Reading what a token command or endpoint printed.
public enum TokenText {
    /// A command's output: the token alone on one line, or a JSON object with
    /// `access_token` (or `token`) and `expires_in` (seconds) or `expires_at` (RFC 3339).
    /// A JSON object with an `error` member is an OAuth error: the credentials were refused.
    public static func parse(_ output: String, from source: String, now: Date = Date()) throws
        -> AccessToken
    {
        let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw CredentialFailure("\(source) printed nothing", exitCode: .temporary)
        }
        guard text.hasPrefix("{") else {
            guard !text.contains(where: { $0.isNewline || $0 == " " }) else {
                throw CredentialFailure(
                    "\(source) printed more than one word; it must print the token alone or "
                        + "a JSON object with access_token", exitCode: .usage)
            }
            return AccessToken(value: text)
        }
        let object: JSONValue
        do {
            object = try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            throw CredentialFailure(
                "\(source) printed JSON that cannot be read: \(error)", exitCode: .usage)
        }
        if let refused = oauthError(object) {
            throw CredentialFailure("\(source): \(refused)", exitCode: .credentialsRejected)
        }
        guard case .string(let token)? = object["access_token"] ?? object["token"], !token.isEmpty
        else {
            throw CredentialFailure(
                "\(source) printed a JSON object without access_token (or token)",
                exitCode: .usage)
        }
        if let type = object["token_type"]?.text, type.lowercased() != "bearer" {
            throw CredentialFailure(
                "\(source) gave a token of type \"\(type)\"; only Bearer tokens are sent",
                exitCode: .usage)
        }
        if let seconds = object["expires_in"]?.text.flatMap(Double.init), seconds > 0 {
            return AccessToken(value: token, lifetime: seconds)
        }
        if let stamp = object["expires_at"]?.text {
            guard let date = parseDate(stamp) else {
                throw CredentialFailure(
                    "\(source): expires_at \"\(stamp)\" is not an RFC 3339 time", exitCode: .usage)
            }
            return AccessToken(value: token, lifetime: max(date.timeIntervalSince(now), 0))
        }
        return AccessToken(value: token)
    }

    /// `error` and `error_description` of an OAuth error answer (RFC 6749 section 5.2).
    static func oauthError(_ object: JSONValue) -> String? {
        guard let code = object["error"]?.text else { return nil }
        var text = "error \(code)"
        if let description = object["error_description"]?.text {
            text += " (\(description))"
        }
        return text
    }

    private static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
