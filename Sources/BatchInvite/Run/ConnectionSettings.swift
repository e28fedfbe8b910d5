import Foundation

/// How requests reach the API, as the command line gives them: plain settings from which a
/// run (and `ConnectionCheck`) make their transport (libcurl's multi interface, through
/// the proxy the environment names for the base URL).
public struct ConnectionSettings: Sendable {
    /// The API's base URL, checked (http or https, no user, query or fragment).
    public var baseURL: String
    /// The header the token goes in, when the target names one; nil: `Authorization:
    /// Bearer`.
    public var tokenHeader: String?
    /// The word before the token in that header (`SSWS`), when the target names one.
    public var tokenScheme: String?
    /// The deadline of one attempt, connecting included, in seconds. Default 30.
    public var timeout = 30.0
    /// The deadline of connecting, TLS included, in seconds. Default 10.
    public var connectTimeout = 10.0
    /// PEM certificates trusted besides the system's (`--cacert`); nil: the system's alone.
    public var extraCertificates: [UInt8]?
    /// Whether `extraCertificates` alone are trusted (`--cacert-only`). Default false.
    public var onlyExtraCertificates = false

    public init(baseURL: String) {
        self.baseURL = baseURL
    }

    /// Whether `host` is this machine: `localhost`, a name under `.localhost` (RFC 6761),
    /// 127.0.0.0/8 or ::1. Plain http may go there, and no proxy is used for it.
    public static func isLoopback(_ host: String) -> Bool {
        ProxySettings.isLoopback(host)
    }

    /// The proxy the environment names for requests to `url`; nil when `url` has no scheme
    /// or host.
    static func proxy(for url: String) -> ProxySettings? {
        guard let url = URL(string: url), let scheme = url.scheme, let host = url.host else {
            return nil
        }
        return ProxySettings.resolve(
            scheme: scheme, host: host, environment: ProcessInfo.processInfo.environment)
    }

    /// The transport's configuration for up to `concurrency` requests at once, sending
    /// `token`, through the base URL's proxy.
    func transport(concurrency: Int, token: String = "") -> CurlTransport.Configuration {
        var settings = CurlTransport.Configuration(baseURL: baseURL, token: token)
        settings.tokenHeader = tokenHeader
        settings.tokenScheme = tokenScheme
        settings.concurrency = concurrency
        settings.timeout = timeout
        settings.connectTimeout = connectTimeout
        settings.extraCertificates = extraCertificates
        settings.onlyExtraCertificates = onlyExtraCertificates
        if let proxy = Self.proxy(for: baseURL) { settings.proxy = proxy }
        return settings
    }
}
