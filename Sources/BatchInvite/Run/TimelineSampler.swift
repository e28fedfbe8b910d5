import Foundation

/// Writes the run's `second` records (`RunTimeline`): once a second, what the run's counters
/// moved by since the last one (invitations, requests, retries, 429s, failures of this run)
/// and the rate limit in force, appended to the journal; seconds in which nothing happened
/// are left out. A thread of its own, stopped before the journal closes.
final class TimelineSampler: @unchecked Sendable {
    // Safe to share: `stopped`, `seconds`, `last` and `lastRate` are only touched with
    // `condition` locked (the sampling thread holds it while it samples).
    private let statistics: RunStatistics
    private let limiter: RateLimiter
    private let journal: Journal
    private let condition = NSCondition()
    private var stopped = false
    private var seconds: [RunTimeline.Second] = []
    /// The counters and the rate limit at the last sample.
    private var last = RunStatistics.Snapshot()
    private var lastRate: Double?
    private let ended = DispatchSemaphore(value: 0)

    init(statistics: RunStatistics, limiter: RateLimiter, journal: Journal) {
        self.statistics = statistics
        self.limiter = limiter
        self.journal = journal
        lastRate = Self.rate(limiter)
    }

    func start() {
        // The thread lets go of the sampler (and the journal it holds) before it says it
        // ended.
        let ended = self.ended
        let thread = Thread { [weak self] in
            self?.loop()
            ended.signal()
        }
        thread.name = "timeline"
        thread.start()
    }

    /// Takes the last sample and stops; returns every second recorded.
    func stop() -> [RunTimeline.Second] {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        ended.wait()
        condition.lock()
        defer { condition.unlock() }
        return seconds
    }

    private func loop() {
        condition.lock()
        var deadline = Date(timeIntervalSinceNow: 1)
        while !stopped {
            // Woken before the deadline: stopped, or for nothing; the loop looks again.
            if condition.wait(until: deadline) { continue }
            deadline = deadline.addingTimeInterval(1)
            sample()
        }
        sample()
        condition.unlock()
    }

    private static func rate(_ limiter: RateLimiter) -> Double? {
        let rate = limiter.rateInForce
        return rate.isFinite ? rate : nil
    }

    /// Records the second that ends now, if anything changed in it.
    private func sample() {
        let now = statistics.snapshot
        let second = RunTimeline.Second(
            at: Clock.wallMilliseconds(), from: last, to: now, rate: Self.rate(limiter))
        let quiet = second.isQuiet && second.rate == lastRate
        last = now
        lastRate = second.rate
        guard !quiet else { return }
        seconds.append(second)
        journal.append(second: second)
    }
}
