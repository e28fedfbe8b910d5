import Foundation
import Testing

/// `run --dry-run` is the plan of the run the same command would make: it reads the
/// journal, the ledger and a restart's journal as the run would, says per row what would
/// happen, sends nothing and writes neither journal nor ledger (issue 26, item 1).
@Suite struct DryRunPlanTests {
    /// The options of every run and plan here, `extra` after them.
    func command(
        _ simulator: SimulatorProcess, _ file: String, _ extra: [String],
        report: String = "report.csv"
    ) -> [String] {
        [
            "run", file, "--target", "sendoso", "--base-url", simulator.baseURL, "--rate", "0",
            "--progress", "none", "--report", report,
        ] + extra
    }

    /// The bytes of the files a dry run must leave alone, by name (nil: no such file).
    func state(_ tool: Tool, _ names: [String]) -> [String: Data?] {
        Dictionary(
            uniqueKeysWithValues: names.map {
                ($0, FileManager.default.contents(atPath: tool.path($0)))
            })
    }

    @Test func aPlanOverAJournalAndALedgerSaysPerRowWhatTheRunWouldDoAndSendsNothing() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write(
            "people.csv",
            sendosoCSV(
                10,
                extra: "Bad,Row,nope,regular,1234\nPerson,Again,person1@example.com,regular,1234\n")
        )
        let first = try tool.run(
            command(simulator, "people.csv", ["--ledger", "job.ledger", "--limit", "4"]),
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(first.status == 4)
        let files = ["report.csv.journal", "job.ledger", "report.csv.journal.history"]
        let before = state(tool, files)
        let plan = try tool.run(
            command(
                simulator, "people.csv",
                [
                    "--ledger", "job.ledger", "--limit", "3", "--dry-run", "--summary-json",
                    "summary.json", "--metrics-file", "metrics.prom",
                ]),
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        // What the run would give if every request succeeded: 4, the limit leaves rows.
        #expect(plan.status == 4, "\(plan.stderr)")
        #expect(
            plan.stdout
                == "12 rows: 3 would be sent, 4 done by an earlier run, 3 over --limit, "
                + "1 invalid, 1 duplicate\n")
        #expect(
            plan.stderr.hasSuffix(
                "batch-invite run: dry run, nothing sent; the same command without --dry-run "
                    + "sends 3 rows\n"))
        let rows = try reportRows(tool)
        #expect(
            rows.map { $0["status"]! } == [
                "done", "done", "done", "done", "would_send", "would_send", "would_send",
                "over_limit", "over_limit", "over_limit", "invalid", "duplicate",
            ])
        #expect(rows[0]["message"] == "invited by an earlier run of this journal")
        #expect(rows[7]["message"] == "over --limit 3: a later run sends it")
        #expect(rows[11]["message"] == "same email as row 1")
        // Nothing sent, nothing written but the report and the summary.
        #expect(try simulator.logEntries().count == 4)
        #expect(state(tool, files) == before)
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(tool.read("summary.json").utf8))
                as? [String: Any])
        #expect(summary["dry_run"] as? Bool == true)
        // The summary matches its schema; the metrics count the plan.
        let facts = try ScheduledJobTests().checkedOutputs(tool)
        let metrics = facts["metrics"] as? [String: Double] ?? [:]
        #expect(metrics["batch_invite_rows[would_send]"] == 3)
        #expect(metrics["batch_invite_rows[over_limit]"] == 3)
        #expect(summary["exit_code"] as? Int == 4)
        let counts = try #require(summary["plan"] as? [String: Int])
        #expect(
            counts == [
                "would_send": 3, "would_reinvite": 0, "in_doubt": 0, "done": 4,
                "already_invited": 0, "failed": 0, "over_limit": 3, "invalid": 1, "duplicate": 1,
                "skipped": 0,
            ])
        // The real run then does what the plan said.
        let resumed = try tool.run(
            command(simulator, "people.csv", ["--ledger", "job.ledger", "--limit", "3"]),
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(resumed.status == 4)
        #expect(resumed.stdout.hasPrefix("12 rows: 7 invited,"))
        simulator.stop()
        #expect(try simulator.logEntries().count == 7)
    }

    @Test func aPlanForANewExportNamesWhoTheLedgerHasInvitedAndWhen() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("monday.csv", sendosoCSV(3))
        try tool.write("tuesday.csv", sendosoCSV(5))
        let monday = try tool.run(
            command(
                simulator, "monday.csv", ["--ledger", "job.ledger"], report: "monday.report"),
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(monday.status == 0, "\(monday.stderr)")
        let plan = try tool.run(
            command(
                simulator, "tuesday.csv",
                ["--ledger", "job.ledger", "--dry-run", "--html", "plan.html"]))
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout == "5 rows: 2 would be sent, 3 already invited\n")
        let rows = try reportRows(tool)
        let minute = try #require(
            rows[0]["message"]?.firstMatch(
                of:
                    #/^invited on (\d{4}-\d\d-\d\dT\d\d:\d\dZ) by an earlier run \(ledger job\.ledger\)$/#
            ))
        #expect(rows.prefix(3).allSatisfy { $0["status"] == "already_invited" })
        #expect(rows.suffix(2).allSatisfy { $0["status"] == "would_send" && $0["message"] == "" })
        let page = try tool.read("plan.html")
        #expect(page.contains("<h1>batch-invite run --dry-run: tuesday.csv</h1>"))
        #expect(
            page.contains(
                "Exit 0: a plan: the run would leave every row invited or already invited</p>"))
        #expect(page.contains("<td class=\"n\" data-status=\"would_send\">2</td>"))
        #expect(page.contains("<td class=\"n\" data-status=\"already_invited\">3</td>"))
        // --reinvite-after 0: everyone the ledger invited would be sent again, said why.
        let again = try tool.run(
            command(
                simulator, "tuesday.csv",
                ["--ledger", "job.ledger", "--dry-run", "--reinvite-after", "0"]))
        #expect(
            again.stdout == "5 rows: 2 would be sent, 3 would be sent again (--reinvite-after)\n")
        #expect(
            try reportRows(tool)[0]["message"]
                == "invited on \(minute.1) by an earlier run; would be sent again after "
                + "--reinvite-after 0 days")
        // No journal was made for tuesday, and no request was sent by either plan.
        #expect(!FileManager.default.fileExists(atPath: tool.path("report.csv.journal")))
        simulator.stop()
        #expect(try simulator.logEntries().count == 3)
    }

    @Test(arguments: ["retry", "skip"])
    func aPlanAfterAKilledRunSaysWhichRowsAreInDoubtAndWhatTheRunWillDo(policy: String) throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "400"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(20))
        let run = try BackgroundRun(
            tool, command(simulator, "people.csv", ["--concurrency", "4"]))
        let deadline = Date().addingTimeInterval(10)
        while ((try? simulator.logEntries().count) ?? 0) < 2 && Date() < deadline {
            usleep(10_000)
        }
        Thread.sleep(forTimeInterval: 0.15)
        kill(run.process.processIdentifier, SIGKILL)
        _ = run.finish()
        let status = try tool.run(["status", "--journal", "report.csv.journal"])
        let listed = status.stdout.split(separator: "\n").first {
            $0.hasPrefix("in doubt (dispatched, no answer recorded): rows ")
        }
        let inDoubt = Set(
            (listed?.split(separator: " ").dropFirst(7) ?? []).compactMap {
                Int($0.trimmingCharacters(in: CharacterSet(charactersIn: ",")))
            })
        #expect(!inDoubt.isEmpty, "\(status.stdout)")
        let journal = tool.path("report.csv.journal")
        let before = FileManager.default.contents(atPath: journal)
        let plan = try tool.run(
            command(simulator, "people.csv", ["--dry-run", "--in-doubt", policy]))
        let rows = try reportRows(tool)
        let planned = Set(rows.filter { $0["status"] == "in_doubt" }.compactMap { Int($0["row"]!) })
        #expect(planned == inDoubt)
        let message = rows.first { $0["status"] == "in_doubt" }?["message"] ?? ""
        if policy == "skip" {
            #expect(plan.status == 1)
            #expect(message.hasSuffix("; not sent again (--in-doubt skip)"))
            #expect(plan.stdout.contains("\(inDoubt.count) in doubt, not sent (--in-doubt skip)"))
        } else {
            #expect(plan.status == 0)
            #expect(message.hasSuffix("; would be sent again"))
            #expect(plan.stdout.contains("\(inDoubt.count) in doubt, would be sent again"))
        }
        #expect(FileManager.default.contents(atPath: journal) == before)
        #expect(rows.allSatisfy { ["done", "in_doubt", "would_send"].contains($0["status"]!) })
    }

    @Test func aPlanWithRestartReadsTheJournalTheRestartWouldSetAsideAndLeavesIt() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(4))
        #expect(try runAgainst(simulator, tool, file: "people.csv", ["--rate", "0"]).status == 0)
        // The export is rewritten: the journal belongs to another input.
        try tool.write("people.csv", sendosoCSV(6))
        let refused = try tool.run(command(simulator, "people.csv", ["--dry-run"]))
        let real = try tool.run(
            command(simulator, "people.csv", []), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(refused.status == 2 && real.status == 2)
        #expect(refused.stderr.contains("--restart"))
        let before = try tool.read("report.csv.journal")
        let plan = try tool.run(command(simulator, "people.csv", ["--dry-run", "--restart"]))
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout == "6 rows: 2 would be sent, 4 already invited\n")
        let rows = try reportRows(tool)
        #expect(
            rows[0]["message"]?.hasSuffix(
                "by the run this restart set aside (journal report.csv.journal)") == true)
        #expect(try tool.read("report.csv.journal") == before)
        let left = try FileManager.default.contentsOfDirectory(atPath: tool.directory.path)
        // Nothing set aside, no history made: the lock file is the first run's.
        #expect(
            !left.contains { $0.hasPrefix("report.csv.journal.") && !$0.hasSuffix(".lock") },
            "\(left)")
        simulator.stop()
        #expect(try simulator.logEntries().count == 4)
    }

    @Test func aPlanOfStandardInputIsToldApartFromTheJournalsInputLikeARun() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(3))
        let first = try tool.run(
            command(simulator, "-", ["--limit", "1", "--journal", "stdin.journal"]),
            input: Array(sendosoCSV(3).utf8), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(first.status == 4, "\(first.stderr)")
        let plan = try tool.run(
            command(simulator, "-", ["--dry-run", "--journal", "stdin.journal"]),
            input: Array(sendosoCSV(3).utf8))
        #expect(
            plan.stdout == "3 rows: 2 would be sent, 1 done by an earlier run\n", "\(plan.stderr)")
        let other = try tool.run(
            command(simulator, "-", ["--dry-run", "--journal", "stdin.journal"]),
            input: Array(sendosoCSV(4).utf8))
        #expect(other.status == 2)
        simulator.stop()
        #expect(try simulator.logEntries().count == 1)
    }
}
