/// How many rows the dispatcher works on and how many requests it has in flight, as the
/// API answers: the run's first row goes alone until an HTTP answer came back; then
/// requests in flight grow from one by one more for every two answers that are not a 429,
/// up to `concurrency` (TCP's slow start, which doubles every round trip, grown by half as
/// fast), so that a run with no rate limit opens with a few requests at an API whose limit
/// it does not know yet, not a burst of `concurrency`: the requests in flight when the
/// API's allowance runs out are those its first 429 finds.
struct SlowStart {
    /// Requests in flight at most (`Dispatcher.Configuration.concurrency`).
    let concurrency: Int
    /// Rows worked on at once (logged, waiting or in flight) once the API answered.
    let rowsAtOnce: Int
    /// Whether an HTTP answer came back in this run (the first request goes alone until then).
    private(set) var answered = false
    /// Answers other than 429 so far (up to `2 × concurrency`).
    private var answersTaken = 0

    init(concurrency: Int, rowsAtOnce: Int) {
        self.concurrency = concurrency
        self.rowsAtOnce = rowsAtOnce
    }

    /// Rows worked on at once now: `rowsAtOnce`, one until the API has answered.
    var rows: Int { answered ? rowsAtOnce : 1 }

    /// Requests in flight at most now.
    var requests: Int { answered ? min(concurrency, 1 + answersTaken / 2) : 1 }

    /// An answer other than a 429 came back.
    mutating func took() {
        answersTaken = min(answersTaken + 1, 2 * concurrency)
    }

    /// An HTTP answer came back (other than a redirect).
    mutating func answer() {
        answered = true
    }
}
