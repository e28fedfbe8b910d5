import Foundation

/// The counters of a run, updated by the dispatcher and the thread feeding it: rows by
/// status, requests, retries, 429s. Everything that counts a run reads them, as a
/// `Snapshot`: the summary line, the JSON summary and the metrics (`JobSummary`), the
/// progress line, the HTML page and the journal's timeline (`RunTimeline.Second`, what they
/// moved by in a second). Safe for concurrent use.
public final class RunStatistics: @unchecked Sendable {
    // Safe to share: `counts` and the counters are only touched with `lock` held.
    private let lock = NSLock()
    private var counts: [RowStatus: Int] = [:]
    private var requestCount = 0
    private var retryCount = 0
    private var throttledCount = 0
    private var otherRateLimitCount = 0
    private var earlierInvited = 0
    private var earlierFailed = 0
    private var earlierRows = 0
    private var resentInDoubtCount = 0
    /// Invitations made in the current whole second of the run, and the most in any.
    private var second = 0
    private var inSecond = 0
    private var peakInSecond = 0
    public let started = Clock.monotonic()

    public init() {}

    /// Counts `times` rows ending in `status`; `fromEarlierRun` for rows an earlier run
    /// on the same journal finished (they count, but not towards this run's rate).
    public func count(_ status: RowStatus, times: Int = 1, fromEarlierRun: Bool = false) {
        lock.lock()
        counts[status, default: 0] += times
        if fromEarlierRun { earlierRows += times }
        if fromEarlierRun && status == .invited { earlierInvited += times }
        if fromEarlierRun && status == .failed { earlierFailed += times }
        if !fromEarlierRun && status == .invited {
            let now = Int(Clock.monotonic() - started)
            if now != second {
                peakInSecond = max(peakInSecond, inSecond)
                second = now
                inSecond = 0
            }
            inSecond += times
        }
        lock.unlock()
    }

    /// A row an earlier run left in doubt is sent again.
    public func resentInDoubt() {
        lock.lock()
        resentInDoubtCount += 1
        lock.unlock()
    }

    public func request() {
        lock.lock()
        requestCount += 1
        lock.unlock()
    }

    public func retry() {
        lock.lock()
        retryCount += 1
        lock.unlock()
    }

    /// An answer that was a rate limit: a 429, or a status of the API's own that its
    /// header says is one (GitHub's 403 with `x-ratelimit-remaining: 0`).
    public func throttled(status: Int = 429) {
        lock.lock()
        throttledCount += 1
        if status != 429 { otherRateLimitCount += 1 }
        lock.unlock()
    }

    /// A consistent copy of the counters.
    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        var snapshot = Snapshot(
            counts: counts, requests: requestCount, retries: retryCount, throttled: throttledCount,
            elapsed: Clock.monotonic() - started)
        snapshot.earlierInvited = earlierInvited
        snapshot.earlierFailed = earlierFailed
        snapshot.earlierRows = earlierRows
        snapshot.resentInDoubt = resentInDoubtCount
        snapshot.otherRateLimits = otherRateLimitCount
        snapshot.peakRate = Double(max(peakInSecond, inSecond))
        return snapshot
    }

    /// The counters at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Rows by status.
        public var counts: [RowStatus: Int]
        /// HTTP requests sent (retries included).
        public var requests: Int
        /// Requests that were a row's second or later attempt.
        public var retries: Int
        /// Answers that were a rate limit: HTTP 429s and `otherRateLimits`.
        public var throttled: Int
        /// Of `throttled`, the answers of another status than 429 that the API's header
        /// made a rate limit.
        public var otherRateLimits = 0
        /// The answers that were HTTP 429.
        public var http429: Int { throttled - otherRateLimits }
        /// Seconds since the run began counting.
        public var elapsed: Double
        /// Rows of `counts[.invited]` an earlier run invited.
        public var earlierInvited = 0
        /// Rows of `counts[.failed]` an earlier run failed.
        public var earlierFailed = 0
        /// Rows of `counts` an earlier run settled (a resumed run's; not this run's work).
        public var earlierRows = 0
        /// Rows an earlier run left in doubt that this run sent again.
        public var resentInDoubt = 0
        /// The most invitations made in one whole second of the run (counted from its start).
        public var peakRate = 0.0

        /// Counters with these values, the others 0.
        public init(
            counts: [RowStatus: Int] = [:], requests: Int = 0, retries: Int = 0,
            throttled: Int = 0, elapsed: Double = 0
        ) {
            self.counts = counts
            self.requests = requests
            self.retries = retries
            self.throttled = throttled
            self.elapsed = elapsed
        }

        public subscript(status: RowStatus) -> Int { counts[status] ?? 0 }

        /// Rows whose fate is known.
        public var rows: Int { counts.values.reduce(0, +) }

        /// Invitations made by this run (not by an earlier one on the same journal).
        public var invitedThisRun: Int { self[.invited] - earlierInvited }

        /// Rows failed in this run (not in an earlier one on the same journal).
        public var failedThisRun: Int { self[.failed] - earlierFailed }

        /// Invitations per second made by this run so far.
        public var rate: Double {
            elapsed > 0 ? Double(invitedThisRun) / elapsed : 0
        }
    }
}
