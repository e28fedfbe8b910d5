import Foundation
import Testing

@Suite struct ResumeTests {
    func arguments(
        _ simulator: SimulatorProcess, _ extra: [String] = [], concurrency: Int = 8, rate: Int = 0
    ) -> [String] {
        [
            "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL, "--rate",
            "\(rate)", "--concurrency", "\(concurrency)", "--progress", "none", "--report",
            "report.csv",
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

    @Test func anAnswerLostAfterProcessingIsRetriedAndItsSecondAnswerNoted() throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(1))
        var found = false
        for seed in 1...30 where !found {
            let simulator = try SimulatorProcess([
                "--token", "secret", "--drop-after", "0.5", "--seed", "\(seed)",
            ])
            _ = try tool.run(
                arguments(simulator, ["--restart"]), environment: ["BATCH_INVITE_TOKEN": "secret"])
            let row = try reportRows(tool)[0]
            // The second attempt meets the invitation the first made: already invited.
            if row["attempts"] == "2" && row["status"] == "already_invited" {
                #expect(row["http_status"] == "400")
                #expect(
                    row["message"]?.hasPrefix("Email has already been invited (note: attempt 1 ")
                        == true)
                #expect(row["message"]?.contains("may have been invited more than once") == true)
                found = true
            }
        }
        #expect(found)
    }

    @Test func retryFailedSendsRowsThatRanOutOnTransientErrorsAndLeavesRefusalsAlone() throws {
        // Faults are a function of the seed and each key's request count: this run is fixed.
        let simulator = try SimulatorProcess(["--token", "secret", "--p503", "0.3", "--seed", "11"])
        let tool = try Tool()
        try tool.write("before.csv", sendosoCSV(1))
        #expect(
            try runAgainst(simulator, tool, file: "before.csv", report: "before.report.csv").status
                == 0)
        try tool.write("people.csv", sendosoCSV(30))
        let environment = ["BATCH_INVITE_TOKEN": "secret"]
        let first = try tool.run(
            arguments(simulator, ["--max-attempts", "1"]), environment: environment)
        #expect(first.status == 1)
        let rows = try reportRows(tool)
        let failed = rows.filter { $0["status"] == "failed" }
        let already = rows.filter { $0["status"] == "already_invited" }
        let transient = failed.filter { $0["http_status"] == "503" }
        #expect(already.map { $0["key"] } == ["person1@example.com"])
        #expect(transient.count >= 3 && transient.count == failed.count)
        // The simulator writes its log every 50 ms: give it time before counting.
        Thread.sleep(forTimeInterval: 0.3)
        let requestsBefore = try simulator.logEntries().count
        // The same command again: every row has its final outcome, nothing is sent.
        let again = try tool.run(
            arguments(simulator, ["--max-attempts", "1"]), environment: environment)
        #expect(again.status == 1)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try simulator.logEntries().count == requestsBefore)
        let retried = try tool.run(
            arguments(simulator, ["--retry-failed"]), environment: environment)
        #expect(retried.status == 0)
        let report = try reportRows(tool)
        simulator.stop()
        #expect(report.filter { $0["status"] == "invited" }.count == 29)
        #expect(report[0]["status"] == "already_invited" && report[0]["http_status"] == "400")
        let sent = try simulator.logEntries().dropFirst(requestsBefore).compactMap {
            $0["key"] as? String
        }
        #expect(Set(sent) == Set(transient.compactMap { $0["key"] }))
    }

    @Test func aDamagedJournalStopsTheRunBeforeAnythingIsSent() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(3))
        let run = try tool.run(arguments(simulator), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(run.status == 0)
        let attributes = try FileManager.default.attributesOfItem(
            atPath: tool.path("report.csv.journal"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        var lines = try tool.read("report.csv.journal").split(
            separator: "\n", omittingEmptySubsequences: false
        ).map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: "\"type\"", with: "\"typf\"")
        try tool.write("report.csv.journal", lines.joined(separator: "\n"))
        let again = try tool.run(
            arguments(simulator), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("is damaged at line 3"))
        simulator.stop()
        #expect(try simulator.logEntries().count == 3)
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

    @Test func rowsLoggedAheadOfAKilledRunAreSentOnceAndOnlyThoseUnderWayAreInDoubt() throws {
        // Slow answers: 4 requests under way, up to 4 more rows logged ahead of them.
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "400"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(40))
        let options = arguments(simulator, ["--in-doubt", "skip"], concurrency: 4)
        let run = try BackgroundRun(tool, options)
        // The first request alone; once it is answered, a round of 4 goes out (and 4 more
        // rows are logged ahead). Killed while they are under way, whatever the start took.
        let deadline = Date().addingTimeInterval(10)
        while ((try? simulator.logEntries().count) ?? 0) < 2 && Date() < deadline {
            usleep(10_000)
        }
        Thread.sleep(forTimeInterval: 0.15)
        kill(run.process.processIdentifier, SIGKILL)
        _ = run.finish()
        // What the journal holds, and what reached the server.
        var keys: [Int: String] = [:]
        var answered = Set<Int>()
        var marked = Set<Int>()
        let journal = try String(
            contentsOf: tool.directory.appendingPathComponent("report.csv.journal"),
            encoding: .utf8)
        for line in journal.split(separator: "\n") {
            let record = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let row = record["row"] as? Int else { continue }
            switch record["type"] as? String {
            case "dispatch": keys[row] = record["key"] as? String
            case "outcome": answered.insert(row)
            case "sent": marked.insert(row)
            default: break
            }
        }
        let received = Set(try simulator.logEntries().compactMap { $0["key"] as? String })
        let underWay = Set(
            keys.filter { !answered.contains($0.key) && received.contains($0.value) }.keys)
        let loggedAhead = Set(keys.keys).subtracting(answered).subtracting(marked)
        #expect(!underWay.isEmpty && !loggedAhead.isEmpty, "\(journal)")
        // Nothing logged ahead reached the server; every row that did was marked first.
        #expect(loggedAhead.allSatisfy { !received.contains(keys[$0]!) })
        #expect(underWay.isSubset(of: marked))
        let status = try tool.run(["status", "--journal", "report.csv.journal"])
        let listed = status.stdout.split(separator: "\n").first {
            $0.hasPrefix("in doubt (dispatched, no answer recorded): rows ")
        }
        let inDoubt = Set(
            (listed?.split(separator: " ").dropFirst(7) ?? []).compactMap {
                Int($0.trimmingCharacters(in: CharacterSet(charactersIn: ",")))
            })
        // In doubt: the rows under way (marked, no answer), at most the 4 requests; not
        // the rows logged ahead.
        #expect(inDoubt == marked.subtracting(answered) && inDoubt.isSuperset(of: underWay))
        #expect((1...4).contains(inDoubt.count), "\(status.stdout)")
        // The same command skips what is in doubt and sends everything else, each once.
        let resumed = try tool.run(options, environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(
            resumed.stdout.contains("40 rows: \(40 - inDoubt.count) invited"), "\(resumed.stdout)")
        simulator.stop()
        let counts = try requestsPerKey(simulator)
        #expect(
            counts.values.allSatisfy { $0 == 1 }
                && counts.count == 40 - inDoubt.count + underWay.count)
        let report = try reportRows(tool)
        for row in loggedAhead {
            #expect(report[row - 1]["status"] == "invited")
            #expect(report[row - 1]["message"]?.contains("earlier run") == false)
        }
        for row in inDoubt { #expect(report[row - 1]["status"] == "in_doubt") }
    }

    @Test func rowsWaitingForTheRateAcrossKilledRunsAreNotInDoubt() throws {
        // Under a rate limit, rows logged ahead wait for their turn: each killed run leaves
        // some logged and never sent, some of them logged by the run before too.
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "100"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(40))
        let options = arguments(simulator, ["--in-doubt", "skip"], concurrency: 4)
        let slow = arguments(simulator, ["--in-doubt", "skip"], concurrency: 4, rate: 6)
        for _ in 0..<3 {
            let run = try BackgroundRun(tool, slow)
            Thread.sleep(forTimeInterval: Double.random(in: 0.9...1.3))
            kill(run.process.processIdentifier, SIGKILL)
            _ = run.finish()
        }
        let last = try tool.run(options, environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect([0, 1].contains(last.status))
        simulator.stop()
        let counts = try requestsPerKey(simulator)
        // Nothing twice (--in-doubt skip), and a row is in doubt only if it reached the API.
        #expect(counts.values.allSatisfy { $0 == 1 })
        let report = try reportRows(tool)
        #expect(report.count == 40)
        for row in report where row["status"] != "invited" {
            #expect(row["status"] == "in_doubt" && counts[row["key"] ?? ""] == 1, "\(row)")
        }
        #expect(report.filter { $0["status"] == "in_doubt" }.count <= 4 * 3)
    }

    @Test(arguments: ["retry", "skip"])
    func killedAtRandomMomentsTheSameCommandFinishesTheBatch(policy: String) throws {
        let simulator = try SimulatorProcess([
            "--token", "secret", "--latency-ms", "50", "--jitter-ms", "50",
        ])
        let tool = try Tool()
        let rows = 2000
        try tool.write("people.csv", sendosoCSV(rows))
        let kills = 5
        for _ in 0..<kills {
            let run = try BackgroundRun(tool, arguments(simulator, ["--in-doubt", policy]))
            Thread.sleep(forTimeInterval: Double.random(in: 0.4...1.0))
            #expect(processes(workingIn: tool.directory) == [run.process.processIdentifier])
            kill(run.process.processIdentifier, SIGKILL)
            let killed = Date()
            _ = run.finish()
            Thread.sleep(until: killed.addingTimeInterval(0.3))
            // Nothing of the killed run goes on sending (no helper process, no orphan).
            #expect(processes(workingIn: tool.directory).isEmpty)
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

/// The processes whose working directory is `directory` (the runs a test started there).
func processes(workingIn directory: URL) -> [Int32] {
    let target = directory.resolvingSymlinksInPath().path
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { Int32($0) }.filter {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\($0)/cwd")) == target
    }.sorted()
}
