import BatchInvite
import Foundation
import Testing

/// A dispatch log whose records become durable a moment after they are appended, as the
/// journal's group commit makes them; it notes what happened in `events` and hands the
/// outcomes to `outcomes`.
final class FakeLog: DispatchLog, @unchecked Sendable {
    // Safe to share: everything is only touched with `lock` held.
    private let lock = NSCondition()
    private var queued: [CheckedRow] = []
    private var closed = false
    private var admitted: [(row: CheckedRow, position: Int64)] = []
    private var appended: Int64 = 0
    private var durable: Int64 = 0
    private var observers: [@Sendable () -> Void] = []
    private(set) var events: [String] = []
    let outcomes = Outcomes()
    var failing = false
    /// Whether rows may be logged ahead of free slots (`take` then marks them).
    var ahead = false
    /// Marking fails from its `failingMarksFrom`-th time on (from 1).
    var failingMarksFrom = Int.max
    private var marksCalls = 0

    var logsAhead: Bool { ahead }

    func submit(_ row: CheckedRow) -> Bool {
        lock.lock()
        while queued.count >= 8 && !closed { lock.wait() }
        guard !closed else {
            lock.unlock()
            return false
        }
        queued.append(row)
        let observers = self.observers
        lock.unlock()
        observers.forEach { $0() }
        return true
    }

    func closeInput() {
        lock.lock()
        closed = true
        lock.broadcast()
        let observers = self.observers
        lock.unlock()
        observers.forEach { $0() }
    }

    func admit(max: Int) -> (count: Int, inputEnded: Bool) {
        lock.lock()
        let rows = queued.prefix(max)
        queued.removeFirst(rows.count)
        lock.broadcast()
        for row in rows {
            appended += 1
            let position = appended
            admitted.append((row, position))
            events.append("logged \(row.row)")
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.002) { [self] in
                lock.lock()
                durable = Swift.max(durable, position)
                events.append("durable \(row.row)")
                let observers = self.observers
                lock.unlock()
                observers.forEach { $0() }
            }
        }
        let ended = closed && queued.isEmpty
        lock.unlock()
        return (rows.count, ended)
    }

    func pass() -> (rows: [CheckedRow], inputEnded: Bool) {
        lock.lock()
        defer { lock.unlock() }
        let rows = queued
        queued.removeAll()
        lock.broadcast()
        return (rows, closed && queued.isEmpty)
    }

    func durableCount() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        if failing { throw BatchInviteError.io("disk full") }
        return admitted.prefix { $0.position <= durable }.count
    }

    func take(_ count: Int, into taken: inout [CheckedRow]) throws {
        lock.lock()
        defer { lock.unlock() }
        let rows = admitted.prefix(count).map(\.row)
        if ahead {
            marksCalls += 1
            guard marksCalls < failingMarksFrom, !failing else {
                throw BatchInviteError.io("disk full")
            }
            for row in rows { events.append("marked \(row.row)") }
        }
        admitted.removeFirst(count)
        taken += rows
    }

    func takeUnsent() -> (rows: [CheckedRow], inputEnded: Bool) {
        lock.lock()
        defer { lock.unlock() }
        let rows = admitted.map(\.row) + queued
        admitted.removeAll()
        queued.removeAll()
        lock.broadcast()
        return (rows, closed)
    }

    func whenReady(_ observer: @escaping @Sendable () -> Void) {
        lock.lock()
        observers.append(observer)
        lock.unlock()
    }

    func append(_ record: OutcomeRecord, marks: OutcomeMarks) {
        outcomes.add(record)
        note("outcome \(record.row)")
    }

    func note(_ event: String) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }
}

