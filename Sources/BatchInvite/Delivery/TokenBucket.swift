/// A token bucket: it holds at most `burst` tokens, starts full, and gains `rate` tokens
/// per second. Each request takes one token; with none left, `take` says how long until
/// there will be one, and takes nothing.
///
/// Refill is computed from the time passed in, lazily (no timer), clamped to `burst`, and
/// safe against a clock going backwards; callers pass the time so that tests need no
/// sleeping. A value type: not safe for concurrent use on its own (wrap it in a lock or
/// an actor).
public struct TokenBucket: Sendable {
    /// Tokens added per second; `.infinity` means no limit.
    public private(set) var rate: Double
    /// The most tokens the bucket holds: how many requests may go at once after a pause.
    public private(set) var burst: Double
    private var tokens: Double
    private var last: Double?

    /// A full bucket. `rate` must be positive (or infinite); `burst` at least 1.
    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = Double(max(burst, 1))
        tokens = self.burst
    }

    /// Takes a token at time `now` (seconds, any fixed origin). Returns 0 when a token was
    /// taken, else the seconds to wait before one is available (nothing is taken).
    public mutating func take(now: Double) -> Double {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return 0
        }
        return rate.isInfinite ? 0 : (1 - tokens) / rate
    }

    /// Changes the rate (and the burst, when given) from `now` on, keeping the tokens
    /// earned so far, at most the new burst.
    public mutating func setRate(_ newRate: Double, burst newBurst: Int? = nil, now: Double) {
        refill(now: now)
        rate = newRate
        if let newBurst {
            burst = Double(max(newBurst, 1))
            tokens = min(tokens, burst)
        }
    }

    private mutating func refill(now: Double) {
        defer { last = max(last ?? now, now) }
        guard let last, now > last else { return }
        tokens = rate.isInfinite ? burst : min(burst, tokens + (now - last) * rate)
    }
}
