import Foundation

/// The sending rate of a run: a `TokenBucket` (no one-second window sees more than
/// rate + burst requests), a pause that holds every request back after a 429 with
/// `Retry-After`, and an `AdaptiveRate` that finds the rate the API takes: a 429 cuts the
/// rate of the whole run (not just of the request that met it) to a little under what
/// the API took, and it climbs back along CUBIC's curve, never above the rate asked for.
/// With no limit asked for, requests go as fast as the concurrency allows until the
/// first 429.
///
/// Safe for concurrent use.
public final class RateLimiter: @unchecked Sendable {
    // Safe to share: every stored `var` is only touched with `lock` held.
    private let lock = NSLock()
    private var bucket: TokenBucket
    private var adaptive: AdaptiveRate
    private var pausedUntil = -Double.infinity
    /// The rate and burst asked for.
    private let ceiling: Double
    private let burst: Int
    private let clock: @Sendable () -> Double

    /// `rate` requests per second (0 or infinity: no limit), `burst` at once.
    public init(
        rate: Double, burst: Int, adaptive configuration: AdaptiveRate.Configuration = .init(),
        clock: @escaping @Sendable () -> Double = Clock.monotonic
    ) {
        let limit = rate > 0 ? rate : .infinity
        ceiling = limit
        self.burst = max(burst, 1)
        bucket = TokenBucket(rate: limit, burst: burst)
        adaptive = AdaptiveRate(ceiling: limit, configuration: configuration)
        self.clock = clock
    }

    /// The limiter's clock now: what `throttled` and `admitted` take as a request's
    /// sending time.
    public var now: Double { clock() }

    /// The rate in force now (requests per second; infinity when unlimited).
    public var currentRate: Double {
        lock.lock()
        defer { lock.unlock() }
        return adaptive.rate(now: clock())
    }

    /// The rate in force now, a `Retry-After` pause included (0 while it lasts).
    public var rateInForce: Double {
        lock.lock()
        defer { lock.unlock() }
        let now = clock()
        return pausedUntil > now ? 0 : adaptive.rate(now: now)
    }

    /// Takes permission to send one request now if there is any: returns 0 when taken,
    /// else the seconds until there may be (nothing is taken). Never waits.
    public func reserve() -> Double {
        lock.lock()
        defer { lock.unlock() }
        let now = clock()
        let paused = pausedUntil - now
        if paused > 0 { return paused }
        let rate = adaptive.rate(now: now)
        if rate != bucket.rate { bucket.setRate(rate, burst: burst(at: rate), now: now) }
        let wait = bucket.take(now: now)
        if wait == 0 { adaptive.sent(at: now) }
        return wait
    }

    /// The request sent at `sentAt` (`now` then) got a 429: every request waits out
    /// `retryAfter` seconds when the API said how long, and the rate is cut (once for all
    /// the requests that were under way together).
    public func throttled(sentAt: Double, retryAfter: Double?) {
        lock.lock()
        defer { lock.unlock() }
        let now = clock()
        if let retryAfter { pausedUntil = max(pausedUntil, now + retryAfter) }
        adaptive.throttled(sentAt: sentAt, now: now, pause: max(pausedUntil - now, 0))
    }

    /// The bucket's burst at `rate`: the one asked for at the ceiling; below it, enough for
    /// 50 ms of requests, so that a timer that fires late costs no request (at 100/s a
    /// millisecond late each time would lose a tenth of them), as long as no one-second
    /// window sees more than the ceiling plus the burst asked for.
    private func burst(at rate: Double) -> Int {
        guard rate < ceiling else { return burst }
        let slack = Int((rate * 0.05).rounded(.down))
        let room = ceiling.isInfinite ? slack : Int((ceiling + Double(burst) - rate).rounded(.down))
        return max(burst, min(slack, room))
    }

    /// The request sent at `sentAt` got an answer other than 429.
    public func admitted(sentAt: Double) {
        lock.lock()
        adaptive.admitted(sentAt: sentAt)
        lock.unlock()
    }
}
