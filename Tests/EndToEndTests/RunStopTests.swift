import Foundation
import Testing

/// Runs that stop (README, "Security" and "Exit codes"): what `status` and `report` say of
/// a killed run, the three signals, inputs that can be read only once or never end, and a
/// restart that remembers whom the journal it set aside invited.
@Suite struct RunStopTests {
    func arguments(_ simulator: SimulatorProcess, _ extra: [String] = []) -> [String] {
        [
            "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
            "--progress", "none", "--report", "report.csv",
        ] + extra
    }

    /// Waits until the simulator's request log has at least `count` lines.
    func waitForRequests(_ simulator: SimulatorProcess, _ count: Int) {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: simulator.logPath, encoding: .utf8)) ?? ""
            if text.split(separator: "\n").count >= count { return }
            usleep(20_000)
        }
    }

    @Test func statusOfAKilledRunCountsEveryInputRowAndSaysItIsUnfinished() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2000))
        // One row at a time, ten a second: most of the time no request is in flight.
        let run = try BackgroundRun(
            tool, arguments(simulator, ["--rate", "10", "--concurrency", "1"]))
        waitForRequests(simulator, 20)
        kill(run.process.processIdentifier, SIGKILL)
        _ = run.finish()
        let status = try tool.run(["status", "--journal", "report.csv.journal"])
        #expect(status.status == 4, "\(status.stdout)")
        #expect(status.stdout.contains("2000 rows: "))
        #expect(status.stdout.contains("not reached: "))
        #expect(status.stdout.contains("finished: no, the run did not write its end"))
        let json =
            try JSONSerialization.jsonObject(
                with: Data(
                    try tool.run(["status", "--journal", "report.csv.journal", "--json"]).stdout
                        .utf8))
            as! [String: Any]
        #expect(json["rows"] as? Int == 2000)
        #expect(json["finished"] as? Bool == false)
        #expect(json["input_rows"] as? Int == 2000)
        let counts = json["counts"] as! [String: Int]
        let reached = (counts["invited"] ?? 0) + (counts["in_doubt"] ?? 0)
        #expect(reached >= 20 && reached < 2000)
        #expect(counts["not_sent"] == 2000 - reached)
        #expect((json["not_reached"] as? Int ?? 0) == 2000 - reached)
        // The report rebuilt from the journal has every input row too.
        let report = try tool.run([
            "report", "--journal", "report.csv.journal", "--report", "again.csv",
        ])
        #expect(report.status == 0)
        let rows = try reportRows(tool, "again.csv")
        #expect(rows.count == 2000)
        #expect(
            rows.filter { $0["message"]?.hasPrefix("not reached: the run stopped") == true }.count
                == 2000 - reached)
        // The same command finishes the batch; then status says so.
        let resumed = try tool.run(
            arguments(simulator, ["--rate", "0"]), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let done = try tool.run(["status", "--journal", "report.csv.journal", "--json"])
        #expect(done.status == 0)
        #expect(done.stdout.contains("\"finished\":true") && done.stdout.contains("\"rows\":2000"))
    }

    @Test func statusOfARunThatReachedEveryRowIsOneWhenSomeFailedAndFourWhileRowsAreLeft() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--teams", "1234"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(4, extra: "Z,Y,z@example.com,regular,99\n"))
        #expect(try runAgainst(simulator, tool, file: "people.csv").status == 1)
        let finished = try tool.run(["status", "--journal", "report.csv.journal"])
        #expect(finished.status == 1)
        #expect(finished.stdout.contains("5 rows: 4 invited, 1 failed"))
        #expect(finished.stdout.contains("finished: yes"))
        // A limit leaves rows not sent: the run wrote its end, the batch is not finished.
        let limited = try Tool()
        try limited.write("people.csv", sendosoCSV(5))
        #expect(
            try runAgainst(simulator, limited, file: "people.csv", ["--limit", "2"]).status == 4)
        let left = try limited.run(["status", "--journal", "report.csv.journal"])
        #expect(left.status == 4 && left.stdout.contains("finished: no, rows are left to send"))
    }

    @Test(arguments: [(SIGHUP, Int32(129)), (SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func aSignalStopsTheWholeLoopCleanlyAndTheSameCommandFinishes(signal: Int32, code: Int32)
        throws
    {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "150"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(60))
        let extra = [
            "--rate", "0", "--concurrency", "2", "--summary-json", "summary.json",
            "--metrics-file", "metrics.prom", "--html", "page.html",
        ]
        let run = try BackgroundRun(tool, arguments(simulator, extra))
        waitForRequests(simulator, 4)
        kill(run.process.processIdentifier, signal)
        let (status, stderr) = run.finish()
        #expect(status == code)
        #expect(stderr.hasSuffix("(signal \(signal)); run the same command to go on\n"))
        let rows = try reportRows(tool)
        #expect(rows.count == 60)
        let summary =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: tool.path("summary.json"))))
            as! [String: Any]
        #expect(summary["exit_code"] as? Int == Int(code))
        #expect(summary["exit_meaning"] as? String == "interrupted")
        #expect(try tool.read("metrics.prom").contains("batch_invite_last_run_exit_code{"))
        #expect(FileManager.default.fileExists(atPath: tool.path("page.html")))
        #expect(try temporaryFiles(tool).isEmpty)
        let again = try tool.run(
            arguments(simulator, extra), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try reportRows(tool).allSatisfy { $0["status"] == "invited" })
        simulator.stop()
        // Each person got one invitation: nothing sent twice.
        let invited = try simulator.logEntries().filter { $0["outcome"] as? String == "invited" }
            .compactMap { $0["key"] as? String }
        #expect(invited.count == 60 && Set(invited).count == 60)
    }

    @Test func aSignalBeforeAnythingIsSentEndsTheRunAtOnce() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(3))
        for signal in [SIGHUP, SIGTERM] {
            let run = try BackgroundRun(
                tool,
                arguments(
                    simulator,
                    ["--token-command", "sleep 20; echo secret", "--summary-json", "s.json"]))
            Thread.sleep(forTimeInterval: 0.5)
            let sent = Date()
            kill(run.process.processIdentifier, signal)
            let (status, stderr) = run.finish()
            #expect(Date().timeIntervalSince(sent) < 5)
            #expect(status == 128 + signal)
            #expect(stderr.contains("before anything was sent"))
            #expect(try tool.read("s.json").contains("\"exit_code\":\(128 + signal)"))
        }
        simulator.stop()
        #expect(try simulator.logEntries().isEmpty)
    }

    @Test func temporaryFilesOfADeadRunAreRemovedAtTheNextStart() throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        // pid 999999 runs nowhere (Linux's pid_max is below 4,194,305 and such a pid is rare).
        for name in ["people.report.csv.tmp-999999", "s.json.tmp-999999", "page.html.tmp-999999"] {
            try tool.write(name, "left by a killed run")
        }
        let result = try tool.run([
            "validate", "people.csv", "--target", "sendoso", "--summary-json", "s.json", "--html",
            "page.html",
        ])
        #expect(result.status == 0)
        #expect(try temporaryFiles(tool).isEmpty)
    }

    @Test func theNightlyWrapperPassesSIGHUPOn() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "150"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(40))
        let wrapper = Tool.packageRoot.appendingPathComponent("deploy/batch-invite-nightly").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            wrapper, "people.csv", "state", "--target", "sendoso", "--base-url", simulator.baseURL,
            "--progress", "none", "--rate", "0", "--concurrency", "2",
        ]
        process.currentDirectoryURL = tool.directory
        process.environment = [
            "BATCH_INVITE": Tool.binary.path, "BATCH_INVITE_TOKEN": "secret",
            "BATCH_INVITE_LIMIT_IS_SUCCESS": "1", "PATH": "/usr/bin:/bin",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        waitForRequests(simulator, 4)
        kill(process.processIdentifier, SIGHUP)
        process.waitUntilExit()
        #expect(process.terminationStatus == 129)
        let reports = try FileManager.default.contentsOfDirectory(atPath: tool.path("state/nights"))
            .filter { $0.hasSuffix(".report.csv") }
        #expect(reports.count == 1)
    }

    @Test func aNamedPipeIsReadOnceAndResumedByContent() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        let csv = sendosoCSV(5)
        try mkfifo(tool, "people.csv")
        for _ in 0..<2 {
            let path = tool.path("people.csv")
            let writer = Thread { try? csv.write(toFile: path, atomically: false, encoding: .utf8) }
            writer.start()
            let result = try runAgainst(simulator, tool, file: "people.csv")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try reportRows(tool).count == 5)
            #expect(isFIFO(tool.path("people.csv")))
        }
        simulator.stop()
        // Read once per run; the second run resumed the first's journal and sent nothing.
        #expect(try simulator.logEntries().count == 5)
        #expect(try temporaryFiles(tool).isEmpty)
    }

    @Test func aStreamWithoutLineBreaksStopsWithExit2AndNothingSent() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        let hasZero = try makeNode(tool, "zero", minor: 5)
        var cases: [([String], [UInt8])] = [
            (["run", "-", "--encoding", "utf-16"], Array(repeating: 0, count: 17 << 20)),
            (["run", "-"], Array(repeating: UInt8(ascii: "a"), count: 17 << 20)),
            (["validate", "-"], Array(repeating: UInt8(ascii: "a"), count: 17 << 20)),
        ]
        if hasZero {
            cases += [
                (["run", "zero", "--encoding", "utf-16"], []),
                (["run", "zero", "--encoding", "utf-16", "--format", "jsonl"], []),
                (["validate", "zero", "--encoding", "utf-16"], []),
                (["inspect", "zero", "--encoding", "utf-16", "--raw"], []),
            ]
        }
        for (command, input) in cases {
            var line = command
            if command[0] != "inspect" { line += ["--target", "sendoso", "--report", "r.csv"] }
            if command[0] == "run" {
                line += ["--base-url", simulator.baseURL, "--progress", "none"]
            }
            let started = Date()
            let result = try tool.run(
                line, input: input, environment: ["BATCH_INVITE_TOKEN": "secret"])
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("16 MiB without a line break"), "\(command)")
            #expect(Date().timeIntervalSince(started) < 30)
        }
        simulator.stop()
        #expect(try simulator.logEntries().isEmpty)
        #expect(try temporaryFiles(tool).isEmpty)
    }

    @Test func aSignalEndsARunWaitingOnANamedPipe() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try mkfifo(tool, "people.csv")
        // A writer that opens the pipe and never writes.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec 3>\(tool.path("people.csv")); sleep 30"]
        try holder.run()
        defer { holder.terminate() }
        let run = try BackgroundRun(tool, arguments(simulator))
        Thread.sleep(forTimeInterval: 1)
        let sent = Date()
        kill(run.process.processIdentifier, SIGTERM)
        let (status, _) = run.finish()
        #expect(status == 143)
        #expect(Date().timeIntervalSince(sent) < 5)
    }

    @Test func aRestartRemembersWhomTheJournalItSetAsideInvited() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(4))
        #expect(try runAgainst(simulator, tool, file: "people.csv", ["--limit", "3"]).status == 4)
        // The export is replaced: the tool's own advice is --restart.
        try tool.write("people.csv", sendosoCSV(6))
        let refused = try runAgainst(simulator, tool, file: "people.csv")
        #expect(refused.status == 2 && refused.stderr.contains("--restart"))
        let restarted = try runAgainst(simulator, tool, file: "people.csv", ["--restart"])
        #expect(restarted.status == 0, "\(restarted.stderr)")
        let rows = try reportRows(tool)
        #expect(
            rows.prefix(3).allSatisfy {
                $0["status"] == "already_invited"
                    && $0["message"]?.hasPrefix("invited on ") == true
                    && $0["message"]?.contains(
                        "by the run this restart set aside (journal report.csv.journal.") == true
            })
        #expect(rows.suffix(3).allSatisfy { $0["status"] == "invited" })
        // A second restart keeps the first one's history and both old journals.
        try tool.write("people.csv", sendosoCSV(7))
        let again = try runAgainst(simulator, tool, file: "people.csv", ["--restart"])
        #expect(again.status == 0)
        #expect(try reportRows(tool).prefix(6).allSatisfy { $0["status"] == "already_invited" })
        let setAside = try FileManager.default.contentsOfDirectory(atPath: tool.directory.path)
            .filter { $0.hasPrefix("report.csv.journal.2") }
        #expect(setAside.count == 2)
        simulator.stop()
        let invited = try simulator.logEntries().compactMap { $0["key"] as? String }
        #expect(invited.count == 7 && Set(invited).count == 7)
        // --reinvite sends to them all the same.
        let simulator2 = try SimulatorProcess(["--token", "secret"])
        try tool.write("people.csv", sendosoCSV(8))
        let reinvited = try runAgainst(
            simulator2, tool, file: "people.csv", ["--restart", "--reinvite"])
        #expect(reinvited.status == 0)
        simulator2.stop()
        #expect(try simulator2.logEntries().count == 8)
    }

    @Test func aRestartFollowsInDoubtForRowsTheSetAsideJournalLeftInDoubt() throws {
        // Every answer is lost: rows the first run sent are left in doubt.
        let lossy = try SimulatorProcess(["--token", "secret", "--drop-after", "1"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        _ = try runAgainst(
            lossy, tool, file: "people.csv", ["--in-doubt", "skip", "--max-attempts", "1"])
        let doubtful = Set(
            try reportRows(tool).filter { $0["status"] == "in_doubt" }.compactMap { $0["key"] })
        #expect(!doubtful.isEmpty)
        let simulator = try SimulatorProcess(["--token", "secret"])
        try tool.write("people.csv", sendosoCSV(3))
        let skipped = try runAgainst(
            simulator, tool, file: "people.csv", ["--restart", "--in-doubt", "skip"])
        for row in try reportRows(tool) {
            if doubtful.contains(row["key"] ?? "") {
                #expect(row["status"] == "in_doubt", "\(skipped.stderr)")
                #expect(
                    row["message"]?.contains("the run this restart set aside sent it on") == true)
            } else {
                #expect(row["status"] == "invited")
            }
        }
        // Retried, they go out with the note that they may have arrived twice.
        try tool.write("people.csv", sendosoCSV(4))
        _ = try runAgainst(
            simulator, tool, file: "people.csv", ["--restart", "--in-doubt", "retry"])
        for row in try reportRows(tool) where doubtful.contains(row["key"] ?? "") {
            #expect(row["status"] == "invited")
            #expect(row["message"]?.contains("may have been invited twice") == true)
        }
        simulator.stop()
        let sent = try simulator.logEntries().compactMap { $0["key"] as? String }
        #expect(sent.filter { doubtful.contains($0) }.count == doubtful.count)
    }
}
