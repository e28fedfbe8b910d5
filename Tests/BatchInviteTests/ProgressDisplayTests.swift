import Testing

@testable import BatchInvite

/// The progress line's ETA is paced by this run's own rows (issue 26, item 6).
@Suite struct ProgressDisplayTests {
    func snapshot(rows: Int, earlier: Int, elapsed: Double) -> RunStatistics.Snapshot {
        var snapshot = RunStatistics.Snapshot(
            counts: [.invited: rows], requests: rows - earlier, retries: 0, throttled: 0,
            elapsed: elapsed)
        snapshot.earlierRows = earlier
        snapshot.earlierInvited = earlier
        return snapshot
    }

    @Test func aResumedRunsETAIsPacedByItsOwnRowsOnly() throws {
        // 1,000 rows; an earlier run settled 700; this one settled 60 in 6 s (10 rows/s):
        // 240 left take 24 s, not the 1.9 s that counting the 700 in this run's time gives.
        let seconds = try #require(
            ProgressDisplay.remaining(snapshot(rows: 760, earlier: 700, elapsed: 6), total: 1000))
        #expect(abs(seconds - 24) < 1e-9)
    }

    @Test func aFreshRunsETAIsTheRestAtItsPace() throws {
        let seconds = try #require(
            ProgressDisplay.remaining(snapshot(rows: 250, earlier: 0, elapsed: 5), total: 1000))
        #expect(abs(seconds - 15) < 1e-9)
    }

    @Test func noETABeforeThisRunSettlesARowNorAfterTheLast() {
        #expect(
            ProgressDisplay.remaining(snapshot(rows: 700, earlier: 700, elapsed: 3), total: 1000)
                == nil)
        #expect(
            ProgressDisplay.remaining(snapshot(rows: 1000, earlier: 0, elapsed: 9), total: 1000)
                == nil)
    }
}
