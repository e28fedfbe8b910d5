import Foundation
import Testing

/// `run` against an API whose own rate limit the client does not know (the simulator's
/// `--rate-limit`, 429 with `Retry-After: 1` beyond it): what a user sees is every row
/// invited once, few 429s, and the rate the run found in its timeline. No timing is
/// asserted.
@Suite struct APIRateLimitTests {
    /// The request log's entries: (invited keys, 429s, requests).
    static func serverCounts(_ simulator: SimulatorProcess) throws -> (
        invited: [String], throttled: Int, requests: Int
    ) {
        let log = try simulator.logEntries()
        let invited = log.filter { $0["outcome"] as? String == "invited" }.compactMap {
            $0["key"] as? String
        }
        let throttled = log.filter { $0["status"] as? Int == 429 }.count
        return (invited, throttled, log.count)
    }

    /// The rate limits in force that the journal's `second` records hold, in order.
    static func journalRates(_ tool: Tool) throws -> [Double] {
        try tool.read("report.csv.journal").split(separator: "\n").compactMap { line in
            guard
                let record = try? JSONSerialization.jsonObject(with: Data(line.utf8))
                    as? [String: Any], record["type"] as? String == "second"
            else { return nil }
            return (record["rate"] as? NSNumber)?.doubleValue
        }
    }

    @Test func withNoRateLimitSetTheRunFindsTheAPIsAndMeetsFew429s() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--rate-limit", "20"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(120))
        let result = try runAgainst(
            simulator, tool, file: "people.csv", ["--rate", "0", "--concurrency", "8"])
        #expect(result.status == 0, "\(result.stderr)")
        simulator.stop()
        let server = try Self.serverCounts(simulator)
        #expect(server.invited.count == 120 && Set(server.invited).count == 120)
        // Unlimited bursting met a 429 for about one request in five; the first burst
        // meets a few (the requests under way together), then hardly any.
        #expect(server.throttled > 0, "the simulator's limit answered no 429")
        #expect(
            Double(server.throttled) <= Double(server.requests) * 0.12,
            "\(server.throttled) 429s of \(server.requests) requests")
        // The limit found shows in the timeline: a rate once there was none.
        let rates = try Self.journalRates(tool)
        #expect(rates.contains { $0 > 0 && $0 < 1000 }, "rates recorded: \(rates)")
    }

    @Test func aRateAboveTheAPIsIsCutForTheWholeRunAndNeverExceeded() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--rate-limit", "20"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(120))
        let result = try runAgainst(
            simulator, tool, file: "people.csv", ["--rate", "60", "--concurrency", "8"])
        #expect(result.status == 0, "\(result.stderr)")
        simulator.stop()
        let server = try Self.serverCounts(simulator)
        #expect(server.invited.count == 120 && Set(server.invited).count == 120)
        #expect(server.throttled > 0, "the simulator's limit answered no 429")
        // The timeline shows the rate cut below the one asked for, and never above it.
        let rates = try Self.journalRates(tool)
        #expect(rates.contains { $0 > 0 && $0 < 60 }, "rates recorded: \(rates)")
        #expect(rates.allSatisfy { $0 <= 60 })
    }
}
