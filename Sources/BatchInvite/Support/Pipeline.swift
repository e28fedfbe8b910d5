import Foundation

/// Two pipeline stages on two threads: a producer on a thread of its own, a consumer on
/// the calling thread, a `BoundedChannel` of `capacity` elements between them.
enum Pipeline {
    /// Runs `produce` on a new thread; what it sends reaches `consume` here, in order.
    /// An error thrown by `produce` is rethrown after everything it sent before it. When
    /// `consume` throws, the producer's next `send` throws `CancellationError` and the
    /// error is rethrown once the producer's thread has ended.
    static func run<Element>(
        capacity: Int,
        produce: @escaping @Sendable (_ send: (Element) throws -> Void) throws -> Void,
        consume: (Element) throws -> Void
    ) throws {
        let channel = BoundedChannel<Result<Element, Error>>(capacity: capacity)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            do {
                try produce { element in
                    guard channel.send(.success(element)) else { throw CancellationError() }
                }
            } catch {
                _ = channel.send(.failure(error))
            }
            channel.close()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        defer {
            channel.close()
            while channel.receive() != nil {}
            done.wait()
        }
        while let item = channel.receive() {
            try consume(item.get())
        }
    }
}
