/// How `batch-invite simulate` behaves: what it accepts and which faults it injects.
public struct SimulatorConfiguration: Sendable {
    /// The port on 127.0.0.1; 0 (the default) picks a free one.
    public var port: UInt16 = 0
    /// The bearer token to accept; nil (the default) accepts any non-empty one.
    public var token: String?
    /// Valid Sendoso team IDs; nil (the default) accepts any positive integer.
    public var teams: Set<Int64>?
    /// Known CyberArk user UUIDs, lower case; nil (the default) knows every UUID.
    public var users: Set<String>?
    /// The token endpoint (`/oauth2/platformtoken`) and its one client; nil (the default)
    /// serves none.
    public var tokenEndpoint: TokenEndpoint?
    /// Seconds added to every answer. Default 0.
    public var latency: Double = 0
    /// Up to this many seconds more, uniformly at random. Default 0.
    public var jitter: Double = 0
    /// The rate limit, and what every 429 says about when to come back. Default: no limit.
    public var rateLimit = RateLimit()
    /// Random errors and dropped connections. Default: none.
    public var faults = Faults()
    /// Days until a Sendoso invitation expires. Default 14.
    public var expiresInDays = 14
    /// Where to append one JSON line per request; nil (the default) keeps no log.
    public var requestLogPath: String?
    /// The seed of every random choice: the same seed and the same requests (in whatever
    /// order they arrive) give the same faults.
    public var seed: UInt64 = 1
    /// Timeouts and connection limits.
    public var limits = HTTPServer.Limits()

    public init() {}

    /// The one OAuth client of the token endpoint: its tokens are accepted (besides
    /// `token`) until they expire.
    public struct TokenEndpoint: Sendable {
        /// The client ID it must present.
        public var clientID: String
        /// The client secret it must present.
        public var secret: String
        /// Seconds a token from the token endpoint stays valid. Default 3600.
        public var tokenLifetime = 3600.0

        public init(clientID: String, secret: String) {
            self.clientID = clientID
            self.secret = secret
        }
    }

    /// When the server answers 429 for being over its rate, and the `Retry-After` of every
    /// 429 (the rate limit's and the random ones of `Faults.p429`).
    public struct RateLimit: Sendable {
        /// Requests per second the server takes before answering 429; nil (the default) is
        /// no limit.
        public var rate: Double?
        /// Requests the rate limit lets through at once; default the rate rounded up (at
        /// least 1).
        public var burst: Int?
        /// Seconds sent in `Retry-After`; nil (the default) sends the time until the limit
        /// lets the next request through (at least 1), and 1 for random 429s.
        public var retryAfter: Int?
        /// Whether 429s leave `Retry-After` out (to exercise a client's own slowing down).
        /// Default false.
        public var omitRetryAfter = false

        public init() {}
    }

    /// The probabilities of the faults drawn for each invitation request, all 0 by default.
    public struct Faults: Sendable {
        /// Probability of a random 429. Default 0.
        public var p429 = 0.0
        /// Probability of a random 503. Default 0.
        public var p503 = 0.0
        /// Probability of closing the connection before processing the request. Default 0.
        public var dropBefore = 0.0
        /// Probability of processing the request, then closing without answering. Default 0.
        public var dropAfter = 0.0

        public init() {}
    }
}
