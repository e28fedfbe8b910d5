import Foundation
import Testing

@Suite struct ResumeTests {
    func arguments(_ simulator: SimulatorProcess, _ extra: [String] = []) -> [String] {
        [
            "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL, "--rate",
            "0",
            "--concurrency", "8", "--progress", "none", "--report", "report.csv",
        ] + extra
    }

    /// Requests per key that the simulator logged (every one, whatever its outcome).
    func requestsPerKey(_ simulator: SimulatorProcess) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in try simulator.logEntries() {
            counts[entry["key"] as? String ?? "", default: 0] += 1
        }
        return counts
    }

    @Test func anInterruptedRunResumesWithoutSendingAnythingTwice() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "100"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(300))
        let run = try BackgroundRun(tool, arguments(simulator))
        Thread.sleep(forTimeInterval: 1.2)
        kill(run.process.processIdentifier, SIGTERM)
        #expect(run.finish().status == 143)
        let resumed = try tool.run(
            arguments(simulator), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(resumed.status == 0)
        #expect(
            resumed.stdout.contains("300 rows: 300 invited")
                && resumed.stdout.contains("already done by an earlier run"))
        simulator.stop()
        let counts = try requestsPerKey(simulator)
        #expect(counts.count == 300 && counts.values.allSatisfy { $0 == 1 })
        #expect(try reportRows(tool).map { $0["row"] } == (1...300).map { String($0) })
    }

    @Test(arguments: ["retry", "skip"])
    func killedAtRandomMomentsTheSameCommandFinishesTheBatch(policy: String) throws {
        let simulator = try SimulatorProcess([
            "--token", "secret", "--latency-ms", "50", "--jitter-ms", "50",
        ])
        let tool = try Tool()
        let rows = 1000
        try tool.write("people.csv", sendosoCSV(rows))
        let kills = 5
        for _ in 0..<kills {
            let run = try BackgroundRun(tool, arguments(simulator, ["--in-doubt", policy]))
            Thread.sleep(forTimeInterval: Double.random(in: 0.4...1.0))
            kill(run.process.processIdentifier, SIGKILL)
            _ = run.finish()
        }
        let last = try tool.run(
            arguments(simulator, ["--in-doubt", policy]),
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect([0, 1].contains(last.status))
        simulator.stop()
        let counts = try requestsPerKey(simulator)
        let invited = Set(
            try simulator.logEntries().filter { $0["outcome"] as? String == "invited" }.compactMap {
                $0["key"] as? String
            })
        let report = try reportRows(tool)
        #expect(report.count == rows)
        #expect(report.map { $0["row"] } == (1...rows).map { String($0) })
        let resent = counts.values.reduce(0) { $0 + max($1 - 1, 0) }
        if policy == "skip" {
            // At most once: nothing reached the server twice; what may have arrived is in doubt.
            #expect(resent == 0)
            #expect(report.allSatisfy { $0["status"] == "invited" || $0["status"] == "in_doubt" })
            #expect(report.filter { $0["status"] == "in_doubt" }.count <= 8 * kills)
            #expect(invited.count >= rows - 8 * kills)
        } else {
            // Every row reached the server; re-sends only for the rows in flight at each kill.
            #expect(invited.count == rows)
            #expect(resent <= 8 * kills)
            #expect(
                report.allSatisfy {
                    $0["status"] == "invited"
                        || $0["message"]?.contains("earlier run stopped") == true
                })
        }
    }
}
