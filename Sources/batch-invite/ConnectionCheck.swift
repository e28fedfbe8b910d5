import BatchInvite
import Foundation

/// `run --dry-run --check-connection`: everything a run needs before its first invitation,
/// tried without sending one: a token from the configured source, a connection (the TLS
/// handshake and its certificate checks) to the API, and with `--check-path` one
/// authenticated GET. Each step prints one line; the first that fails ends the check with
/// its exit code.
struct ConnectionCheck {
    let settings: CurlTransport.Configuration
    let source: any TokenSource
    let redactor: Redactor
    let path: String?
    /// `--verbose`: the GET's exchange in a line on stderr.
    var verbose = false

    func run() throws -> ExitCode {
        let output = StandardOutput.shared
        func say(_ line: String) {
            output.write(redactor.redact(line) + "\n")
            output.flush()
        }
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
        var configuration = settings
        configuration.token = token.value
        configuration.concurrency = 1
        let transport = try CurlTransport(configuration: configuration)
        defer { transport.close() }
        let secure = settings.baseURL.lowercased().hasPrefix("https://")
        let host = URL(string: settings.baseURL)?.host ?? settings.baseURL
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
        if let path {
            let request = APIRequest(method: "GET", pathAndQuery: path, body: [], contentType: nil)
            let began = Clock.monotonic()
            let result = transport.exchange(request)
            if verbose {
                printError(
                    LoggingTransport.line(
                        method: "GET", path: path, seconds: Clock.monotonic() - began,
                        result: result, redactor: redactor))
            }
            switch result {
            case .failed(let failure):
                say("GET \(path): failed: \(failure.detail); \(failure.advice)")
                return failure.needsConfiguration ? .usage : .temporary
            case .answered(let answer):
                let status = answer.status
                switch status {
                case 200..<400:
                    say("GET \(path): ok, HTTP \(status)")
                case 401, 403:
                    say("GET \(path): HTTP \(status), the API rejected the token")
                    return .credentialsRejected
                case 429, 500...:
                    say("GET \(path): HTTP \(status), the API is busy or down; try again later")
                    return .temporary
                default:
                    say(
                        "GET \(path): HTTP \(status); is --check-path a path the API serves to GET?"
                    )
                    return .usage
                }
            }
        }
        say("everything checked worked; no invitation was sent")
        return .success
    }
}
