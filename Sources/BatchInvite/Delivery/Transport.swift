/// Sends requests from one thread's event loop (the dispatcher's): `start` hands a
/// request over without waiting, `poll` waits for progress and reports each request that
/// ended. Only `wakeup` may be called from other threads.
public protocol Transport: AnyObject, Sendable {
    /// Starts sending `request` (the transport adds the token); a later `poll` reports its
    /// end under `tag`.
    func start(_ request: APIRequest, tag: Int)

    /// Moves the requests in flight along, waiting at most `timeout` seconds for one to end
    /// (less when `wakeup` is called), and calls `finished` once for every request that
    /// ended: with its answer, its failure, or a timeout at its deadline.
    func poll(timeout: Double, finished: (_ tag: Int, _ result: TransportResult) -> Void)

    /// Ends a `poll` that is waiting, or else the next one, at once. Safe from any thread.
    func wakeup()

    /// Sends `token` with the requests started from now on (a renewed token).
    func setToken(_ token: String)
}

/// What came back for one request.
public enum TransportResult: Sendable, Equatable {
    case answered(HTTPAnswer)
    case failed(TransportFailure)
}

/// An HTTP answer: its status, header lines and body (the first `limit` bytes).
public struct HTTPAnswer: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The body, cut at the transport's limit (1 MiB).
    public var body: [UInt8]
    /// Whether the body was cut (the rest was not read).
    public var truncated: Bool

    public init(
        status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8], truncated: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.truncated = truncated
    }
}

/// A request that got no HTTP answer: whether the API may have acted on it, why, and what
/// the user can do about it.
public struct TransportFailure: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request surely never reached the API: it failed before a byte of it was
        /// written (name lookup, connection, TLS handshake, proxy). Retried freely.
        case notSent
        /// The request was written, and the answer is missing or unreadable (timeout,
        /// connection lost after sending): the API may have acted on it.
        case answerLost
    }

    /// What went wrong, in the classes a user acts on.
    public enum Cause: Sendable, Equatable {
        /// The host name does not resolve.
        case unknownHost
        /// Nothing listens there, or the connection was refused.
        case refused
        /// No connection within the connect timeout.
        case connectTimeout
        /// The server's certificate is not trusted (unknown CA, expired, wrong name).
        case untrustedCertificate
        /// The TLS handshake failed for another reason.
        case tlsHandshake
        /// The proxy could not be reached or refused the tunnel.
        case proxy
        /// The whole request took longer than the deadline (`--timeout`).
        case timeout
        /// The connection broke while the request was under way.
        case connectionLost
        /// The server answered something that is not HTTP.
        case badAnswer
        /// A problem of the tool's own (out of memory, a bad URL).
        case local
    }

    public var kind: Kind
    public var cause: Cause
    /// One line for people: what happened, with libcurl's detail.
    public var detail: String
    /// libcurl's name for the error (`CURLE_COULDNT_CONNECT`), for counting; empty for
    /// failures that did not come from libcurl.
    public var code: String

    public init(kind: Kind, cause: Cause, detail: String, code: String = "") {
        self.kind = kind
        self.cause = cause
        self.detail = detail
        self.code = code
    }

    public var description: String { detail }

    /// Whether the user must change the configuration before trying again (an untrusted
    /// certificate, an unknown host), rather than wait (a refused connection, a timeout).
    public var needsConfiguration: Bool {
        switch cause {
        case .unknownHost, .untrustedCertificate, .tlsHandshake, .proxy, .local: return true
        case .refused, .connectTimeout, .timeout, .connectionLost, .badAnswer: return false
        }
    }

    /// What to try, for the message that stops a run at its first request.
    public var advice: String {
        switch cause {
        case .unknownHost:
            return "check the host in --base-url (and HTTPS_PROXY if the network needs a proxy)"
        case .refused, .connectTimeout:
            return "check --base-url and that the API is reachable from here (HTTPS_PROXY if "
                + "the network needs a proxy); run the same command again later"
        case .untrustedCertificate:
            return "if the API (or a TLS-inspecting proxy) uses a private certificate authority, "
                + "pass its certificate with --cacert FILE (PEM)"
        case .tlsHandshake:
            return "check that --base-url names an HTTPS server; a TLS-inspecting proxy may need "
                + "its CA passed with --cacert FILE"
        case .proxy:
            return "check HTTPS_PROXY (or ALL_PROXY) and NO_PROXY"
        case .timeout, .connectionLost, .badAnswer:
            return "run the same command again later; --timeout sets the deadline"
        case .local:
            return "check --base-url"
        }
    }
}
