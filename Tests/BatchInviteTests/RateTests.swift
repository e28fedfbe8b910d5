import BatchInvite
import Foundation
import Testing

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    // Safe to share: `now` is only touched with `lock` held.
    private let lock = NSLock()
    private var now = 1000.0

    func read() -> Double {
        lock.lock()
        defer { lock.unlock() }
        return now
    }

    func advance(_ seconds: Double) {
        lock.lock()
        now += seconds
        lock.unlock()
    }
}

@Suite struct TokenBucketTests {
    @Test func aFullBucketLetsTheBurstGoThenOneTokenPerIntervalAndSaysHowLongToWait() {
        var bucket = TokenBucket(rate: 4, burst: 3)
        #expect((0..<3).map { _ in bucket.take(now: 10) } == [0, 0, 0])
        #expect(bucket.take(now: 10) == 0.25)
        #expect(abs(bucket.take(now: 10.1) - 0.15) < 1e-9)  // 0.4 of a token earned
        #expect(bucket.take(now: 10.25) == 0)
        #expect(bucket.take(now: 10.25) > 0)
    }

    @Test func refillIsClampedToTheBurstAndAClockGoingBackwardsTakesNothing() {
        var bucket = TokenBucket(rate: 100, burst: 2)
        _ = bucket.take(now: 0)
        _ = bucket.take(now: 0)
        // An hour later the bucket holds 2 tokens, not 360,000.
        #expect(bucket.take(now: 3600) == 0)
        #expect(bucket.take(now: 3600) == 0)
        #expect(bucket.take(now: 3600) > 0)
        // Back in time: no refill, no crash.
        #expect(bucket.take(now: 1) > 0)
    }

    @Test func noOneSecondWindowSeesMoreThanRatePlusBurst() {
        var bucket = TokenBucket(rate: 50, burst: 1)
        var sent: [Double] = []
        var now = 0.0
        while now < 10 {
            let wait = bucket.take(now: now)
            if wait == 0 { sent.append(now) } else { now += max(wait, 1e-9) }
        }
        for (index, start) in sent.enumerated() {
            let inWindow = sent[index...].prefix { $0 < start + 1 }.count
            #expect(inWindow <= 51)
        }
        #expect(abs(Double(sent.count) / 10 - 50) < 1)
    }
}

@Suite struct RateLimiterTests {
    @Test func aRetryAfterPauseHoldsEveryRequestBack() {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 0, burst: 1, clock: { clock.read() })
        #expect(limiter.reserve() == 0)
        limiter.throttled(sentAt: clock.read(), retryAfter: 2)
        #expect(limiter.reserve() == 2)
        #expect(limiter.rateInForce == 0)
        clock.advance(1.5)
        #expect(limiter.reserve() == 0.5)
        clock.advance(0.5)
        #expect(limiter.reserve() == 0)
    }

    @Test func a429CutsTheRateOfEveryRequestNotJustTheOneThatMetIt() {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 50, burst: 1, clock: { clock.read() })
        // 40/s for two seconds, the API taking 20 of them a second, then a 429.
        for _ in 0..<80 {
            let sent = limiter.now
            #expect(limiter.reserve() == 0)
            if Int(sent * 40) % 2 == 0 { limiter.admitted(sentAt: sent) }
            clock.advance(0.025)
        }
        limiter.throttled(sentAt: limiter.now - 0.025, retryAfter: nil)
        #expect(abs(limiter.currentRate - 18) < 0.5)
        // The bucket (its one token left) spaces every request by the new rate.
        #expect(limiter.reserve() == 0)
        #expect(limiter.reserve() > 0.05)
    }
}

@Suite struct RateLimiterBurstTests {
    /// A limiter cut to 170/s: 400 requests went out over two seconds, 340 were taken.
    func cutTo170(ceiling: Double) -> (RateLimiter, ManualClock) {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: ceiling, burst: 1, clock: { clock.read() })
        for index in 0..<400 {
            let sent = limiter.now
            _ = limiter.reserve()
            if index % 20 < 17 { limiter.admitted(sentAt: sent) }
            clock.advance(0.005)
        }
        limiter.throttled(sentAt: limiter.now - 0.005, retryAfter: nil)
        return (limiter, clock)
    }

    @Test func belowTheCeilingTheBucketKeeps50msOfRequestsSoALateTimerLosesNone() {
        let (limiter, clock) = cutTo170(ceiling: 0)
        #expect(abs(limiter.currentRate - 153) < 0.5)  // 0.9 × 170
        // The tokens the bucket holds grow to the new burst as time passes.
        _ = limiter.reserve()
        clock.advance(1)
        var atOnce = 0
        while limiter.reserve() == 0 { atOnce += 1 }
        #expect(atOnce == 7)  // 153 × 0.05 s
    }

    @Test func climbingBackToTheCeilingNoOneSecondWindowSeesMoreThanTheCeilingPlusTheBurst() {
        let (limiter, clock) = cutTo170(ceiling: 200)
        var sent: [Double] = []
        // Twenty seconds from the cut back up to the ceiling, a request whenever allowed.
        for _ in 0..<20_000 {
            while limiter.reserve() == 0 { sent.append(clock.read()) }
            clock.advance(0.001)
        }
        #expect(limiter.currentRate == 200)
        var first = 0
        for (index, time) in sent.enumerated() {
            while sent[first] <= time - 1 { first += 1 }
            #expect(index - first + 1 <= 201)
            if index - first + 1 > 201 { break }
        }
    }
}

