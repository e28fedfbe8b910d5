/// Where a run's token comes from, as the command line says (`--token-env`, `--token-file`,
/// `--token-command`, `--oauth-token-url`), checked as far as can be without fetching: the
/// run makes its token source from it.
public enum TokenSettings: Sendable {
    /// A token given once (an environment variable's), never renewed; `name` says where it
    /// came from, for messages.
    case fixed(token: String, name: String)
    /// A file's first line, read again when the API rejects the token in use.
    case file(path: String)
    /// A command (`sh -c`) that prints the token, stopped after `timeout` seconds.
    case command(String, timeout: Double)
    /// Tokens by OAuth client credentials.
    case oauth(OAuth)

    /// An OAuth client's credentials and where it asks for tokens.
    public struct OAuth: Sendable {
        /// The token endpoint (https://, or http:// on loopback).
        public var tokenURL: String
        /// The client's ID and secret (the secret is one the run's redactor hides).
        public var clientID: String
        public var clientSecret: String
        /// The scope asked for; nil: none.
        public var scope: String?
        /// Whether the client's ID and secret go in the form body (`--oauth-client-auth
        /// body`) rather than by HTTP Basic. Default false.
        public var secretInBody = false

        public init(tokenURL: String, clientID: String, clientSecret: String) {
            self.tokenURL = tokenURL
            self.clientID = clientID
            self.clientSecret = clientSecret
        }
    }

    /// The token source; an OAuth client's requests go as the run's do (`connection`,
    /// `concurrency`), through the proxy the environment names for the token endpoint.
    func source(connection: ConnectionSettings, concurrency: Int, redactor: Redactor)
        -> any TokenSource
    {
        switch self {
        case .fixed(let token, let name):
            return FixedToken(token, name: name)
        case .file(let path):
            return TokenFile(path: path)
        case .command(let command, let timeout):
            return TokenCommand(command: command, timeout: timeout, redactor: redactor)
        case .oauth(let oauth):
            var transport = connection.transport(concurrency: concurrency)
            if let proxy = ConnectionSettings.proxy(for: oauth.tokenURL) {
                transport.proxy = proxy
            }
            var settings = OAuthClientCredentials.Settings(
                tokenURL: oauth.tokenURL, clientID: oauth.clientID,
                clientSecret: oauth.clientSecret, transport: transport)
            settings.scope = oauth.scope
            settings.authentication = oauth.secretInBody ? .body : .basic
            return OAuthClientCredentials(settings: settings, redactor: redactor)
        }
    }
}

/// A run's token: its source made from `TokenSettings`, and the first token, fetched when
/// this is made, before anything is read or sent (a source that fails stops the run there:
/// exit 3 when the credentials were refused, 5 when the source could not be reached or
/// run). The run renews it while it sends.
public final class RunCredentials: Sendable {
    let keeper: TokenKeeper

    /// Makes the source and fetches the first token, waiting for it; throws
    /// `CredentialFailure`. `redactor` learns every token.
    public init(
        _ token: TokenSettings, connection: ConnectionSettings, concurrency: Int,
        redactor: Redactor
    ) throws {
        keeper = TokenKeeper(
            source: token.source(
                connection: connection, concurrency: concurrency, redactor: redactor),
            redactor: redactor)
        try keeper.start()
    }
}
