import Foundation

/// Whether the run goes on, and why it stopped: shared by the feeding thread, the
/// dispatcher and the signal handlers. Safe for concurrent use.
public final class RunControl: @unchecked Sendable {
    // Safe to share: `reason`, `consecutiveOutageRows` and `observers` are only touched
    // with `lock` held.

    /// Why a run stopped before the end of its input.
    public enum StopReason: Sendable, Equatable {
        /// 401 or 403: the API refused the token.
        case tokenRejected(status: Int)
        /// This many rows in a row used up their attempts on transient errors.
        case outage(rows: Int, lastError: String)
        /// The run's first request got no HTTP answer: nothing else was sent.
        case firstRequestFailed(TransportFailure)
        /// The run's first request was answered with a redirect, which is never followed.
        case redirected(status: Int, location: String)
        /// No token could be had (its command, file or endpoint failed, or gave one the API
        /// rejects).
        case credentialsFailed(CredentialFailure)
        /// SIGINT, SIGTERM or SIGHUP.
        case interrupted(signal: Int32)
        /// A local failure (the journal could not be written, or was removed; the input could
        /// not be read): nothing more may be sent.
        case localFailure(String)

        /// The message for the user.
        public var description: String {
            switch self {
            case .tokenRejected(let status):
                return
                    "stopped: the API rejected the token (HTTP \(status)); check the credentials "
                    + "and their permissions, then run again"
            case .credentialsFailed(let failure):
                return "stopped: \(failure.message)"
            case .outage(let rows, let lastError):
                return
                    "stopped: \(rows) rows in a row failed on transient errors (last: \(lastError)); "
                    + "the API looks unavailable, run the same command again later"
            case .firstRequestFailed(let failure):
                let sent =
                    failure.kind == .notSent
                    ? "nothing was sent"
                    : "the first request may have arrived; nothing else was sent"
                return "stopped at the first request: \(failure.detail); \(sent); \(failure.advice)"
            case .redirected(let status, let location):
                return
                    "stopped at the first request: the API answered HTTP \(status), a redirect to "
                    + "\(location), which is not followed (the token only goes to --base-url); "
                    + "nothing else was sent; check --base-url"
            case .interrupted(let signal):
                let name = [1: "SIGHUP", 2: "SIGINT", 15: "SIGTERM"][signal] ?? "signal \(signal)"
                return
                    "stopped by \(name) (signal \(signal)); run the same command to go on"
            case .localFailure(let reason):
                return "stopped: \(reason)"
            }
        }

        /// How the process ends for this reason.
        public var exitCode: ExitCode {
            switch self {
            case .tokenRejected: return .credentialsRejected
            case .credentialsFailed(let failure): return failure.exitCode
            case .outage: return .temporary
            case .firstRequestFailed(let failure):
                return failure.needsConfiguration ? .usage : .temporary
            case .redirected: return .usage
            case .interrupted(let signal): return .interrupted(signal: signal)
            case .localFailure: return .localFailure
            }
        }
    }

    /// Rows in a row that may exhaust their attempts before the run stops as an outage.
    public let outageThreshold: Int
    private let lock = NSLock()
    private var reason: StopReason?
    private var consecutiveOutageRows = 0
    private var observers: [@Sendable () -> Void] = []
    private var began = false

    public init(outageThreshold: Int = 20) {
        self.outageThreshold = outageThreshold
    }

    public var stopReason: StopReason? {
        lock.lock()
        defer { lock.unlock() }
        return reason
    }

    public var isStopped: Bool { stopReason != nil }

    /// What a row the run did not send says: `not sent`, and why the run stopped.
    public var notSentMessage: String {
        switch stopReason {
        case .tokenRejected?: return "not sent: the run stopped because the API rejected the token"
        case .credentialsFailed?: return "not sent: the run stopped because no token could be had"
        case .outage?: return "not sent: the run stopped because the API looked unavailable"
        case .firstRequestFailed?, .redirected?:
            return "not sent: the run stopped at its first request"
        case .interrupted?: return "not sent: the run was interrupted"
        case .localFailure?: return "not sent: the run stopped on a local failure"
        case nil: return "not sent"
        }
    }

    /// Whether rows may have been sent: set once, just before the first row can go out.
    /// Until then a signal may end the process at once, as nothing was sent.
    public var sendingBegan: Bool {
        lock.lock()
        defer { lock.unlock() }
        return began
    }

    /// Marks that rows may be sent from now on.
    public func beginSending() {
        lock.lock()
        began = true
        lock.unlock()
    }

    /// Stops the run (the first reason given is kept) and tells the observers.
    public func stop(_ why: StopReason) {
        lock.lock()
        let first = reason == nil
        if first { reason = why }
        let observers = self.observers
        lock.unlock()
        if first { observers.forEach { $0() } }
    }

    /// Calls `observer` (on the stopping thread) when the run stops.
    public func whenStopped(_ observer: @escaping @Sendable () -> Void) {
        lock.lock()
        observers.append(observer)
        lock.unlock()
    }

    /// A row ended with an answer from the API (invited or refused).
    public func rowAnswered() {
        lock.lock()
        consecutiveOutageRows = 0
        lock.unlock()
    }

    /// A row used up its attempts on transient errors; stops the run at the threshold.
    public func rowExhausted(lastError: String) {
        lock.lock()
        consecutiveOutageRows += 1
        let rows = consecutiveOutageRows
        lock.unlock()
        if rows >= outageThreshold { stop(.outage(rows: rows, lastError: lastError)) }
    }
}