/// Feeds an `AdaptiveRate` a server that takes `limit` requests a second (and a burst of as
/// many), on a clock the test moves: requests go out at the rate allowed, are answered at
/// once, and a 429 pauses every request for a second, as the simulator's `Retry-After: 1`.
private struct LimitedServer {
    var control: AdaptiveRate
    let limit: Double
    var now = 0.0
    var credit: Double
    var last = 0.0
    var requests = 0
    var throttled = 0
    var admitted = 0
    var rates: [Double] = []

    init(ceiling: Double, limit: Double) {
        control = AdaptiveRate(ceiling: ceiling)
        self.limit = limit
        credit = limit
    }

    /// Sends for `seconds`, at most `concurrency` requests at the same instant.
    mutating func run(seconds: Double, concurrency: Int = 8) {
        let end = now + seconds
        var pausedUntil = -1.0
        while now < end {
            credit = min(limit, credit + (now - last) * limit)
            last = now
            let rate = control.rate(now: now)
            rates.append(rate)
            let burst = rate.isInfinite ? concurrency : 1
            var pause = 0.0
            for _ in 0..<burst {
                requests += 1
                control.sent(at: now)
                if credit >= 1 {
                    credit -= 1
                    admitted += 1
                    control.admitted(sentAt: now)
                } else {
                    throttled += 1
                    pause = 1
                    pausedUntil = now + 0.001 + pause
                    control.throttled(sentAt: now, now: now + 0.001, pause: pause)
                }
            }
            let step = rate.isInfinite ? 0.001 : 1 / rate
            now = pause > 0 ? pausedUntil : now + step
        }
    }
}

@Suite struct AdaptiveRateTests {
    @Test func untilA429TheRateIsTheCeilingAndWithoutOneThereIsNoLimit() {
        var limited = AdaptiveRate(ceiling: 50)
        var unlimited = AdaptiveRate(ceiling: 0)
        for second in 0..<100 {
            limited.sent(at: Double(second))
            limited.admitted(sentAt: Double(second))
            unlimited.sent(at: Double(second))
        }
        let limitedRate = limited.rate(now: 100)
        #expect(limitedRate == 50)
        let unlimitedRate = unlimited.rate(now: 100)
        #expect(unlimitedRate.isInfinite)
        #expect(limited.plateau == nil)
    }

    @Test func theCutWaitsForThePauseThenTakesAShareOfWhatTheAPITook() {
        var control = AdaptiveRate(ceiling: 0)
        // 30 requests in the last second, 10 of them taken.
        for index in 0..<30 {
            let at = 9 + Double(index) / 30
            control.sent(at: at)
            if index % 3 == 0 { control.admitted(sentAt: at) }
        }
        let cuts = control.throttled(sentAt: 9.99, now: 10, pause: 1)
        #expect(cuts)
        // During the pause nothing is decided yet.
        let duringThePause = control.rate(now: 10.5)
        #expect(duringThePause.isInfinite)
        let afterThePause = control.rate(now: 11)
        #expect(abs(afterThePause - 9) < 1e-9)  // 0.9 of the 10 a second taken
        #expect(control.plateau == 10)
    }

    @Test func the429sOfRequestsUnderWayTogetherCutTheRateOnce() {
        var control = AdaptiveRate(ceiling: 100)
        for index in 0..<100 {
            let at = 9 + Double(index) / 100
            control.sent(at: at)
            control.admitted(sentAt: at)
        }
        let firstCuts = control.throttled(sentAt: 9.98, now: 10, pause: 0)
        #expect(firstCuts)
        let cutRate = control.rate(now: 10)
        let secondCuts = control.throttled(sentAt: 9.99, now: 10.01, pause: 0)
        #expect(!secondCuts)
        let thirdCuts = control.throttled(sentAt: 9.995, now: 10.02, pause: 0)
        #expect(!thirdCuts)
        let afterThree = control.rate(now: 10.02)
        #expect(afterThree >= cutRate)
        // A request sent after the cut that meets a 429 cuts again.
        let laterCuts = control.throttled(sentAt: 10.03, now: 10.04, pause: 0)
        #expect(laterCuts)
        let afterTheLater = control.rate(now: 10.04)
        #expect(afterTheLater < cutRate)
    }

