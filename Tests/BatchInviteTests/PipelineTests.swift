import Testing

@testable import BatchInvite

struct Stop: Error, Equatable {}

@Suite struct PipelineTests {
    @Test func deliversEverythingInOrderThenTheProducersError() throws {
        var received: [Int] = []
        #expect(throws: Stop.self) {
            try Pipeline.run(
                capacity: 2,
                produce: { send in
                    for value in 0..<1000 { try send(value) }
                    throw Stop()
                },
                consume: { received.append($0) })
        }
        #expect(received == Array(0..<1000))
    }

    @Test func aConsumerErrorStopsTheProducer() throws {
        let sent = Counter()
        #expect(throws: Stop.self) {
            try Pipeline.run(
                capacity: 2,
                produce: { send in
                    for value in 0..<1_000_000 {
                        try send(value)
                        sent.add()
                    }
                },
                consume: { if $0 == 10 { throw Stop() } })
        }
        // The producer stopped within the channel's capacity of the failure, not at the end.
        #expect(sent.value < 20)
    }
}

/// A counter the producer thread bumps and the test reads once that thread has ended.
final class Counter: @unchecked Sendable {
    private(set) var value = 0
    func add() { value += 1 }
}