/// A transport that answers from a script: `answer(row, attempt)` for each request, given
/// back at the next poll; it notes each start in the log's events.
final class FakeTransport: Transport, @unchecked Sendable {
    // Safe to share: used by the dispatcher's thread only, except `wakeup` (a no-op).
    let log: FakeLog
    let answer: (Int, Int) -> TransportResult
    private var started: [(Int, Int)] = []
    private var attempts: [Int: Int] = [:]
    private(set) var mostInFlight = 0
    private(set) var requests = 0
    /// The token `setToken` gave last, and the one each request carried.
    private(set) var token = ""
    private(set) var tokenOfRequest: [(row: Int, token: String)] = []
    /// Answers by row, attempt and the token the request carried, when set.
    var answerWithToken: ((_ row: Int, _ attempt: Int, _ token: String) -> TransportResult)?
    private var startedTokens: [String] = []

    init(log: FakeLog, answer: @escaping (_ row: Int, _ attempt: Int) -> TransportResult) {
        self.log = log
        self.answer = answer
    }

    func setToken(_ token: String) {
        self.token = token
    }

    func start(_ request: APIRequest, tag: Int) {
        let row = Int(String(decoding: request.body, as: UTF8.self)) ?? 0
        attempts[row, default: 0] += 1
        requests += 1
        log.note("sent \(row)")
        tokenOfRequest.append((row, token))
        startedTokens.append(token)
        started.append((tag, row))
        mostInFlight = max(mostInFlight, started.count)
    }

    func poll(timeout: Double, finished: (Int, TransportResult) -> Void) {
        guard !started.isEmpty else {
            Thread.sleep(forTimeInterval: min(timeout, 0.001))
            return
        }
        let (tag, row) = started.removeFirst()
        let token = startedTokens.removeFirst()
        log.note("answered \(row)")
        finished(
            tag,
            answerWithToken?(row, attempts[row] ?? 1, token) ?? answer(row, attempts[row] ?? 1))
    }

    func wakeup() {}
}

/// A target whose payload is the row number, so the fakes can tell rows apart.
struct NumberTarget: Target {
    let name = "numbers"
    let fields = [FieldSpec(name: "n", aliases: [])]
    let keyField = 0
    let defaultPath = "/n"
    let defaultRate = 10.0
    func rateLimitWait(_ headers: HTTPHeaders, now: Double) -> Double? { nil }
    func validate(_ values: RowValues, key: inout RowKey, problems: inout RowProblems) {}
    func payload(_ values: RowValues, path: String) -> [UInt8] { [] }
    func requestFrame(path: String) -> APIRequest {
        APIRequest(method: "POST", pathAndQuery: "", body: [], contentType: nil)
    }
    func interpret(status: Int, body: [UInt8]) -> Answer {
        status == 201
            ? .invited(message: "ok", invitationStatus: "", expiresAt: "") : .refused(message: "no")
    }
}

/// Runs `rows` rows through a dispatcher over the fakes; returns the outcomes by row.
func dispatch(
    rows: Int, concurrency: Int = 4, maxAttempts: Int = 5, log: FakeLog = FakeLog(),
    credentials: TokenKeeper? = nil,
    answer: @escaping (_ row: Int, _ attempt: Int) -> TransportResult = { _, _ in created },
    answerWithToken: ((_ row: Int, _ attempt: Int, _ token: String) -> TransportResult)? = nil
) -> (outcomes: [Int: OutcomeRecord], control: RunControl, transport: FakeTransport) {
    let transport = FakeTransport(log: log, answer: answer)
    transport.answerWithToken = answerWithToken
    if let credentials { transport.setToken(credentials.current.value) }
    let control = RunControl()
    var configuration = Dispatcher.Configuration()
    configuration.credentials = credentials
    configuration.concurrency = concurrency
    configuration.retry.base = 0.001
    configuration.retry.maxAttempts = maxAttempts
    let dispatcher = Dispatcher(
        target: NumberTarget(), transport: transport, limiter: RateLimiter(rate: 0, burst: 1),
        control: control, statistics: RunStatistics(), configuration: configuration, log: log)
    dispatcher.start()
    for number in 1...rows {
        var row = CheckedRow(
            row: number, line: number + 1, key: "k\(number)", status: .valid, message: "")
        row.payload = Array("/n\u{0}\(number)".utf8)
        // As the pipeline does: a row that comes after a stop is not handed on.
        if control.isStopped || !log.submit(row) {
            log.append(
                OutcomeRecord(
                    row: number, line: number + 1, key: row.key, status: .notSent,
                    message: control.notSentMessage), marks: OutcomeMarks())
        }
    }
    dispatcher.finishAll()
    return (log.outcomes.all, control, transport)
}

