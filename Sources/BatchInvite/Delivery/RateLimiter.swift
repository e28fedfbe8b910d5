import Foundation

/// The sending rate of a run: a `TokenBucket` (no one-second window sees more than
/// rate + burst requests), a pause that holds every request back after a 429 with
/// `Retry-After`, and AIMD for 429s without it: the rate is halved (at most once a second)
/// and grows back by one request per second for every second of successes, so a rate the
/// server cannot take converges on one it can.
///
/// Safe for concurrent use.
public final class RateLimiter: @unchecked Sendable {
    // Safe to share: every stored `var` is only touched with `lock` held.
    private let lock = NSLock()
    private var bucket: TokenBucket
    private let ceiling: Double
    private var pausedUntil = 0.0
    private var lastDecrease = -Double.infinity
    private var recentSends: [Double] = []
    private let clock: @Sendable () -> Double

    /// `rate` requests per second (0 or infinity: no limit), `burst` at once.
    public init(rate: Double, burst: Int, clock: @escaping @Sendable () -> Double = Clock.monotonic)
    {
        let limit = rate > 0 ? rate : .infinity
        ceiling = limit
        bucket = TokenBucket(rate: limit, burst: burst)
        self.clock = clock
    }

    /// The rate in force now (requests per second; infinity when unlimited).
    public var currentRate: Double {
        lock.lock()
        defer { lock.unlock() }
        return bucket.rate
    }

    /// The rate in force now, a `Retry-After` pause included (0 while it lasts).
    public var rateInForce: Double {
        lock.lock()
        defer { lock.unlock() }
        return pausedUntil > clock() ? 0 : bucket.rate
    }

    /// Takes permission to send one request now if there is any: returns 0 when taken,
    /// else the seconds until there may be (nothing is taken). Never waits.
    public func reserve() -> Double {
        lock.lock()
        defer { lock.unlock() }
        let now = clock()
        let paused = pausedUntil - now
        if paused > 0 { return paused }
        let wait = bucket.take(now: now)
        if wait == 0 {
            recentSends.append(now)
            if recentSends.count > 4096 { recentSends.removeFirst(2048) }
        }
        return wait
    }

    /// Holds every request back for `seconds` (a 429's `Retry-After`).
    public func pause(for seconds: Double) {
        lock.lock()
        pausedUntil = max(pausedUntil, clock() + seconds)
        lock.unlock()
    }

    /// A 429 came without `Retry-After`: halve the rate (at most once a second). With no
    /// limit set, the rate seen over the last second is halved.
    public func slowDown() {
        lock.lock()
        defer { lock.unlock() }
        let now = clock()
        guard now - lastDecrease >= 1 else { return }
        lastDecrease = now
        var rate = bucket.rate
        if rate.isInfinite {
            rate = Double(max(recentSends.filter { $0 > now - 1 }.count, 2))
        }
        bucket.setRate(max(rate / 2, 0.5), now: now)
    }

    /// A request succeeded: grow the rate back toward the one configured (one request per
    /// second more for each second's worth of successes).
    public func succeeded() {
        lock.lock()
        defer { lock.unlock() }
        let rate = bucket.rate
        guard rate < ceiling else { return }
        let grown = rate + 1 / max(rate, 1)
        bucket.setRate(grown >= ceiling ? ceiling : grown, now: clock())
    }
}
