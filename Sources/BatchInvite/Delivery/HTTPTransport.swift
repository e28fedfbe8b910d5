import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Something that sends one request and waits for what comes back; safe for concurrent use.
public protocol Transport: Sendable {
    func send(_ request: APIRequest) -> TransportResult
}

/// What came back for one request.
public enum TransportResult: Sendable, Equatable {
    case answered(status: Int, headers: [String: String], body: [UInt8])
    case failed(TransportFailure)
}

/// Sends the targets' requests through one shared `URLSession` (ephemeral: no cookies, no
/// cache; connections reused, at most `concurrency` to the host), adding the bearer token.
/// `send` blocks its calling thread (the workers are threads of their own).
public final class HTTPTransport: Transport, @unchecked Sendable {
    // Safe to share: immutable after `init`; URLSession is thread-safe.
    private let session: URLSession
    private let baseURL: String
    private let authorization: String
    private let timeout: Double

    public init(baseURL: String, token: String, concurrency: Int, timeout: Double) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = concurrency
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = max(timeout * 2, timeout + 30)
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = max(2, concurrency)
        session = URLSession(configuration: configuration, delegate: nil, delegateQueue: queue)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        authorization = "Bearer " + token
        self.timeout = timeout
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// Sends `request` and waits for the answer or the failure.
    public func send(_ request: APIRequest) -> TransportResult {
        guard let url = URL(string: baseURL + request.pathAndQuery) else {
            return .failed(
                TransportFailure(
                    kind: .notReached, description: "invalid URL \(baseURL + request.pathAndQuery)")
            )
        }
        var urlRequest = URLRequest(
            url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        urlRequest.setValue(authorization, forHTTPHeaderField: "Authorization")
        urlRequest.setValue("application/json", forHTTPHeaderField: "Accept")
        urlRequest.setValue(
            "batch-invite/\(BatchInviteVersion.current)", forHTTPHeaderField: "User-Agent")
        if let contentType = request.contentType {
            urlRequest.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        urlRequest.httpBody = Data(request.body)
        let outcome = Outcome()
        let task = session.dataTask(with: urlRequest) { data, response, error in
            if let http = response as? HTTPURLResponse, error == nil {
                var headers: [String: String] = [:]
                for (name, value) in http.allHeaderFields {
                    headers[String(describing: name).lowercased()] = String(describing: value)
                }
                outcome.result = .answered(
                    status: http.statusCode, headers: headers, body: Array(data ?? Data()))
            } else {
                outcome.result = .failed(TransportFailure(error))
            }
            outcome.done.signal()
        }
        task.resume()
        outcome.done.wait()
        return outcome.result
            ?? .failed(TransportFailure(kind: .answerLost, description: "no answer"))
    }

    /// The completion handler's result, handed back to the waiting thread.
    private final class Outcome: @unchecked Sendable {
        // Written once by the completion handler before `done` is signalled, read after.
        var result: TransportResult?
        let done = DispatchSemaphore(value: 0)
    }
}

/// A request that got no HTTP answer, and whether the API may have acted on it.
public struct TransportFailure: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The request surely never reached the API (connection refused, host not found).
        case notReached
        /// It may have been received and acted on; only the answer is missing (timeout,
        /// connection lost after sending).
        case answerLost
    }

    public var kind: Kind
    public var description: String

    public init(kind: Kind, description: String) {
        self.kind = kind
        self.description = description
    }

    init(_ error: Error?) {
        guard let error = error as? URLError else {
            self.init(kind: .answerLost, description: error.map { "\($0)" } ?? "no answer")
            return
        }
        switch error.code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
            .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot,
            .clientCertificateRejected,
            .unsupportedURL, .badURL:
            self.init(kind: .notReached, description: Self.describe(error.code))
        default:
            self.init(kind: .answerLost, description: Self.describe(error.code))
        }
    }

    private static func describe(_ code: URLError.Code) -> String {
        switch code {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .timedOut: return "timed out"
        case .networkConnectionLost: return "connection lost"
        case .notConnectedToInternet: return "no network"
        case .secureConnectionFailed: return "TLS handshake failed"
        case .badServerResponse: return "bad server response"
        default:
            if code.rawValue >= -1206 && code.rawValue <= -1200 {
                return "TLS certificate rejected"
            }
            return "network error \(code.rawValue)"
        }
    }
}
