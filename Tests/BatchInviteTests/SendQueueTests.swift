import BatchInvite
import Foundation
import Synchronization
import Testing

/// The journal's send queue, the way from the pipeline to the dispatcher: what it writes
/// in the journal file as rows are admitted, taken and left, read back as a later run
/// would.
@Suite struct SendQueueTests {
    let header = JournalHeader(
        target: "sendoso", baseURL: "https://app.sendoso.com", path: "/api/v3/users",
        input: "people.csv", fingerprint: InputFingerprint(size: 1234, hash: 0xABCDEF))

    func row(_ number: Int) -> CheckedRow {
        CheckedRow(
            row: number, line: number + 1, key: "p\(number)@x.io", status: .valid, message: "")
    }

    /// A journal in `scratch` and its send queue.
    func open(in scratch: ScratchDirectory) throws -> (Journal, SendQueue) {
        let journal = try Journal(
            path: scratch.url.appendingPathComponent("q.journal").path, header: header)
        return (journal, SendQueue(journal: journal, capacity: 8))
    }

    /// The `count` rows `queue` hands out.
    func take(_ count: Int, from queue: SendQueue) throws -> [Int] {
        var rows: [CheckedRow] = []
        try queue.take(count, into: &rows)
        return rows.map(\.row)
    }

    /// Waits until `count` admitted rows are on disk.
    func waitForDurable(_ queue: SendQueue, _ count: Int) throws {
        let deadline = Date(timeIntervalSinceNow: 10)
        while try queue.durableCount() < count {
            guard Date() < deadline else { throw BatchInviteError.io("not durable in 10 s") }
            usleep(1000)
        }
    }

    @Test func onlyRowsTakenAreMarkedAndOnlyTheyAreInDoubtAfterACrash() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("q.journal").path
        let journal = try Journal(path: path, header: header)
        #expect(journal.logsAhead)
        let queue = SendQueue(journal: journal, capacity: 8)
        for number in 1...5 { #expect(queue.submit(row(number))) }
        let (admitted, ended) = queue.admit(max: 4)
        #expect(admitted == 4 && !ended)
        try waitForDurable(queue, 4)
        // The oldest first; row 5 was queued, not admitted.
        #expect(try take(2, from: queue) == [1, 2])
        queue.append(
            OutcomeRecord(row: 1, line: 2, key: "p1@x.io", status: .invited), marks: OutcomeMarks())
        try journal.close()
        // As a run killed now leaves it, read on the same boot: row 2 went out without an
        // answer; rows 3 and 4 were written down but never taken, row 5 never written.
        let summary = try JournalSummary(path: path, checkHolder: false)
        #expect(summary.inDoubt == [2])
        #expect(summary.counts == [.invited: 1, .inDoubt: 1])
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written.contains("\"type\":\"sent\",\"row\":2,"))
        #expect(!written.contains("\"type\":\"sent\",\"row\":3,"))
        #expect(!written.contains("\"row\":5,"))
    }

    @Test func aRowIsNotTakenBeforeItsDispatchRecordIsOnDisk() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("d.journal").path
        let journal = try Journal(path: path, header: header)
        let queue = SendQueue(journal: journal, capacity: 8)
        _ = queue.submit(row(1))
        _ = queue.admit(max: 1)
        try waitForDurable(queue, 1)
        // On disk means in the file, dispatch record whole, before the row is handed out.
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written.contains("\"type\":\"dispatch\",\"row\":1,"))
        #expect(try take(1, from: queue) == [1])
        try journal.close()
    }

    @Test func whatWasNotTakenComesBackAfterAStopAndTheEndIsSaid() throws {
        let scratch = try ScratchDirectory()
        let (journal, queue) = try open(in: scratch)
        for number in 1...6 { _ = queue.submit(row(number)) }
        _ = queue.admit(max: 3)
        try waitForDurable(queue, 3)
        _ = try take(1, from: queue)
        queue.closeInput()
        #expect(!queue.submit(row(7)))
        let (rows, ended) = queue.takeUnsent()
        #expect(rows.map(\.row) == [2, 3, 4, 5, 6] && ended)
        #expect(queue.admit(max: 4) == (0, true))
        try journal.close()
    }

    @Test func aRowSubmittedWhileTheDispatcherWaitsWakesIt() throws {
        let scratch = try ScratchDirectory()
        let (journal, queue) = try open(in: scratch)
        let wakes = Atomic<Int>(0)
        queue.whenReady { wakes.add(1, ordering: .relaxed) }
        // Nothing to admit: the dispatcher waits, and the next row wakes it (once).
        #expect(queue.admit(max: 2) == (0, false))
        let before = wakes.load(ordering: .relaxed)
        _ = queue.submit(row(1))
        #expect(wakes.load(ordering: .relaxed) == before + 1)
        _ = queue.submit(row(2))
        #expect(wakes.load(ordering: .relaxed) == before + 1)
        try journal.close()
    }
}