final class Outcomes: @unchecked Sendable {
    // Safe to share: `records` is only touched with `lock` held.
    private let lock = NSLock()
    private var records: [Int: OutcomeRecord] = [:]
    func add(_ record: OutcomeRecord) {
        lock.lock()
        records[record.row] = record
        lock.unlock()
    }
    var all: [Int: OutcomeRecord] {
        lock.lock()
        defer { lock.unlock() }
        return records
    }
}

let created = TransportResult.answered(HTTPAnswer(status: 201, body: []))

/// The most rows at any moment that were logged and had no answer yet, from `events`.
func mostRowsUnderWay(_ events: [String]) -> Int {
    var underWay = Set<String>()
    var most = 0
    for event in events {
        let parts = event.split(separator: " ")
        if parts[0] == "logged" { underWay.insert(String(parts[1])) }
        if parts[0] == "answered" { underWay.remove(String(parts[1])) }
        most = max(most, underWay.count)
    }
    return most
}

@Suite struct DispatcherTests {
    @Test func rowsAreLoggedAheadOfTheFreeSlotsAndMarkedBeforeTheyAreSent() {
        // Rows 5, 10, ... lose their first answer: their retry is not marked again.
        let lost = TransportResult.failed(
            TransportFailure(kind: .answerLost, cause: .connectionLost, detail: "reset"))
        let answer: (Int, Int) -> TransportResult = { row, attempt in
            row % 5 == 0 && attempt == 1 ? lost : created
        }
        let log = FakeLog()
        log.ahead = true
        let (outcomes, _, transport) = dispatch(rows: 60, concurrency: 4, log: log, answer: answer)
        #expect(outcomes.count == 60 && outcomes.values.allSatisfy { $0.status == .invited })
        #expect(transport.mostInFlight <= 4)
        let events = log.events
        for row in 1...60 {
            let durable = events.firstIndex(of: "durable \(row)")
            let marked = events.firstIndex(of: "marked \(row)")
            let sent = events.firstIndex(of: "sent \(row)")
            #expect(
                durable != nil && marked != nil && sent != nil && durable! < marked!
                    && marked! < sent!, "row \(row): \(events)")
            #expect(events.filter { $0 == "marked \(row)" }.count == 1)
        }
        #expect(events.filter { $0 == "sent 5" }.count == 2)
        // Up to twice the slots are logged at once; without logging ahead, the slots alone.
        #expect((5...8).contains(mostRowsUnderWay(events)), "\(events)")
        let strict = FakeLog()
        _ = dispatch(rows: 60, concurrency: 4, log: strict, answer: answer)
        #expect(mostRowsUnderWay(strict.events) <= 4)
        #expect(!strict.events.contains { $0.hasPrefix("marked") })
    }

    @Test func rowsWaitingToBeSentAgainCountAmongTheRowsUnderWay() {
        // Every first attempt gets a 503: rows wait out backoffs while others are logged
        // ahead. Rows sent and without an outcome (in doubt if the run died) never exceed
        // the concurrency, nor do requests in flight.
        let unavailable = TransportResult.answered(HTTPAnswer(status: 503, body: []))
        let log = FakeLog()
        log.ahead = true
        let (outcomes, _, transport) = dispatch(rows: 60, concurrency: 4, log: log) {
            row, attempt in
            row > 1 && attempt == 1 ? unavailable : created
        }
        #expect(outcomes.count == 60 && outcomes.values.allSatisfy { $0.status == .invited })
        #expect(transport.mostInFlight <= 4)
        var underWay = Set<Substring>()
        var most = 0
        for event in log.events {
            let parts = event.split(separator: " ")
            if parts[0] == "sent" { underWay.insert(parts[1]) }
            if parts[0] == "outcome" { underWay.remove(parts[1]) }
            most = max(most, underWay.count)
        }
        #expect(most == 4, "\(log.events)")
        #expect(mostRowsUnderWay(log.events) > 4)
    }

    @Test(arguments: [false, true])
    func nothingIsSentAgainOnceTheJournalFailed(ahead: Bool) {
        let unavailable = TransportResult.answered(HTTPAnswer(status: 503, body: []))
        let log = FakeLog()
        log.ahead = ahead
        let (outcomes, control, _) = dispatch(rows: 40, concurrency: 4, log: log) { row, attempt in
            if row == 6 {
                log.failing = true
                log.note("journal failed")
            }
            return row > 1 && attempt == 1 ? unavailable : created
        }
        #expect(outcomes.count == 40)
        guard case .localFailure? = control.stopReason else {
            Issue.record("stopped by \(String(describing: control.stopReason))")
            return
        }
        let events = log.events
        let failed = events.firstIndex(of: "journal failed")!
        #expect(!events[failed...].contains { $0.hasPrefix("sent") }, "\(events)")
    }

    @Test func aMarkThatCannotBeWrittenStopsTheRunWithItsRowsNotSent() {
        let log = FakeLog()
        log.ahead = true
        log.failingMarksFrom = 3
        let (outcomes, control, transport) = dispatch(rows: 30, concurrency: 4, log: log)
        #expect(outcomes.count == 30)
        guard case .localFailure(let detail)? = control.stopReason else {
            Issue.record("stopped by \(String(describing: control.stopReason))")
            return
        }
        #expect(detail.contains("disk full"))
        let events = log.events
        // Only rows whose mark was written were sent, each once.
        let marked = Set(events.filter { $0.hasPrefix("marked") }.map { $0.dropFirst(7) })
        let sent = events.filter { $0.hasPrefix("sent") }.map { $0.dropFirst(5) }
        #expect(
            Set(sent) == marked && sent.count == marked.count && transport.requests == sent.count)
        for (row, outcome) in outcomes where !marked.contains(Substring("\(row)")) {
            #expect(outcome.status == .notSent, "row \(row): \(outcome)")
        }
    }

    @Test func noRowIsSentBeforeItsDispatchRecordIsDurable() {
        let log = FakeLog()
        let (outcomes, _, _) = dispatch(rows: 40, concurrency: 8, log: log) { _, _ in created }
        #expect(outcomes.count == 40 && outcomes.values.allSatisfy { $0.status == .invited })
        let events = log.events
        for row in 1...40 {
            let sent = events.firstIndex(of: "sent \(row)")
            let durable = events.firstIndex(of: "durable \(row)")
            #expect(sent != nil && durable != nil && durable! < sent!, "row \(row): \(events)")
        }
    }

    @Test func theFirstRequestGoesAloneUntilItIsAnswered() {
        let log = FakeLog()
        let (outcomes, _, transport) = dispatch(rows: 30, concurrency: 8, log: log) { _, _ in
            created
        }
        #expect(outcomes.count == 30)
        let events = log.events
        // Nothing else is even logged for sending before the first answer came back.
        let firstAnswer = events.firstIndex(of: "answered 1")!
        #expect(!events[..<firstAnswer].contains { $0.hasPrefix("logged") && $0 != "logged 1" })
        #expect(transport.mostInFlight > 1)
    }

    @Test func requestsInFlightGrowByOneForEveryTwoAnswersUpToTheConcurrency() {
        let log = FakeLog()
        let (outcomes, _, transport) = dispatch(rows: 60, concurrency: 8, log: log) { _, _ in
            created
        }
        #expect(outcomes.count == 60)
        var inFlight = 0
        var answers = 0
        for event in log.events {
            if event.hasPrefix("sent ") {
                inFlight += 1
                #expect(
                    inFlight <= 1 + answers / 2, "\(inFlight) in flight after \(answers) answers")
            } else if event.hasPrefix("answered ") {
                inFlight -= 1
                answers += 1
            }
        }
        // It grew (how far depends on how fast the rows are logged; never past 8).
        #expect(transport.mostInFlight > 2 && transport.mostInFlight <= 8)
    }

    @Test func aFirstRequestThatCannotBeSentStopsTheRunWithNothingElseSent() {
        let refused = TransportResult.failed(
            TransportFailure(kind: .notSent, cause: .refused, detail: "connection refused"))
        let (outcomes, control, transport) = dispatch(rows: 10, concurrency: 4) { _, _ in refused }
        #expect(transport.requests == 1)
        #expect(control.stopReason?.exitCode == .temporary)
        #expect(outcomes[1]?.message == "not sent: connection refused")
        #expect((2...10).allSatisfy { outcomes[$0]?.status == .notSent })
    }

    @Test func aLostAnswerIsRetriedWithANote() {
        let lost = TransportResult.failed(
            TransportFailure(kind: .answerLost, cause: .timeout, detail: "timed out after 30 s"))
        let (outcomes, _, transport) = dispatch(rows: 3) { _, attempt in
            attempt == 1 ? lost : created
        }
        #expect(transport.requests == 6)
        #expect(
            outcomes.values.allSatisfy {
                $0.status == .invited && $0.attempts == 2
                    && $0.message.hasSuffix(
                        "(note: attempt 1 timed out after 30 s; the API may have acted on it, so this person may have been invited more than once)"
                    )
            })
    }

    @Test func aJournalThatCannotBeWrittenStopsTheRunBeforeAnythingIsSent() {
        let log = FakeLog()
        log.failing = true
        let (outcomes, control, transport) = dispatch(rows: 5, log: log) { _, _ in created }
        #expect(transport.requests == 0)
        #expect(control.stopReason?.exitCode == .localFailure)
        #expect(outcomes.count == 5 && outcomes.values.allSatisfy { $0.status == .notSent })
    }

    @Test func aRejectedTokenStopsTheRunAndLeavesTheRestNotSent() {
        let rejected = TransportResult.answered(HTTPAnswer(status: 401, body: []))
        let (outcomes, control, transport) = dispatch(rows: 30, concurrency: 8) { _, _ in rejected }
        #expect(transport.requests == 1)
        #expect(control.stopReason == .tokenRejected(status: 401))
        #expect(control.stopReason?.exitCode == .credentialsRejected)
        #expect(outcomes.count == 30 && outcomes.values.allSatisfy { $0.status == .notSent })
    }

    @Test func twentyRowsInARowFailingOnTransientErrorsStopTheRunAsAnOutage() {
        let unavailable = TransportResult.answered(HTTPAnswer(status: 503, body: []))
        let (outcomes, control, transport) = dispatch(
            rows: 200, concurrency: 4, maxAttempts: 2
        ) { _, _ in unavailable }
        #expect(control.stopReason?.exitCode == .temporary)
        let failed = outcomes.values.filter { $0.status == .failed }
        #expect(failed.count >= 20 && failed.count < 20 + 4)
        #expect(failed.allSatisfy { $0.message == "gave up after 2 attempts: HTTP 503" })
        #expect(outcomes.values.filter { $0.status == .notSent }.count == 200 - failed.count)
        // Rows whose first attempt was under way at the stop end not_sent after it.
        #expect(transport.requests >= failed.count * 2 && transport.requests < failed.count * 2 + 4)
    }
}
