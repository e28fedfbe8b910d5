import Foundation
import Testing

/// The same `run` command every night, as one crontab line runs it, over an export
/// rewritten at the same path: `--journal-dir`, `--ledger`, `--keep-days`,
/// `--invalid-rows`.
@Suite struct NightlyJobTests {
    /// A Sendoso export of `people`, person N being `nightN@example.com`, then `extra` lines.
    func export(_ people: ClosedRange<Int>, extra: String = "") -> String {
        "First Name,Last Name,Email,Role,Team ID\n"
            + people.map { "Night,Person \($0),night\($0)@example.com,regular,1234\n" }.joined()
            + extra
    }

    /// The cron line's arguments: the export, the directory, the ledger, then `extra`.
    func command(_ simulator: SimulatorProcess, _ extra: [String] = []) -> [String] {
        [
            "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
            "--rate", "0", "--progress", "none", "--journal-dir", "nights", "--ledger", "ledger",
        ] + extra
    }

    func night(_ tool: Tool, _ simulator: SimulatorProcess, _ extra: [String] = []) throws
        -> ToolResult
    {
        try tool.run(command(simulator, extra), environment: ["BATCH_INVITE_TOKEN": "secret"])
    }

    /// The name a night of the export now at `file` has: the first 16 hex digits of its
    /// SHA-256, as sha256sum prints it (and as batch-invite-nightly named it).
    func digest(_ tool: Tool, _ file: String = "people.csv") throws -> String {
        let result = try tool.runShell("sha256sum < '\(tool.path(file))' | cut -c1-16")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func files(_ tool: Tool, _ directory: String = "nights") throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: tool.path(directory)))
    }

    /// Each key the simulator answered `invited`, as many times as it did.
    func invited(_ simulator: SimulatorProcess) throws -> [String] {
        simulator.stop()
        return try simulator.logEntries().filter { $0["outcome"] as? String == "invited" }
            .compactMap { $0["key"] as? String }.sorted()
    }

    func people(_ range: ClosedRange<Int>) -> [String] {
        range.map { "night\($0)@example.com" }.sorted()
    }

    @Test func twoNightsOfTheSameCommandOverARewrittenExportInviteEachPersonOnce() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", export(1...3))
        let first = try night(tool, simulator)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("3 rows: 3 invited, 0 failed, 0 invalid,"))
        let one = try digest(tool)
        #expect(
            first.stderr.hasSuffix(
                "report: nights/\(one).report.csv; journal: nights/\(one).report.csv.journal\n"))
        // The export job rewrites the file: the same command starts a new journal, and the
        // ledger knows the first three.
        try tool.write("people.csv", export(1...5))
        let second = try night(tool, simulator)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(
            second.stdout.hasPrefix(
                "5 rows: 2 invited, 3 already invited, 0 failed, 0 invalid, 0 duplicate, 0 not sent\n"
            ))
        let two = try digest(tool)
        #expect(
            try files(tool).isSuperset(of: [
                "\(one).report.csv", "\(one).report.csv.journal", "\(two).report.csv",
                "\(two).report.csv.journal",
            ]))
        let rows = try reportRows(tool, "nights/\(two).report.csv")
        #expect(
            rows.map { $0["status"] ?? "" }
                == ["already_invited", "already_invited", "already_invited", "invited", "invited"])
        #expect(try invited(simulator) == people(1...5))
    }

    @Test func aNightKilledMidRunResumesWithTheSameCommand() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "100"])
        let tool = try Tool()
        try tool.write("people.csv", export(1...40))
        let arguments = command(simulator, ["--concurrency", "2"])
        let run = try BackgroundRun(tool, arguments)
        // Killed once a few invitations went out.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline
            && ((try? String(contentsOfFile: simulator.logPath, encoding: .utf8)) ?? "")
                .split(separator: "\n").count < 4
        {
            usleep(20_000)
        }
        kill(run.process.processIdentifier, SIGKILL)
        _ = run.finish()
        #expect(run.process.terminationReason == .uncaughtSignal)
        let sentBefore = try simulator.logEntries().count
        #expect(sentBefore >= 4 && sentBefore < 40)
        let again = try night(tool, simulator, ["--concurrency", "2"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("40 rows: "), "\(again.stdout)")
        #expect(again.stdout.contains("already done by an earlier run"), "\(again.stdout)")
        // One journal: the same export resumed its own.
        #expect(
            try files(tool).filter { $0.hasSuffix(".journal") } == [
                "\(try digest(tool)).report.csv.journal"
            ])
        #expect(try invited(simulator) == people(1...40))
    }

    /// A night of `people` run and finished (or stopped by `--limit`), its journal then
    /// made `daysAgo` days old; returns the night's digest.
    func pastNight(
        _ tool: Tool, _ simulator: SimulatorProcess, _ people: ClosedRange<Int>,
        daysAgo: Int, limit: Int? = nil
    ) throws -> String {
        try tool.write("people.csv", export(people))
        let result = try night(tool, simulator, limit.map { ["--limit", "\($0)"] } ?? [])
        #expect(result.status == (limit == nil ? 0 : 4), "\(result.stderr)")
        let name = try digest(tool)
        let touched = try tool.runShell(
            "touch -d '\(daysAgo) days ago' nights/\(name).report.csv.journal")
        #expect(touched.status == 0)
        return name
    }

    @Test func keepDaysRemovesOnlyOldFinishedRunsAndNamesTheUnfinishedOnes() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        let oldFinished = try pastNight(tool, simulator, 1...2, daysAgo: 40)
        let oldUnfinished = try pastNight(tool, simulator, 1...4, daysAgo: 40, limit: 1)
        let recent = try pastNight(tool, simulator, 1...3, daysAgo: 2)
        try tool.write("nights/notes.txt", "not ours\n")
        try tool.write("nights/\(oldFinished).report.csv.bak", "not ours either\n")
        try tool.write("people.csv", export(1...6))
        let tonight = try night(tool, simulator, ["--keep-days", "30"])
        #expect(tonight.status == 0, "\(tonight.stderr)")
        let lines = tonight.stderr.split(separator: "\n").map(String.init)
        #expect(
            lines.contains(
                "batch-invite run: --keep-days 30: removed 1 finished run older than 30 days "
                    + "from nights (3 files)"), "\(tonight.stderr)")
        #expect(
            lines.contains(
                "batch-invite run: --keep-days 30: kept nights/\(oldUnfinished).report.csv.journal: "
                    + "unfinished (1 not sent)"), "\(tonight.stderr)")
        let left = try files(tool)
        #expect(left.filter { $0.hasPrefix(oldFinished) } == ["\(oldFinished).report.csv.bak"])
        for kept in [oldUnfinished, recent, try digest(tool)] {
            #expect(left.isSuperset(of: ["\(kept).report.csv", "\(kept).report.csv.journal"]))
        }
        #expect(left.contains("notes.txt"))
        #expect(FileManager.default.fileExists(atPath: tool.path("ledger")))
        // Nobody is invited twice for it: the ledger remembers the removed night's people.
        #expect(try invited(simulator) == people(1...6))
    }

    @Test func invalidRowsReportExitsZeroWhenEveryValidRowIsInvited() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        let bad =
            "Bad,Address,not-an-address,regular,1234\nNight,Person 1,night1@example.com,regular,1234\n"
        try tool.write("people.csv", export(1...2, extra: bad))
        let reported = try night(
            tool, simulator, ["--invalid-rows", "report", "--summary-json", "summary.json"])
        #expect(reported.status == 0, "\(reported.stderr)")
        #expect(
            reported.stdout.hasPrefix(
                "4 rows: 2 invited, 0 failed, 1 invalid, 1 duplicate, 0 not sent\n"))
        let summary =
            try JSONSerialization.jsonObject(with: Data(try tool.read("summary.json").utf8))
            as? [String: Any]
        let counts = summary?["counts"] as? [String: Any]
        #expect(counts?["invalid"] as? Int == 1 && counts?["duplicate"] as? Int == 1)
        #expect(summary?["exit_code"] as? Int == 0)
        // The default, `fail`: the same rows make it 1, resumed or dry.
        let failed = try night(tool, simulator)
        #expect(failed.status == 1, "\(failed.stderr)")
        let dry = try night(tool, simulator, ["--dry-run", "--report", "plan.csv"])
        #expect(dry.status == 1, "\(dry.stderr)")
        let dryReported = try night(
            tool, simulator, ["--dry-run", "--report", "plan.csv", "--invalid-rows", "report"])
        #expect(dryReported.status == 0, "\(dryReported.stderr)")
        // validate is for finding them: no such option.
        let validate = try tool.run([
            "validate", "people.csv", "--target", "sendoso", "--invalid-rows", "report",
        ])
        #expect(validate.status == 2)
        #expect(try invited(simulator) == people(1...2))
    }

    @Test func journalDirWithoutALedgerOrWithJournalOrStandardInputStopsWithNothingSent() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", export(1...2))
        var noLedger = command(simulator)
        noLedger.removeSubrange(noLedger.firstIndex(of: "--ledger")!...)
        let withoutLedger = try tool.run(noLedger, environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(withoutLedger.status == 2)
        #expect(
            withoutLedger.stderr
                == "batch-invite run: --journal-dir needs --ledger PATH: each new export begins "
                + "a new journal, so without a ledger a changed export would invite everyone in "
                + "it again; --ledger none runs without one on purpose\n")
        let withJournal = try night(tool, simulator, ["--journal", "my.journal"])
        #expect(withJournal.status == 2)
        #expect(
            withJournal.stderr
                == "batch-invite run: --journal-dir names the journal, and so does --journal: "
                + "give one of them\n")
        var fromStandardInput = command(simulator)
        fromStandardInput[1] = "-"
        let piped = try tool.run(
            fromStandardInput, input: Array(export(1...2).utf8),
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(piped.status == 2)
        #expect(
            piped.stderr
                == "batch-invite run: --journal-dir names the journal by the input's content, "
                + "which standard input does not have before it is read: save it to a file "
                + "first, and give the file\n")
        // The night's report is among the files no other output may be.
        let clash = try night(
            tool, simulator, ["--summary-json", "nights/\(try digest(tool)).report.csv"])
        #expect(clash.status == 2)
        #expect(clash.stderr.contains("are the same file"), "\(clash.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tool.path("ledger")))
        // --ledger none, said on purpose: it runs.
        let none = try tool.run(
            noLedger + ["--ledger", "none"], environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(none.status == 0, "\(none.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tool.path("none")))
        #expect(try invited(simulator) == people(1...2))
    }
}
