import Foundation

/// `run --dry-run --check-connection`: everything a run needs before its first invitation,
/// tried without sending one: a token from the configured source, a connection (the TLS
/// handshake and its certificate checks) to the API, and with `path` one authenticated
/// GET. Each step says one line; the first that fails ends the check with its exit code.
public struct ConnectionCheck {
    let connection: ConnectionSettings
    let source: any TokenSource
    let redactor: Redactor
    let path: String?
    /// Hears each line the check says (secrets hidden).
    let say: (String) -> Void
    /// `--verbose`: hears the GET's exchange in a line; nil without it.
    let exchange: ((String) -> Void)?

    /// The check of `connection` with a token from `token` (its requests made as a run's of
    /// `concurrency` would be); `path` for the authenticated GET, if any.
    public init(
        connection: ConnectionSettings, token: TokenSettings, concurrency: Int,
        redactor: Redactor, path: String?, say: @escaping (String) -> Void,
        exchange: ((String) -> Void)? = nil
    ) {
        self.connection = connection
        source = token.source(connection: connection, concurrency: concurrency, redactor: redactor)
        self.redactor = redactor
        self.path = path
        self.say = { say(redactor.redact($0)) }
        self.exchange = exchange
    }

    public func run() throws -> ExitCode {
        let token: AccessToken
        do {
            let fetched = try source.fetch()
            redactor.add(fetched.value)
            token = try fetched.checked(from: source.name)
        } catch let failure as CredentialFailure {
            say("token: failed: \(failure.message)")
            return failure.exitCode
        }
        let lasting = token.lifetime.map { ", valid for \(Int($0.rounded())) s" } ?? ""
        say("token: ok, from \(source.name)\(lasting)")
        let transport = try CurlTransport(
            configuration: connection.transport(concurrency: 1, token: token.value))
        defer { transport.close() }
        if let failed = checkConnection(transport) { return failed }
        if let path, let failed = get(path, transport) { return failed }
        say("everything checked worked; no invitation was sent")
        return .success
    }

    /// The connection (the TLS handshake, its certificate checks): its line said; the exit
    /// code when it failed.
    private func checkConnection(_ transport: CurlTransport) -> ExitCode? {
        let secure = connection.baseURL.lowercased().hasPrefix("https://")
        let host = URL(string: connection.baseURL)?.host ?? connection.baseURL
        if let failure = transport.checkConnection() {
            var line = "connection: failed: \(failure.detail); \(failure.advice)"
            if failure.cause == .untrustedCertificate,
                let certificate = transport.describeServerCertificate()
            {
                line += "; the server's certificate: \(certificate)"
            }
            say(line)
            return failure.needsConfiguration ? .usage : .temporary
        }
        say(
            "connection: ok, "
                + (secure
                    ? "TLS handshake with \(host), its certificate trusted"
                    : "connected to \(host) (plain HTTP)"))
        return nil
    }

    /// One authenticated GET of `path`: its line said; the exit code when it failed.
    private func get(_ path: String, _ transport: CurlTransport) -> ExitCode? {
        let request = APIRequest(method: "GET", pathAndQuery: path, body: [], contentType: nil)
        let began = Clock.monotonic()
        let result = transport.exchange(request)
        exchange?(
            LoggingTransport.line(
                method: "GET", path: path, seconds: Clock.monotonic() - began, result: result,
                redactor: redactor))
        switch result {
        case .failed(let failure):
            say("GET \(path): failed: \(failure.detail); \(failure.advice)")
            return failure.needsConfiguration ? .usage : .temporary
        case .answered(let answer):
            let status = answer.status
            switch status {
            case 200..<400:
                say("GET \(path): ok, HTTP \(status)")
                return nil
            case 401, 403:
                say("GET \(path): HTTP \(status), the API rejected the token")
                return .credentialsRejected
            case 429, 500...:
                say("GET \(path): HTTP \(status), the API is busy or down; try again later")
                return .temporary
            default:
                say("GET \(path): HTTP \(status); is --check-path a path the API serves to GET?")
                return .usage
            }
        }
    }
}
