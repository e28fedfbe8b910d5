import Foundation

/// An OAuth 2.0 token endpoint for the client credentials grant (RFC 6749 section 4.4), as
/// CyberArk Identity serves it at `/oauth2/platformtoken` (and `/oauth2/token/<app id>` for
/// a custom OAuth app): one client, tokens that the invitation endpoints accept until they
/// expire, and the errors of section 5.2.
final class OAuthIssuer: @unchecked Sendable {
    // Safe to share: `issued` and `count` are only touched with `lock` held.

    let clientID: String
    private let secret: String
    /// Seconds an issued token stays valid.
    let lifetime: Double
    private let seed: UInt64
    private let lock = NSLock()
    /// Issued tokens and when they expire (monotonic seconds).
    private var issued: [String: Double] = [:]
    private var count = 0

    init(clientID: String, secret: String, lifetime: Double, seed: UInt64) {
        self.clientID = clientID
        self.secret = secret
        self.lifetime = lifetime
        self.seed = seed
    }

    /// Whether `path` is one of the token endpoint's.
    static func serves(_ path: String) -> Bool {
        path == "/oauth2/platformtoken" || path.hasPrefix("/oauth2/token/")
    }

    /// What an invitation endpoint makes of a bearer token.
    enum Verdict {
        case valid
        case expired
        case unknown
    }

    func check(_ token: Substring) -> Verdict {
        lock.lock()
        defer { lock.unlock() }
        guard let expiry = issued[String(token)] else { return .unknown }
        return Clock.monotonic() < expiry ? .valid : .expired
    }

    /// Answers a token request; the client it claimed to be and whether a token was issued.
    func handle(_ request: HTTPRequest) -> (response: HTTPResponse, client: String, issued: Bool) {
        guard request.method == "POST" else {
            return (
                .json(405, #"{"error":"invalid_request"}"#, headers: [("Allow", "POST")]), "",
                false
            )
        }
        let type = request.header("content-type")?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            return (
                error(400, "invalid_request", "the body must be application/x-www-form-urlencoded"),
                "", false
            )
        }
        let form = Self.form(request.body)
        let client: String
        do throws(Refusal) {
            client = try authenticate(request, form: form)
        } catch {
            return (error.response, error.client, false)
        }
        guard let grant = form["grant_type"] else {
            return (error(400, "invalid_request", "grant_type is missing"), client, false)
        }
        guard grant == "client_credentials" else {
            return (
                error(400, "unsupported_grant_type", "only client_credentials is supported"),
                client, false
            )
        }
        return (grantToken(scope: form["scope"]), client, true)
    }

    /// An error answer to a token request, and the client it claimed to be ("" for none).
    private struct Refusal: Error {
        var response: HTTPResponse
        var client: String
    }

    /// The client ID of a request that authenticates as this issuer's client (section
    /// 2.3.1: HTTP Basic or `client_id` and `client_secret` in the body, not both).
    private func authenticate(_ request: HTTPRequest, form: [String: String]) throws(Refusal)
        -> String
    {
        var basic: (id: String, secret: String)?
        if let value = request.header("authorization") {
            guard let credentials = Self.basicCredentials(value) else {
                throw Refusal(
                    response: error(
                        401, "invalid_client", "unreadable client authentication", basic: true),
                    client: "")
            }
            basic = credentials
        }
        let inBody = form["client_secret"].map { (form["client_id"] ?? "", $0) }
        if basic != nil && inBody != nil {
            throw Refusal(
                response: error(
                    400, "invalid_request", "more than one client authentication method"),
                client: "")
        }
        guard let credentials = basic ?? inBody else {
            throw Refusal(
                response: error(
                    401, "invalid_client", "client authentication is required", basic: true),
                client: form["client_id"] ?? "")
        }
        guard credentials.0 == clientID && credentials.1 == secret else {
            throw Refusal(
                response: error(
                    401, "invalid_client", "client authentication failed", basic: basic != nil),
                client: credentials.0)
        }
        return credentials.0
    }

    /// The client ID and secret of an `Authorization: Basic` header; nil when it is not one
    /// or cannot be read.
    private static func basicCredentials(_ value: String) -> (id: String, secret: String)? {
        guard value.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(value.dropFirst(6))),
            let text = String(data: decoded, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else {
            return nil
        }
        // Section 2.3.1: the client ID and secret are form-encoded before Basic.
        return (
            formDecoded(Substring(text[..<colon])),
            formDecoded(Substring(text[text.index(after: colon)...]))
        )
    }

    /// The answer that issues a new token, echoing the `scope` asked for.
    private func grantToken(scope: String?) -> HTTPResponse {
        let token = issue()
        var body = #"{"access_token":"\#(token)","token_type":"Bearer","expires_in":"#
        body += "\(Int(lifetime.rounded(.up)))"
        if let scope { body += ",\"scope\":" + TextBytes.jsonString(scope) }
        body += "}"
        return .json(200, body, headers: [("Cache-Control", "no-store"), ("Pragma", "no-cache")])
    }

    private func issue() -> String {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        var bytes = Array("token-\(count)".utf8)
        let high = bytes.withUnsafeMutableBytes {
            KeyDigest.digest(UnsafeRawBufferPointer($0), seed: seed)
        }
        let low = bytes.withUnsafeMutableBytes {
            KeyDigest.digest(UnsafeRawBufferPointer($0), seed: seed &+ 1)
        }
        let token = "sim." + String(high, radix: 16) + String(low, radix: 16) + ".\(count)"
        issued[token] = Clock.monotonic() + lifetime
        return token
    }

    private func error(_ status: Int, _ code: String, _ description: String, basic: Bool = false)
        -> HTTPResponse
    {
        .json(
            status,
            "{\"error\":\"\(code)\",\"error_description\":" + TextBytes.jsonString(description)
                + "}",
            headers: [("Cache-Control", "no-store")]
                + (status == 401 && basic ? [("WWW-Authenticate", "Basic realm=\"oauth\"")] : []))
    }

    /// An `application/x-www-form-urlencoded` body's fields (the first of each name).
    static func form(_ body: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = formDecoded(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? formDecoded(parts[1]) : "" }
        }
        return fields
    }

    /// Form decoding: `+` is a space, `%HH` a byte.
    static func formDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), let high = iterator.next(),
                let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
