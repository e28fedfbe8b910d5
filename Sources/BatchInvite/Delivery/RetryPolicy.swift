import Foundation

/// Which failures are retried, how long to wait between attempts, and how long a 429
/// asks to wait.
public struct RetryPolicy: Sendable {
    /// Attempts per row, the first included. Default 5.
    public var maxAttempts = 5
    /// The first backoff's ceiling in seconds; it doubles with each attempt. Default 0.5.
    public var base = 0.5
    /// The largest backoff in seconds. Default 30.
    public var cap = 30.0
    /// The longest `Retry-After` honoured, in seconds. Default 120.
    public var maxRetryAfter = 120.0

    public init() {}

    /// How an HTTP status is handled before the target reads the body.
    public enum StatusClass: Equatable {
        /// 401/403: the token is wrong; the run stops.
        case unauthorized
        /// 429: rate limited; retried after `Retry-After` or with a lower rate.
        case throttled
        /// 3xx: a redirect, never followed (the token only goes to the base URL); final.
        case redirect
        /// Retried; `answerLost` when the API may have acted on the request (500, 502, 504).
        case transient(answerLost: Bool)
        /// For the target to interpret (2xx, other 4xx, other statuses).
        case final
    }

    public static func classify(status: Int) -> StatusClass {
        switch status {
        case 401, 403: return .unauthorized
        case 429: return .throttled
        case 300..<400: return .redirect
        case 408, 503: return .transient(answerLost: false)
        case 500, 502, 504: return .transient(answerLost: true)
        default: return .final
        }
    }

    /// The wait before attempt `attempt + 1`: exponential backoff with full jitter,
    /// a random time between 0 and min(cap, base × 2^(attempt-1)).
    public func backoff(after attempt: Int, random: Double = Double.random(in: 0..<1)) -> Double {
        random * min(cap, base * pow(2, Double(max(attempt - 1, 0))))
    }

    /// Seconds a 429 asks to wait: `Retry-After` (seconds or HTTP-date), else the target's
    /// own header (Sendoso's `X-Rate-Limit-Reset`); capped at `maxRetryAfter`. Nil when no
    /// header says.
    public func retryDelay(
        headers: HTTPHeaders, target: (any Target)? = nil, now: Date = Date()
    ) -> Double? {
        var seconds: Double?
        if let value = headers["retry-after"] {
            if let number = Double(value), number >= 0 {
                seconds = number
            } else if let date = Self.httpDate(value) {
                seconds = max(0, date.timeIntervalSince(now))
            }
        }
        if seconds == nil {
            seconds = target?.rateLimitWait(headers, now: now.timeIntervalSince1970)
        }
        return seconds.map { min($0, maxRetryAfter) }
    }

    /// Parses an HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in [
            "EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz",
            "EEE MMM d HH:mm:ss yyyy",
        ] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
