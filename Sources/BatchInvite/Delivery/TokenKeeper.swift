import Foundation

/// The run's token: fetched once before anything is sent, renewed by one refresh at a time
/// on a thread of its own (shared by every request), before it expires (when a tenth of
/// its lifetime is left) and when the API rejects it. Each token has a generation; a
/// request carries the generation of its token, so a 401 for an older token is simply sent
/// again with the newer one.
///
/// A 401 for the newest token renews it once; if the source gives the same token again (a
/// token file nobody rotated, a fixed token), or the renewed token is rejected before any
/// request with it succeeded, the rejection is real and the run stops (exit 3). A renewal
/// that fails stops the run with the failure's exit code, except a transient failure
/// while the token in use still has time left: that is tried again.
public final class TokenKeeper: @unchecked Sendable {
    // Safe to share: every `var` is only touched with `lock` held; `source` is Sendable.

    /// What a 401 for a request means.
    public enum Verdict: Sendable, Equatable {
        /// A newer token exists: send the request again with it.
        case sendAgain
        /// A renewal is under way: hold the request until the token changes.
        case wait
        /// The API rejected the newest token for good: stop.
        case rejected
    }

    public let source: any TokenSource
    private let redactor: Redactor
    private let clock: @Sendable () -> Double
    private let lock = NSLock()
    private var inUse = InUse()
    private var refreshing = false
    /// Whether a request with the token in use got a 401 while a renewal was under way
    /// (the requests held for it wait for another token).
    private var rejectedWhileRenewing = false
    /// A proactive renewal failed transiently: the next try, not before.
    private var retryAt: Double?
    private var failed: CredentialFailure?
    private var renewals = 0
    private var onChange: @Sendable () -> Void = {}

    /// The token in use, and what is known of it.
    private struct InUse {
        var token = AccessToken(value: "")
        var generation = 0
        var obtainedAt = 0.0
        /// Whether it came from a renewal after a 401.
        var fromRejection = false
        /// Whether a request with it got an answer other than 401.
        var worked = false
        /// It cannot be renewed early (its source gave it again).
        var noEarlyRenewal = false

        /// When it expires (clock seconds), if it does.
        var expiry: Double? { token.lifetime.map { obtainedAt + $0 } }
    }

    /// `redactor` learns every token (so none is ever printed or stored).
    public init(
        source: any TokenSource, redactor: Redactor,
        clock: @escaping @Sendable () -> Double = Clock.monotonic
    ) {
        self.source = source
        self.redactor = redactor
        self.clock = clock
    }

    /// Fetches the first token, waiting for it. Throws `CredentialFailure`, also for a
    /// token that cannot be sent as it is (`AccessToken.checked`).
    public func start() throws {
        let first = try fetch()
        lock.lock()
        inUse.token = first
        inUse.generation = 1
        inUse.obtainedAt = clock()
        lock.unlock()
    }

    /// Called (from the keeper's thread) when the token changes or a renewal failed.
    public func whenChanged(_ body: @escaping @Sendable () -> Void) {
        lock.lock()
        onChange = body
        lock.unlock()
    }

    /// The token in use and its generation.
    public var current: (value: String, generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (inUse.token.value, inUse.generation)
    }

    /// Why no token can be had any more, once a renewal failed for good.
    public var failure: CredentialFailure? {
        lock.lock()
        defer { lock.unlock() }
        return failed
    }

    /// Renewals made so far.
    public var renewalCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return renewals
    }

    /// Starts a renewal when the token is near its end; returns whether requests may be
    /// sent now (not while an expired token awaits its renewal) and the seconds until this
    /// should be asked again.
    public func maintain() -> (canSend: Bool, recheck: Double) {
        let now = clock()
        lock.lock()
        defer { lock.unlock() }
        guard let expiry = inUse.expiry, failed == nil else { return (failed == nil, .infinity) }
        let lifetime = inUse.token.lifetime ?? 0
        let renewAt = expiry - lifetime / 10
        let canSend = now < expiry || !refreshing && inUse.noEarlyRenewal
        if refreshing { return (canSend, 0.05) }
        if let retryAt, now < retryAt { return (canSend, retryAt - now) }
        guard !inUse.noEarlyRenewal else { return (true, .infinity) }
        if now >= renewAt {
            beginRenewal(afterRejection: false)
            return (now < expiry, 0.05)
        }
        return (true, renewAt - now)
    }

    /// A request with the token of `generation` got an answer other than 401.
    public func worked(generation: Int) {
        lock.lock()
        if generation == inUse.generation { inUse.worked = true }
        lock.unlock()
    }

    /// A request with the token of `generation` got a 401: what to do with it.
    public func rejected(generation: Int) -> Verdict {
        lock.lock()
        defer { lock.unlock() }
        if generation < inUse.generation { return .sendAgain }
        if refreshing {
            rejectedWhileRenewing = true
            return .wait
        }
        guard source.renews, failed == nil, !(inUse.fromRejection && !inUse.worked) else {
            return .rejected
        }
        beginRenewal(afterRejection: true)
        return .wait
    }

    /// With `lock` held.
    private func beginRenewal(afterRejection: Bool) {
        refreshing = true
        retryAt = nil
        let rejectedValue = inUse.token.value
        Thread { [self] in
            renew(afterRejection: afterRejection, rejectedValue: rejectedValue)
        }.start()
    }

    /// A token from the source, known to the redactor, and refused when it could not be
    /// sent as it is: every token, the first and each renewal, passes here.
    private func fetch() throws -> AccessToken {
        let token = try source.fetch()
        redactor.add(token.value)
        return try token.checked(from: source.name)
    }

    private func renew(afterRejection: Bool, rejectedValue: String) {
        let result = Result { try fetch() }
        lock.lock()
        refreshing = false
        // A renewal begun before the API rejected the token ends as one begun after.
        let rejected = afterRejection || rejectedWhileRenewing
        switch result {
        case .success(let fresh) where fresh.value != rejectedValue:
            inUse = InUse(
                token: fresh, generation: inUse.generation + 1, obtainedAt: clock(),
                fromRejection: rejected)
            rejectedWhileRenewing = false
            renewals += 1
        case .success(let same):
            if rejected {
                failed = CredentialFailure(
                    "the API rejected the token (HTTP 401) and \(source.name) gives the same one "
                        + "again; check the credentials and their permissions, then run again",
                    exitCode: .credentialsRejected)
            } else {
                // The same token, perhaps with a later end: used until the API says no.
                let end = inUse.expiry
                inUse.token.lifetime = same.lifetime
                inUse.obtainedAt = clock()
                inUse.noEarlyRenewal = inUse.expiry.map { $0 <= (end ?? 0) + 1 } ?? true
            }
        case .failure(let error):
            let failure =
                error as? CredentialFailure
                ?? CredentialFailure("\(source.name): \(error)", exitCode: .temporary)
            let left = (inUse.expiry ?? .infinity) - clock()
            if !afterRejection && failure.exitCode == .temporary && left > 1 {
                retryAt = clock() + min(2, left / 4)
            } else {
                failed = failure
            }
        }
        let notify = onChange
        lock.unlock()
        notify()
    }
}