    @Test func theRateClimbsBackAlongTheCubicFlatNearThePlateauThenProbesAbove() {
        var control = AdaptiveRate(ceiling: 1000)
        for index in 0..<200 {
            let at = 8 + Double(index) / 100
            control.sent(at: at)
            control.admitted(sentAt: at)
        }
        control.throttled(sentAt: 9.99, now: 10, pause: 0)
        #expect(control.plateau == 100)
        let curve = stride(from: 10.0, through: 20, by: 0.5).map { control.rate(now: $0) }
        #expect(abs(curve[0] - 90) < 1e-9)
        // Always rising, never back to the ceiling in ten seconds.
        #expect(zip(curve, curve.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(curve.last! < 1000)
        // Near the plateau 4.6 s after the cut the curve is flat: under 1% in a second.
        let k = cbrt(0.1 / 0.001)
        let atK = control.rate(now: 10 + k)
        #expect(abs(atK - 100) < 0.01)
        let secondAfterK = control.rate(now: 10 + k + 1)
        let secondBeforeK = control.rate(now: 10 + k - 1)
        #expect(secondAfterK - secondBeforeK < 2)
        // Then it probes above ever faster.
        let fourSecondsAfterK = control.rate(now: 10 + k + 4)
        #expect(fourSecondsAfterK > 105)
    }

    @Test func aLowerLimitFoundLowersThePlateauBeyondTheNewRate() {
        var control = AdaptiveRate(ceiling: 0)
        for index in 0..<100 {
            let at = 9 + Double(index) / 100
            control.sent(at: at)
            control.admitted(sentAt: at)
        }
        control.throttled(sentAt: 9.99, now: 10, pause: 0)
        #expect(control.plateau == 100)
        // Later the API takes 50 a second.
        for index in 0..<1000 {
            let at = 10 + Double(index) / 100
            control.sent(at: at)
            if index % 2 == 0 { control.admitted(sentAt: at) }
        }
        control.throttled(sentAt: 19.99, now: 20, pause: 0)
        #expect(abs((control.plateau ?? 0) - 47.5) < 1e-9)  // halfway between 50 and 0.9 × 50
        let newRate = control.rate(now: 20)
        #expect(abs(newRate - 45) < 1e-9)
    }

    @Test func nothingTakenCutsTheRateAtWhichRequestsWentOut() {
        var control = AdaptiveRate(ceiling: 0)
        for index in 0..<20 { control.sent(at: 9.5 + Double(index) / 40) }
        control.throttled(sentAt: 9.99, now: 10, pause: 0)
        let cutRate = control.rate(now: 10)
        #expect(abs(cutRate - 18) < 1e-9)
    }

    @Test(arguments: [5.0, 20, 100])
    func againstAServerLimitTheRateSettlesCloseToItWithFew429s(limit: Double) {
        for ceiling in [limit * 3, 0] {
            var server = LimitedServer(ceiling: ceiling, limit: limit)
            server.run(seconds: 60)
            let goodput = Double(server.admitted) / 60
            #expect(goodput >= limit * 0.95, "ceiling \(ceiling): \(goodput)/s")
            #expect(Double(server.throttled) <= Double(server.requests) * 0.05)
            #expect(server.rates.allSatisfy { $0 <= (ceiling > 0 ? ceiling : .infinity) })
        }
    }
}

@Suite struct RetryPolicyTests {
    @Test func backoffIsFullJitterUnderADoublingCeiling() {
        let policy = RetryPolicy()
        #expect(policy.backoff(after: 1, random: 0.999) < 0.5)
        #expect(policy.backoff(after: 3, random: 0.999) < 2)
        #expect(policy.backoff(after: 3, random: 0.5) == 1)
        #expect(policy.backoff(after: 20, random: 0.999) < 30)
        #expect(policy.backoff(after: 20, random: 0) == 0)
    }

    @Test func retryAfterInSecondsOrAsAnHTTPDateAndTheTargetsOwnHeader() {
        let policy = RetryPolicy()
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(policy.retryDelay(headers: HTTPHeaders([("Retry-After", "7")]), now: now) == 7)
        let date = "Tue, 14 Nov 2023 22:13:40 GMT"  // 1,700,000,020
        #expect(policy.retryDelay(headers: HTTPHeaders([("Retry-After", date)]), now: now) == 20)
        #expect(policy.retryDelay(headers: HTTPHeaders([("Retry-After", "soon")]), now: now) == nil)
        #expect(policy.retryDelay(headers: HTTPHeaders([("Retry-After", "600")]), now: now) == 120)
        let reset = HTTPHeaders([("X-Rate-Limit-Reset", "1700000030")])
        #expect(policy.retryDelay(headers: reset, target: SendosoTarget(), now: now) == 30)
        #expect(policy.retryDelay(headers: reset, target: CyberArkSMSTarget(), now: now) == nil)
        #expect(
            policy.retryDelay(
                headers: HTTPHeaders([("X-Rate-Limit-Reset", "4")]), target: SendosoTarget(),
                now: now) == 4)
    }

    @Test func statusesAreClassifiedOnce() {
        #expect(RetryPolicy.classify(status: 401) == .unauthorized)
        #expect(RetryPolicy.classify(status: 403) == .unauthorized)
        #expect(RetryPolicy.classify(status: 429) == .throttled)
        #expect(RetryPolicy.classify(status: 307) == .redirect)
        #expect(RetryPolicy.classify(status: 503) == .transient(answerLost: false))
        #expect(RetryPolicy.classify(status: 502) == .transient(answerLost: true))
        #expect(RetryPolicy.classify(status: 400) == .final)
        #expect(RetryPolicy.classify(status: 201) == .final)
    }
}
