import Foundation
import Synchronization

/// Lets a run's first request go alone: the worker that comes first becomes the probe and
/// sends; every other worker waits until the probe got an HTTP answer (`open`), or the run
/// stopped. So a wrong base URL, an untrusted certificate or an unreachable API costs one
/// request, not one per worker. Safe for concurrent use.
final class FirstAnswerGate: @unchecked Sendable {
    // Safe to share: `probing` is only touched with `condition` locked; `isOpen` is atomic.
    /// What a worker may do now.
    enum Turn: Equatable {
        /// Send: the API has answered before.
        case open
        /// Send, alone: this is the run's first request.
        case probe
        /// Send nothing: the run stopped.
        case stopped
    }

    private let isOpen = Atomic<Bool>(false)
    /// Guards `probing`, and wakes the waiting workers when the gate opens or is released.
    private let condition = NSCondition()
    private var probing = false

    /// Waits for this worker's turn; checks `isStopped` at least every 100 ms.
    func waitTurn(isStopped: () -> Bool) -> Turn {
        if isOpen.load(ordering: .acquiring) { return .open }
        condition.lock()
        defer { condition.unlock() }
        while true {
            if isOpen.load(ordering: .acquiring) { return .open }
            if isStopped() { return .stopped }
            if !probing {
                probing = true
                return .probe
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1))
        }
    }

    /// The probe got an HTTP answer: everyone may send from now on.
    func open() {
        isOpen.store(true, ordering: .releasing)
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// The probe ended without opening the gate (the run stopped): another worker may probe.
    func release() {
        condition.lock()
        probing = false
        condition.broadcast()
        condition.unlock()
    }
}
