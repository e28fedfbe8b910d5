/// One row on its way through the dispatcher (a class: it moves between the queues by
/// reference, not by copying its row and request).
final class Job {
    var row: CheckedRow
    var request = APIRequest(method: "POST", pathAndQuery: "", body: [], contentType: nil)
    var attempts = 0
    /// Whether its first request started: from then on it counts among the rows under
    /// way (`DispatchLoop.begun`) until it ends.
    var began = false
    /// What each attempt whose answer was lost met.
    var lostAnswers: [String] = []
    var lastError = ""
    var lastStatus: Int?
    /// When a backoff ends (the dispatcher's clock).
    var notBefore = 0.0
    /// When its last request went out (the rate limiter's clock).
    var sentAt = 0.0
    /// The generation of the token its last request carried (`TokenKeeper`).
    var tokenGeneration = 0

    init(_ row: CheckedRow) {
        self.row = row
    }
}

/// A first-in first-out queue of jobs for one thread.
struct JobQueue {
    private var jobs: [Job] = []
    private var head = 0

    var count: Int { jobs.count - head }
    var isEmpty: Bool { head == jobs.count }
    var first: Job? { isEmpty ? nil : jobs[head] }

    mutating func append(_ job: Job) {
        jobs.append(job)
    }

    mutating func removeFirst() -> Job {
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }
}

extension APIRequest {
    /// The request for a row: `frame` (`Target.requestFrame`: the method, content type and
    /// header lines, and the path and query when no row places a value in them) with the
    /// row's payload (`Target.payload`): its path and query, when it has them, up to the
    /// first 0 byte, and its body, after it.
    public init(_ frame: APIRequest, payload: [UInt8]) {
        self = frame
        let end = payload.firstIndex(of: 0) ?? payload.count
        if end > 0 { pathAndQuery = String(decoding: payload[..<end], as: UTF8.self) }
        body = end < payload.count ? payload[(end + 1)...] : []
    }
}
