import Foundation

/// Tokens from an OAuth 2.0 token endpoint by the client credentials grant (RFC 6749
/// section 4.4), as CyberArk Identity issues them to service accounts
/// (`https://<tenant>/oauth2/platformtoken`): a form-encoded POST of
/// `grant_type=client_credentials` (and `scope`), the client authenticated by HTTP Basic
/// (section 2.3.1, the default) or by `client_id` and `client_secret` in the body.
///
/// An error answer (section 5.2: `invalid_client`, `unauthorized_client`, ...) is a refusal
/// (exit 3) quoting `error` and `error_description`; an endpoint that cannot be reached or
/// answers 429 or 5xx three times over is unavailable (exit 5).
public struct OAuthClientCredentials: TokenSource {
    /// How the client proves who it is.
    public enum ClientAuthentication: String, Sendable {
        case basic
        case body
    }

    public struct Settings: Sendable {
        public var tokenURL: String
        public var clientID: String
        public var clientSecret: String
        public var scope: String?
        public var authentication = ClientAuthentication.basic
        /// TLS, proxy and deadlines, as for the API (the token is not used).
        public var transport: CurlTransport.Configuration

        public init(
            tokenURL: String, clientID: String, clientSecret: String,
            transport: CurlTransport.Configuration
        ) {
            self.tokenURL = tokenURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.transport = transport
        }
    }

    public let settings: Settings
    /// The run's redactor: it learns the client secret and the `Basic` credentials made of
    /// it, and hides them (and every token) in what the endpoint says back.
    public let redactor: Redactor
    /// Attempts at a token request whose failure is transient.
    public var attempts = 3
    /// Seconds between them.
    public var pause = 1.0

    /// `redactor` learns the secret in every form it is sent in.
    public init(settings: Settings, redactor: Redactor) {
        self.settings = settings
        self.redactor = redactor
        redactor.add(settings.clientSecret)
        redactor.add(basicCredentials)
    }

    /// The value of the `Authorization: Basic` header (section 2.3.1: the ID and secret
    /// form-encoded, joined by `:`, then Base64'd); sent only under `.basic`.
    var basicCredentials: String {
        let pair =
            FormEncoding.encode(settings.clientID) + ":"
            + FormEncoding.encode(settings.clientSecret)
        return Data(pair.utf8).base64EncodedString()
    }

    public var name: String { "the token endpoint \(settings.tokenURL)" }
    public var renews: Bool { true }

    public func fetch() throws -> AccessToken {
        var configuration = settings.transport
        configuration.baseURL = settings.tokenURL
        configuration.token = ""
        configuration.concurrency = 1
        let transport = try CurlTransport(configuration: configuration)
        defer { transport.close() }
        var lastFailure: CredentialFailure?
        for attempt in 1...max(attempts, 1) {
            if attempt > 1 { Thread.sleep(forTimeInterval: pause) }
            do {
                return try exchange(transport)
            } catch let failure as CredentialFailure {
                guard failure.exitCode == .temporary else { throw failure }
                lastFailure = failure
            }
        }
        throw lastFailure
            ?? CredentialFailure("\(name): no attempt was made", exitCode: .temporary)
    }

    /// The request's form body and headers.
    var request: APIRequest {
        var fields = [("grant_type", "client_credentials")]
        if let scope = settings.scope { fields.append(("scope", scope)) }
        var headers = ["Accept: application/json", "Cache-Control: no-store"]
        switch settings.authentication {
        case .basic:
            headers.append("Authorization: Basic " + basicCredentials)
        case .body:
            fields += [("client_id", settings.clientID), ("client_secret", settings.clientSecret)]
        }
        let body = fields.map { "\($0.0)=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        return APIRequest(
            method: "POST", pathAndQuery: "", body: Array(body.utf8),
            contentType: "application/x-www-form-urlencoded", headers: headers)
    }

    private func exchange(_ transport: CurlTransport) throws -> AccessToken {
        switch transport.exchange(request) {
        case .failed(let failure):
            throw CredentialFailure(
                "the token endpoint \(settings.tokenURL) could not be reached: "
                    + redactor.redact(failure.detail) + "; "
                    + failure.advice.replacingOccurrences(
                        of: "--base-url", with: "--oauth-token-url"),
                exitCode: failure.needsConfiguration ? .usage : .temporary)
        case .answered(let answer):
            let object = try? answer.body.withUnsafeBytes { try JSONParser.parse($0) }
            if answer.status == 200 {
                let text = String(decoding: answer.body, as: UTF8.self)
                do {
                    return try TokenText.parse(text, from: "the token endpoint")
                } catch var failure as CredentialFailure {
                    failure.message = redactor.redact(failure.message)
                    throw failure
                }
            }
            if answer.status == 429 || answer.status >= 500 {
                throw CredentialFailure(
                    "the token endpoint \(settings.tokenURL) answered HTTP \(answer.status)",
                    exitCode: .temporary)
            }
            var message =
                "the token endpoint \(settings.tokenURL) refused the client \"\(settings.clientID)\""
                + " (HTTP \(answer.status)"
            if let object, let error = TokenText.oauthError(object) {
                // Hidden first, then cut: a secret across the cut would leave a piece.
                message += ", " + TextBytes.shown(redactor.redact(error), limit: 300)
            }
            throw CredentialFailure(message + ")", exitCode: .credentialsRejected)
        }
    }
}
