/// The simulator's rate limit (`--rate-limit R --burst B`): at most B requests at once,
/// then one every 1/R seconds; what is over the limit is answered 429. Written apart from
/// the client's `TokenBucket`, with another algorithm (the generic cell rate algorithm of
/// ATM networks: a theoretical arrival time instead of a count of tokens), so that tests
/// of the client's rate check it against a second implementation of the same promise.
/// Not safe for concurrent use on its own.
struct ServerRateLimit {
    /// Seconds between requests at the steady rate.
    private let interval: Double
    /// How far ahead of the steady schedule a request may come: B - 1 intervals.
    private let tolerance: Double
    /// When the next request is due on the steady schedule.
    private var theoreticalArrival = -Double.infinity

    /// `rate` requests per second (above 0), `burst` (at least 1) at once.
    init(rate: Double, burst: Int) {
        interval = 1 / rate
        tolerance = Double(max(burst, 1) - 1) / rate
    }

    /// Admits a request arriving at `now` (seconds, any fixed origin): 0 when admitted,
    /// else the seconds until one would be (and nothing changes).
    mutating func admit(now: Double) -> Double {
        let earliest = theoreticalArrival - tolerance
        guard now >= earliest else { return earliest - now }
        theoreticalArrival = max(theoreticalArrival, now) + interval
        return 0
    }
}
