import Foundation

/// A `Transport` that passes every call on to another and describes each exchange in one
/// line as it ends (`--verbose`): method, path, status (or the failure), time taken and
/// the answer's first 200 characters, every secret the redactor knows hidden. Header
/// lines (the `Authorization` header among them) and request bodies are never shown.
/// Safe for concurrent use, as the transport it wraps.
public final class LoggingTransport: Transport, @unchecked Sendable {
    // Safe to share: `started` is only touched with `lock` held; the rest is immutable.
    private let inner: any Transport
    private let redactor: Redactor
    private let write: @Sendable (String) -> Void
    private let lock = NSLock()
    private var started: [Int: (method: String, path: String, at: Double)] = [:]

    /// Wraps `inner`; each exchange's line goes to `write`.
    public init(
        _ inner: any Transport, redactor: Redactor, write: @escaping @Sendable (String) -> Void
    ) {
        self.inner = inner
        self.redactor = redactor
        self.write = write
    }

    public func start(_ request: APIRequest, tag: Int) {
        lock.withLock {
            started[tag] = (request.method, request.pathAndQuery, Clock.monotonic())
        }
        inner.start(request, tag: tag)
    }

    public func poll(timeout: Double, finished: (_ tag: Int, _ result: TransportResult) -> Void) {
        inner.poll(timeout: timeout) { tag, result in
            if let begun = lock.withLock({ started.removeValue(forKey: tag) }) {
                write(
                    Self.line(
                        method: begun.method, path: begun.path,
                        seconds: Clock.monotonic() - begun.at, result: result, redactor: redactor))
            }
            finished(tag, result)
        }
    }

    public func wakeup() { inner.wakeup() }

    public func setToken(_ token: String) { inner.setToken(token) }

    /// One exchange in words: `http: POST /api/v3/users 400 12 ms: {"success":false,...}`
    /// or `http: POST /api/v3/users failed after 30000 ms: <why>`; secrets redacted in the
    /// body before it is cut, and in the whole line.
    public static func line(
        method: String, path: String, seconds: Double, result: TransportResult,
        redactor: Redactor
    ) -> String {
        let took = "\(Int((seconds * 1000).rounded())) ms"
        let line: String
        switch result {
        case .answered(let answer):
            line =
                "http: \(method) \(path) \(answer.status) \(took): "
                + AnswerText.excerpt(redactor.redact(answer.body))
        case .failed(let failure):
            line = "http: \(method) \(path) failed after \(took): \(failure.detail)"
        }
        return redactor.redact(line)
    }
}
