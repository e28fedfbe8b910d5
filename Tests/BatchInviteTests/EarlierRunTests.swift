import Testing

@testable import BatchInvite

@Suite struct EarlierRunTests {
    func earlier(_ latest: [RowStatus?], transient: Set<Int> = [], inDoubt: Set<Int> = [])
        -> EarlierRun
    {
        EarlierRun(
            offsets: latest.map { $0 == nil ? -1 : 0 }, latest: latest,
            transientFailures: transient, inDoubtRows: inDoubt, inputRows: latest.count,
            inputBlankRecords: 0)
    }

    @Test func finishedRowsStayFinishedAndTheRestAreHandledAgain() {
        let run = earlier([.invited, .failed, .failed, .notSent, .invalid, .inDoubt, nil])
        let settled = (1...7).map { run.finalStatus(of: $0, retryFailed: false) }
        #expect(settled == [.invited, .failed, .failed, nil, .invalid, .inDoubt, nil])
    }

    @Test func retryFailedReopensOnlyTransientFailures() {
        let run = earlier([.failed, .failed], transient: [2])
        #expect(run.finalStatus(of: 1, retryFailed: true) == .failed)
        #expect(run.finalStatus(of: 2, retryFailed: true) == nil)
        #expect(run.finalStatus(of: 2, retryFailed: false) == .failed)
    }

    @Test func aRowDispatchedAgainAfterItsOutcomeIsNotSettled() {
        // A --retry-failed run died sending row 1: whatever the flags now, it is in doubt.
        let run = earlier([.failed, .invited], transient: [1], inDoubt: [1])
        #expect(run.finalStatus(of: 1, retryFailed: false) == nil)
        #expect(run.finalStatus(of: 2, retryFailed: false) == .invited)
    }
}
