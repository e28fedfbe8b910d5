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
        limiter.pause(for: 2)
        #expect(limiter.reserve() == 2)
        clock.advance(1.5)
        #expect(limiter.reserve() == 0.5)
        clock.advance(0.5)
        #expect(limiter.reserve() == 0)
    }

    @Test func a429WithoutRetryAfterHalvesTheRateOnceASecondAndSuccessesGrowItBack() {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 8, burst: 1, clock: { clock.read() })
        limiter.slowDown()
        #expect(limiter.currentRate == 4)
        limiter.slowDown()  // the same second: no second halving
        #expect(limiter.currentRate == 4)
        clock.advance(1)
        limiter.slowDown()
        #expect(limiter.currentRate == 2)
        // Additive increase: one request per second more for each second's worth.
        limiter.succeeded()
        #expect(limiter.currentRate == 2.5)
        for _ in 0..<100 { limiter.succeeded() }
        #expect(limiter.currentRate == 8)  // never above the rate asked for
    }

    @Test func withoutALimitA429HalvesTheRateSeenOverTheLastSecond() {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 0, burst: 1, clock: { clock.read() })
        #expect(limiter.currentRate.isInfinite)
        for _ in 0..<40 {
            #expect(limiter.reserve() == 0)
            clock.advance(0.02)
        }
        limiter.slowDown()
        #expect(limiter.currentRate == 20)
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
