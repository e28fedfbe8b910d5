/// A run's history as its journal records it: each run that opened the journal (the first,
/// then each resume), and, second by second, the invitations made, the requests sent, the
/// retries among them, the 429 answers, the rows failed, and the rate limit in force (which
/// falls when the API answers 429 and climbs back). Each second is what the run's counters
/// (`RunStatistics`) moved by in it. The HTML report draws it.
public struct RunTimeline: Sendable, Equatable {
    /// One second of a run (only seconds in which something happened are recorded).
    public struct Second: Sendable, Equatable {
        /// The second's end, in milliseconds since 1970.
        public var at: Int64
        public var invited = 0
        public var requests = 0
        public var retries = 0
        public var throttled = 0
        public var failed = 0
        /// Requests per second allowed at the second's end; nil for no limit.
        public var rate: Double?

        public init(
            at: Int64, invited: Int = 0, requests: Int = 0, retries: Int = 0, throttled: Int = 0,
            failed: Int = 0, rate: Double? = nil
        ) {
            self.at = at
            self.invited = invited
            self.requests = requests
            self.retries = retries
            self.throttled = throttled
            self.failed = failed
            self.rate = rate
        }

        /// The second ending `at` in which the run's counters went from `before` to `after`
        /// (rows an earlier run settled left out), with `rate` in force at its end.
        public init(
            at: Int64, from before: RunStatistics.Snapshot, to after: RunStatistics.Snapshot,
            rate: Double?
        ) {
            self.init(
                at: at, invited: after.invitedThisRun - before.invitedThisRun,
                requests: after.requests - before.requests,
                retries: after.retries - before.retries,
                throttled: after.throttled - before.throttled,
                failed: after.failedThisRun - before.failedThisRun, rate: rate)
        }

        /// Whether nothing was counted in the second.
        public var isQuiet: Bool {
            invited == 0 && requests == 0 && retries == 0 && throttled == 0 && failed == 0
        }
    }

    /// A run opening the journal.
    public struct Start: Sendable, Equatable {
        /// Milliseconds since 1970.
        public var at: Int64
        /// Rows earlier runs had settled for good.
        public var done: Int

        public init(at: Int64, done: Int) {
            self.at = at
            self.done = done
        }
    }

    public var starts: [Start] = []
    public var seconds: [Second] = []

    public init(starts: [Start] = [], seconds: [Second] = []) {
        self.starts = starts
        self.seconds = seconds
    }

    /// The run's counters as the seconds add them up, over `elapsed` seconds, with the rows
    /// by status (`counts`), which seconds do not hold: the rate is that of the invitations
    /// the seconds show, the peak their busiest second.
    public func statistics(counts: [RowStatus: Int], elapsed: Double) -> RunStatistics.Snapshot {
        func total(_ counter: (Second) -> Int) -> Int { seconds.reduce(0) { $0 + counter($1) } }
        var statistics = RunStatistics.Snapshot(
            counts: counts, requests: total(\.requests), retries: total(\.retries),
            throttled: total(\.throttled), elapsed: elapsed)
        // Invitations no second shows are not the timeline's work: left out of its rate.
        statistics.earlierInvited = statistics[.invited] - total(\.invited)
        statistics.peakRate = Double(seconds.map(\.invited).max() ?? 0)
        return statistics
    }
}
