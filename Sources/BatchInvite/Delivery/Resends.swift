/// The rows that began and wait to be sent again: as soon as the rate allows (`due`, after
/// a 429 that said how long to wait, or for a renewed token), after a backoff (`delayed`),
/// or once the token is renewed (`awaitingToken`).
struct Resends {
    /// Rows to send again as soon as the rate allows, oldest first; they go before new rows.
    private(set) var due = JobQueue()
    /// Rows waiting out a backoff.
    private var delayed: [Job] = []
    /// Rows whose token was rejected, waiting for the renewed one.
    private var awaitingToken: [Job] = []

    var count: Int { due.count + delayed.count + awaitingToken.count }

    /// Sends `job` again as soon as the rate allows.
    mutating func append(_ job: Job) {
        due.append(job)
    }

    /// The oldest row due.
    mutating func removeFirst() -> Job {
        due.removeFirst()
    }

    /// Sends `job` again once its `notBefore` has passed.
    mutating func delay(_ job: Job) {
        delayed.append(job)
    }

    /// Sends `job` again with the renewed token.
    mutating func awaitToken(_ job: Job) {
        awaitingToken.append(job)
    }

    /// The token changed: the rows waiting for it are due.
    mutating func tokenRenewed() {
        for job in awaitingToken { due.append(job) }
        awaitingToken.removeAll()
    }

    /// Makes the rows whose backoff ended by `now` due; returns the seconds until the next
    /// one ends (infinity: none waits).
    mutating func moveDelayed(now: Double) -> Double {
        var wait = Double.infinity
        guard !delayed.isEmpty else { return wait }
        var index = 0
        while index < delayed.count {
            if delayed[index].notBefore <= now {
                due.append(delayed.remove(at: index))
            } else {
                wait = min(wait, delayed[index].notBefore - now)
                index += 1
            }
        }
        return wait
    }

    /// Takes every row out: those due, then those delayed, then those awaiting a token.
    mutating func removeAll() -> [Job] {
        var all: [Job] = []
        while !due.isEmpty { all.append(due.removeFirst()) }
        all += delayed + awaitingToken
        delayed.removeAll()
        awaitingToken.removeAll()
        return all
    }
}
