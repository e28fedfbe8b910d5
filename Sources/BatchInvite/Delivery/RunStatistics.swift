import Foundation

/// Counters of a run, updated by the dispatcher and the thread feeding it: statuses,
/// requests, retries, 429s.
/// Safe for concurrent use.
public final class RunStatistics: @unchecked Sendable {
    // Safe to share: `counts` and the counters are only touched with `lock` held.
    private let lock = NSLock()
    private var counts: [RowStatus: Int] = [:]
    private var requestCount = 0
    private var retryCount = 0
    private var throttledCount = 0
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

    public func throttled() {
        lock.lock()
        throttledCount += 1
        lock.unlock()
    }

    /// A consistent copy of the counters.
    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return Snapshot(
            counts: counts, requests: requestCount, retries: retryCount, throttled: throttledCount,
            elapsed: Clock.monotonic() - started, earlierInvited: earlierInvited,
            earlierFailed: earlierFailed, earlierRows: earlierRows,
            resentInDoubt: resentInDoubtCount, peakRate: Double(max(peakInSecond, inSecond)))
    }

    public struct Snapshot: Sendable {
        public var counts: [RowStatus: Int]
        public var requests: Int
        public var retries: Int
        public var throttled: Int
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

        public subscript(status: RowStatus) -> Int { counts[status] ?? 0 }

        /// Rows whose fate is known.
        public var rows: Int { counts.values.reduce(0, +) }

        /// Invitations per second made by this run so far.
        public var rate: Double {
            elapsed > 0 ? Double(self[.invited] - earlierInvited) / elapsed : 0
        }
    }
}
