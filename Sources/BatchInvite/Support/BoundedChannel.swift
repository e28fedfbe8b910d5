import Foundation

/// A first-in first-out queue between threads that holds at most `capacity` elements:
/// `send` waits while it is full, `receive` waits while it is empty. After `close()`,
/// sends are refused and receives drain what is left, then return nil.
///
/// A sender waiting on a full queue is woken once it is half empty, not at each element
/// taken: a fast producer then refills it in bursts instead of waking for every element.
final class BoundedChannel<Element>: @unchecked Sendable {
    // Safe to share: every stored property is read and written only with `condition` locked.
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var closed = false
    private let capacity: Int
    private var waitingSenders = 0
    private var waitingReceivers = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Adds `element`, waiting for room. Returns false (dropping it) once closed.
    func send(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed && items.count - head >= capacity {
            waitingSenders += 1
            condition.wait()
            waitingSenders -= 1
        }
        guard !closed else { return false }
        items.append(element)
        if waitingReceivers > 0 { condition.broadcast() }
        return true
    }

    /// Adds `element` if there is room now; never waits.
    func trySend(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed && items.count - head < capacity else { return false }
        items.append(element)
        if waitingReceivers > 0 { condition.broadcast() }
        return true
    }

    /// The oldest element, waiting for one; nil when closed and empty.
    func receive() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while !closed && head == items.count {
            waitingReceivers += 1
            condition.wait()
            waitingReceivers -= 1
        }
        return takeFirst()
    }

    /// The oldest element if there is one now; never waits.
    func tryReceive() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        return takeFirst()
    }

    /// Whether it is closed and every element was received.
    var isClosedAndEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed && head == items.count
    }

    /// Refuses further sends and wakes every waiter.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func takeFirst() -> Element? {
        guard head < items.count else { return nil }
        let element = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= capacity {
            // A queue that never runs dry must still let go of what it handed out.
            items.removeFirst(head)
            head = 0
        }
        if waitingSenders > 0 && items.count - head <= capacity / 2 { condition.broadcast() }
        return element
    }
}
