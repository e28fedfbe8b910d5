import Foundation

/// The sending rate the API is found to take, never above the `ceiling` the user set
/// (`--rate`; infinity for no limit), learnt from its 429s the way AWS SDKs' adaptive
/// retry mode and TCP CUBIC do:
///
/// - Until the first 429 the rate is the ceiling (with no ceiling, no limit at all: a
///   server that never says 429 is never slowed down).
/// - A 429 for a request sent after the last cut cuts the rate once: 429s for requests
///   that were already under way at the cut do not cut it again. The cut takes effect
///   when the 429's pause (its `Retry-After`, passed in) ends, by then the answers to the
///   requests sent before it are in: the rate becomes `beta` times what the API took, or
///   times the rate in force if that is lower. What the API took is the requests it
///   answered without a 429 among those sent since the 429 of the last cut (or since the
///   first request), at most `window` seconds back, per second of that stretch, its pause
///   included, and over at least 1 s: an API that refused at both ends of the stretch
///   had no allowance left at either, so what it took in between is its rate. It is
///   remembered as the *plateau*.
/// - From the cut on the rate follows CUBIC's curve: it climbs back quickly at first,
///   flattens out as it nears the plateau, `K` seconds after the cut, then probes above
///   it ever faster: `rate(t) = plateau × (1 + growth × (t - K)³)`, where
///   `K = ∛((1 - beta) / growth)`.
/// - A 429 below the plateau (the API takes less than it did) lowers the plateau further,
///   to halfway between the new rate and the cut one (CUBIC's fast convergence).
///
/// Time is passed in (seconds, any fixed origin), so tests need no sleeping. A value type:
/// not safe for concurrent use on its own (`RateLimiter` wraps it in a lock).
public struct AdaptiveRate: Sendable {
    /// How hard the rate is cut and how fast it grows back.
    public struct Configuration: Sendable {
        /// The rate after a cut, as a share of what the API took. Default 0.9.
        public var beta = 0.9
        /// CUBIC's scale: how fast the curve moves away from the plateau, in shares of it
        /// per second cubed. Default 0.001 (back at the plateau 4.6 s after a cut, 5%
        /// above it 3.7 s later, 20% above it 5.8 s later, twice as high 10 s later).
        public var growth = 0.001
        /// The longest stretch of sending measured at a 429, in seconds (at most 12.8).
        /// Default 12.
        public var window = 12.0
        /// The lowest rate a cut leaves, in requests per second. Default 0.5.
        public var floor = 0.5

        public init() {}
    }

    /// The most requests per second ever allowed; infinity for no limit.
    public let ceiling: Double
    public let configuration: Configuration
    /// What the API took at the last cut; nil until a 429 cut the rate.
    public private(set) var plateau: Double?
    /// When the curve started (the end of the last cut's pause).
    private var epoch = 0.0
    /// Seconds from `epoch` until the curve is back at the plateau.
    private var k = 0.0
    /// When the last cut was decided (a 429 for a request sent before then cuts nothing).
    private var lastCut = -Double.infinity
    /// When sending started, or the last 429 that cut the rate came (the start of the
    /// measured stretch).
    private var stretchStart: Double?
    /// A cut decided and waiting for its pause to end: when the 429 came, when the pause
    /// ends, and the rate in force then.
    private var pending: (at: Double, until: Double, rate: Double)?
    private var history = SendHistory()

    /// `ceiling` requests per second at most (0 or infinity: no limit).
    public init(ceiling: Double, configuration: Configuration = Configuration()) {
        self.ceiling = ceiling > 0 ? ceiling : .infinity
        self.configuration = configuration
    }

    /// The rate allowed at `now` (requests per second; infinity when there is no limit).
    public mutating func rate(now: Double) -> Double {
        settle(now: now)
        guard let plateau else { return ceiling }
        let t = max(0, now - epoch) - k
        let curve = plateau * (1 + configuration.growth * t * t * t)
        return min(ceiling, max(curve, configuration.floor))
    }

    /// A request went out at `now`.
    public mutating func sent(at now: Double) {
        if stretchStart == nil { stretchStart = now }
        history.add(sentAt: now, admitted: false)
    }

    /// The request sent at `sentAt` got an answer other than 429: the API took it.
    public mutating func admitted(sentAt: Double) {
        history.add(sentAt: sentAt, admitted: true)
    }

    /// The request sent at `sentAt` got a 429 at `now`, with a pause of `pause` seconds
    /// (its `Retry-After`; 0 without one) for every request. Returns whether it cuts the
    /// rate (false for a request that was under way at the last cut).
    @discardableResult
    public mutating func throttled(sentAt: Double, now: Double, pause: Double) -> Bool {
        settle(now: now)
        guard sentAt >= lastCut else { return false }
        let inForce = rate(now: now)
        lastCut = now
        pending = (now, now + max(pause, 0), inForce)
        settle(now: now)
        return true
    }

    /// Applies a pending cut once its pause is over.
    private mutating func settle(now: Double) {
        guard let cut = pending, now >= cut.until else { return }
        pending = nil
        let start = max(cut.at - configuration.window, stretchStart ?? cut.at)
        let span = max(1, cut.at - start)
        let counted = history.count(from: cut.at - span, to: cut.at)
        // Nothing answered in the stretch: what went out is the best guess there is.
        let took = Double(counted.admitted > 0 ? counted.admitted : counted.sent) / span
        let base = max(min(cut.rate, took), configuration.floor)
        let beta = configuration.beta
        if let plateau, base < plateau {
            self.plateau = base * (1 + beta) / 2
        } else {
            plateau = base
        }
        let lowered = base * beta
        let top = plateau ?? base
        k = top > lowered ? cbrt((1 - lowered / top) / configuration.growth) : 0
        epoch = now
        stretchStart = cut.at
    }
}

/// How many requests went out, and how many of them the API took, per tenth of a second
/// of their sending, over the last 12.8 seconds: what `AdaptiveRate` measures at a 429.
private struct SendHistory {
    private static let slots = 128
    private static let perSecond = 10.0
    private var tenth = [Int](repeating: .min, count: slots)
    private var sent = [Int](repeating: 0, count: slots)
    private var admitted = [Int](repeating: 0, count: slots)

    mutating func add(sentAt: Double, admitted isAdmitted: Bool) {
        guard sentAt.isFinite else { return }
        let slot = Int((sentAt * Self.perSecond).rounded(.down))
        let index = ((slot % Self.slots) + Self.slots) % Self.slots
        if tenth[index] != slot {
            // Only a newer tenth takes a slot over: an answer to a request older than the
            // history is not counted.
            guard slot > tenth[index] else { return }
            tenth[index] = slot
            sent[index] = 0
            admitted[index] = 0
        }
        if isAdmitted { admitted[index] += 1 } else { sent[index] += 1 }
    }

    /// Requests sent, and taken, in the tenths from `start` to `end`.
    func count(from start: Double, to end: Double) -> (sent: Int, admitted: Int) {
        let first = Int((start * Self.perSecond).rounded(.down))
        let last = Int((end * Self.perSecond).rounded(.down))
        var total = (sent: 0, admitted: 0)
        for index in 0..<Self.slots where tenth[index] >= first && tenth[index] <= last {
            total.sent += sent[index]
            total.admitted += admitted[index]
        }
        return total
    }
}
