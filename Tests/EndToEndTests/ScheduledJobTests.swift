import Foundation
import Testing

/// Nightly jobs over cumulative exports: people invited on an earlier night are done, not
/// failures; a limit spreads a batch over runs.
@Suite struct ScheduledJobTests {
    /// A Sendoso file of `people` rows, person N being `nightN@example.com`.
    func export(_ people: ClosedRange<Int>) -> String {
        var text = "First Name,Last Name,Email,Role,Team ID\n"
        for index in people {
            text += "Night,Person \(index),night\(index)@example.com,regular,1234\n"
        }
        return text
    }

    @Test func aCumulativeSecondDayExitsZeroWithTheRepeatedPeopleAlreadyInvited() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("day1.csv", export(1...30))
        try tool.write("day2.csv", export(1...45))
        let day1 = try runAgainst(
            simulator, tool, file: "day1.csv", report: "day1.csv.report.csv", ["--rate", "0"])
        #expect(day1.status == 0)
        let day2 = try runAgainst(
            simulator, tool, file: "day2.csv", report: "day2.csv.report.csv", ["--rate", "0"])
        #expect(day2.status == 0, "\(day2.stderr)")
        #expect(
            day2.stdout.hasPrefix(
                "45 rows: 15 invited, 30 already invited, 0 failed, 0 invalid, 0 duplicate, 0 not sent\n"
            ))
        let rows = try reportRows(tool, "day2.csv.report.csv")
        #expect(
            rows.prefix(30).allSatisfy {
                $0["status"] == "already_invited" && $0["http_status"] == "400"
            })
        #expect(rows[0]["message"] == "Email has already been invited")
        #expect(rows.suffix(15).allSatisfy { $0["status"] == "invited" })
        simulator.stop()
        let invited = try simulator.logEntries().filter { $0["outcome"] as? String == "invited" }
        #expect(invited.count == 45 && Set(invited.compactMap { $0["key"] as? String }).count == 45)
        // The strict reading, for those who want it.
        let strict = try runAgainst(
            try SimulatorProcess(["--token", "secret"]), tool, file: "day1.csv",
            report: "strict.csv",
            ["--rate", "0", "--already-invited", "fail"])
        #expect(strict.status == 0)
        #expect(try tool.run(["status", "--journal", "day2.csv.report.csv.journal"]).status == 0)
    }

    @Test func alreadyInvitedAsTheStrictReadingFails() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("day1.csv", export(1...3))
        _ = try runAgainst(simulator, tool, file: "day1.csv", report: "a.csv", ["--rate", "0"])
        let again = try runAgainst(
            simulator, tool, file: "day1.csv", report: "b.csv",
            ["--rate", "0", "--already-invited", "fail"])
        #expect(again.status == 1)
        #expect(try reportRows(tool, "b.csv").allSatisfy { $0["status"] == "failed" })
    }

    /// A run that stops (here its token is rejected) says so for every row it did not
    /// send, those past its --limit too: the limit is not why they were not sent.
    @Test func aStopSaysWhyForTheRowsPastTheLimitToo() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", export(1...8))
        let result = try runAgainst(
            simulator, tool, file: "people.csv", token: "wrong", ["--rate", "0", "--limit", "3"])
        simulator.stop()
        #expect(result.status == 3, "\(result.stderr)")
        let rows = try reportRows(tool)
        #expect(rows.count == 8)
        #expect(
            rows.allSatisfy {
                $0["status"] == "not_sent" && $0["attempts"] == "0"
                    || $0["message"] == "not sent: the API rejected the token (HTTP 401)"
            })
        #expect(
            rows.dropFirst().allSatisfy {
                $0["message"] == "not sent: the run stopped because the API rejected the token"
            }, "\(rows.map { $0["message"] ?? "" })")
    }

    @Test func aLimitSendsThatManyThenTheSameCommandGoesOn() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", export(1...25))
        let first = try runAgainst(
            simulator, tool, file: "people.csv", ["--rate", "0", "--limit", "10"])
        #expect(first.status == 4)
        #expect(
            first.stdout.hasPrefix(
                "25 rows: 10 invited, 0 failed, 0 invalid, 0 duplicate, 15 not sent\n"))
        #expect(first.stderr.contains("stopped at --limit 10; the same command sends the rest"))
        let rows = try reportRows(tool)
        #expect(
            rows.suffix(15).allSatisfy {
                $0["status"] == "not_sent" && $0["attempts"] == "0"
                    && $0["message"]
                        == "not sent: this run's --limit of 10 was reached; the same command sends it"
            })
        let second = try runAgainst(
            simulator, tool, file: "people.csv", ["--rate", "0", "--limit", "10"])
        #expect(second.status == 4)
        let third = try runAgainst(
            simulator, tool, file: "people.csv", ["--rate", "0", "--limit", "10"])
        #expect(third.status == 0)
        #expect(third.stdout.hasPrefix("25 rows: 25 invited,"))
        simulator.stop()
        let invited = try simulator.logEntries().compactMap { $0["key"] as? String }
        #expect(invited.count == 25 && Set(invited).count == 25)
        // In order: the first run sent the first ten rows.
        #expect(
            Array(invited.prefix(10)).sorted() == (1...10).map { "night\($0)@example.com" }.sorted()
        )
    }

    // MARK: What a scheduler reads

    static let schema = Tool.packageRoot.appendingPathComponent("deploy/summary.schema.json").path
    static let checker = Tool.packageRoot.appendingPathComponent(
        "Tests/EndToEndTests/Checkers/check_job_outputs.py"
    ).path

    /// The summary and metrics checked by real parsers; their facts.
    func checkedOutputs(_ tool: Tool, metrics: Bool = true) throws -> [String: Any] {
        let result = try tool.runShell(
            "python3 '\(Self.checker)' '\(Self.schema)' summary.json"
                + (metrics ? " metrics.prom" : ""))
        try NeededTool.checkerRan(result)
        #expect(result.status == 0, "\(result.stderr)")
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
            ?? [:]
    }

    @Test func everyExitLeavesASummaryThatMatchesItsSchemaAndTheReport() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", export(1...12) + "Bad,Row,nope,regular,1\n")
        try tool.write("nocolumn.csv", "Name\nAda\n")
        let outputs = ["--summary-json", "summary.json", "--metrics-file", "metrics.prom"]
        func check(_ result: ToolResult, _ code: Int32) throws -> [String: Any] {
            #expect(result.status == code, "\(result.stderr)")
            let facts = try checkedOutputs(tool)
            #expect((facts["exit_code"] as? Int) == Int(code))
            let metrics = facts["metrics"] as? [String: Double] ?? [:]
            #expect(metrics["batch_invite_last_run_exit_code"] == Double(code))
            return facts
        }
        // 4, then 1: a limit, then the rest with one invalid row; the counts are the report's.
        _ = try check(
            try runAgainst(
                simulator, tool, file: "people.csv", ["--rate", "0", "--limit", "5"] + outputs), 4)
        let done = try check(
            try runAgainst(simulator, tool, file: "people.csv", ["--rate", "0"] + outputs), 1)
        var fromReport: [String: Int] = [:]
        for row in try reportRows(tool) { fromReport[row["status"]!, default: 0] += 1 }
        let counts = (done["counts"] as? [String: Int] ?? [:]).filter { $0.value > 0 }
        #expect(counts == fromReport)
        #expect(counts == ["invited": 12, "invalid": 1])
        // 0: validate of a clean file.
        try tool.write("clean.csv", export(1...3))
        _ = try check(try tool.run(["validate", "clean.csv", "--target", "sendoso"] + outputs), 0)
        // 2: a missing column, and a command line that cannot be read at all.
        let missing = try check(
            try runAgainst(simulator, tool, file: "nocolumn.csv", report: "r2.csv", outputs), 2)
        #expect((missing["error"] as? String)?.contains("missing required columns") == true)
        let bogus = try tool.run([
            "validate", "clean.csv", "--bogus", "--summary-json", "summary.json",
        ])
        #expect(bogus.status == 2)
        #expect((try checkedOutputs(tool, metrics: false)["exit_code"] as? Int) == 2)
        // 3: the token rejected; the summary names no token.
        let rejected = try check(
            try runAgainst(
                simulator, tool, file: "clean.csv", token: "wrong-token-value", report: "r3.csv",
                outputs), 3)
        #expect((rejected["error"] as? String)?.contains("rejected the token") == true)
        #expect(!(try tool.read("summary.json")).contains("wrong-token-value"))
        // 5: nothing listens.
        let down = try tool.run(
            [
                "run", "clean.csv", "--target", "sendoso", "--base-url", "http://127.0.0.1:1",
                "--report", "r5.csv",
            ] + outputs,
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        _ = try check(down, 5)
        // A summary left by an earlier run is gone as soon as the next starts.
        try tool.write("summary.json", "stale")
        let busy = try tool.run([
            "run", "clean.csv", "--target", "sendoso", "--summary-json", "summary.json",
        ])
        #expect(busy.status == 2)
        #expect(try tool.read("summary.json") != "stale")
    }

    // MARK: A job in one file

    @Test func aConfigFileReproducesTheCommandLineAndRefusesSecrets() throws {
        let tool = try Tool()
        try tool.write(
            "people.csv",
            "Given Name,Surname,Mail,Team\nAda,L,ada@example.com,\nBob,M,bob@example.com,7\n"
                + "Cy,N,not-an-address,7\n")
        func reportAndKeys(_ arguments: [String]) throws -> (String, [String], Int32) {
            let simulator = try SimulatorProcess(["--token", "secret"])
            let result = try tool.run(
                [
                    "run", "people.csv", "--base-url", simulator.baseURL, "--report", "out.csv",
                    "--restart", "--reinvite",
                ]
                    + arguments, environment: ["JOB_TOKEN": "secret"])
            simulator.stop()
            let report = try tool.read("out.csv").split(separator: "\n").map {
                // expires_at differs from run to run: the rest must not.
                $0.split(separator: ",", omittingEmptySubsequences: false).prefix(6).joined(
                    separator: ",")
            }
            let keys = try simulator.logEntries().compactMap { $0["key"] as? String }.sorted()
            return (report.joined(separator: "\n"), keys, result.status)
        }
        let flags = [
            "--target", "sendoso", "--token-env", "JOB_TOKEN", "--rate", "0", "--concurrency", "2",
            "--role", "manager", "--team-group-id", "3", "--map", "Mail=email", "--progress",
            "none",
        ]
        try tool.writeConfig(
            "job.conf",
            """
            # the nightly job
            target = sendoso
            token-env = JOB_TOKEN
            rate = 0
            concurrency = 2
            role = manager
            team-group-id = 3
            map = "Mail=email"
            progress = none

            """)
        let byFlags = try reportAndKeys(flags)
        let byFile = try reportAndKeys(["--config", "job.conf"])
        #expect(byFlags.2 == 1 && byFile.2 == 1)
        #expect(byFlags.0 == byFile.0)
        #expect(byFlags.1 == ["ada@example.com", "bob@example.com"] && byFile.1 == byFlags.1)
        // The command line wins; --print-config shows what is in force.
        let printed = try tool.run([
            "run", "people.csv", "--config", "job.conf", "--rate", "4", "--print-config",
        ])
        #expect(printed.status == 0)
        #expect(
            printed.stdout.contains("\nrate = 4\n")
                && printed.stdout.contains("\nmap = \"Mail=email\"\n"))
        #expect(printed.stdout.contains("token-env = JOB_TOKEN\n"))
        // A secret, an unknown name: exit 2 before anything.
        try tool.writeConfig("secret.conf", "target = sendoso\ntoken = abc123\n")
        let secret = try tool.run([
            "run", "people.csv", "--config", "secret.conf", "--base-url", "http://127.0.0.1:1",
        ])
        #expect(secret.status == 2)
        #expect(secret.stderr.contains("line 2: a secret cannot be written in a config file"))
        try tool.writeConfig("typo.conf", "target = sendoso\nreprot-format = csv\n")
        let typo = try tool.run(["validate", "people.csv", "--config", "typo.conf"])
        #expect(typo.status == 2)
        #expect(
            typo.stderr.contains(
                "unknown option \"reprot-format\"; did you mean report-format?"))
    }

    // MARK: The ledger

    /// A CyberArk file of the IDs numbered `ids`.
    func ids(_ ids: ClosedRange<Int>) -> String {
        "ID\n" + ids.map { String(format: "00000000-0000-4000-8000-%012d\n", $0) }.joined()
    }

    func id(_ number: Int) -> String { String(format: "00000000-0000-4000-8000-%012d", number) }

    @Test func withALedgerASecondNightTextsOnlyTheNewPeople() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("night1.csv", ids(1...20))
        try tool.write("night2.csv", ids(1...30))
        let ledger = ["--rate", "0", "--ledger", "job.ledger"]
        let first = try runAgainst(
            simulator, tool, file: "night1.csv", target: "cyberark-sms", report: "n1.csv", ledger)
        #expect(first.status == 0)
        let second = try runAgainst(
            simulator, tool, file: "night2.csv", target: "cyberark-sms", report: "n2.csv", ledger)
        #expect(second.status == 0)
        #expect(second.stdout.hasPrefix("30 rows: 10 invited, 20 already invited, 0 failed,"))
        let rows = try reportRows(tool, "n2.csv")
        #expect(rows[0]["status"] == "already_invited" && rows[0]["attempts"] == "")
        #expect(rows[0]["message"]?.hasPrefix("invited on 20") == true)
        #expect(rows[0]["message"]?.hasSuffix(" by an earlier run (ledger job.ledger)") == true)
        Thread.sleep(forTimeInterval: 0.1)
        let sent = try simulator.logEntries().compactMap { $0["key"] as? String }
        #expect(sent.count == 30 && Set(sent).count == 30)
        // --reinvite-after 0: everyone again.
        let again = try runAgainst(
            simulator, tool, file: "night2.csv", target: "cyberark-sms", report: "n3.csv",
            ledger + ["--reinvite-after", "0"])
        #expect(again.status == 0)
        #expect(again.stdout.hasPrefix("30 rows: 30 invited,"))
        // Forget one (written as a person might: upper-case, a blank): the next night sends
        // to that one alone.
        let forget = try tool.run([
            "ledger", "forget", " " + id(7).uppercased(), "--ledger", "job.ledger", "--target",
            "cyberark-sms",
        ])
        #expect(forget.status == 0)
        let after = try runAgainst(
            simulator, tool, file: "night2.csv", target: "cyberark-sms", report: "n4.csv", ledger)
        #expect(after.stdout.hasPrefix("30 rows: 1 invited, 29 already invited,"))
        simulator.stop()
        #expect(try simulator.logEntries().count == 30 + 30 + 1)
        // show and compact agree with what happened.
        let shown = try tool.run(["ledger", "show", "--ledger", "job.ledger"])
        #expect(shown.stdout.split(separator: "\n").count == 30)
        #expect(shown.stderr == "30 invited, 0 in doubt\n")
        let compacted = try tool.run(["ledger", "compact", "--ledger", "job.ledger"])
        #expect(compacted.status == 0)
        #expect(try tool.read("job.ledger").split(separator: "\n").count == 31)
        #expect(try tool.run(["ledger", "show", "--ledger", "job.ledger"]).stdout == shown.stdout)
    }

    @Test func aKeyLeftInDoubtFollowsInDoubtOnTheNextNight() throws {
        let tool = try Tool()
        try tool.write("night1.csv", ids(1...3))
        // Every answer lost: the rows end in doubt, and the ledger says so.
        let lossy = try SimulatorProcess(["--token", "secret", "--drop-after", "1"])
        let first = try runAgainst(
            lossy, tool, file: "night1.csv", target: "cyberark-sms", report: "n1.csv",
            ["--rate", "0", "--ledger", "job.ledger", "--in-doubt", "skip"])
        #expect(first.status == 1)
        #expect(try reportRows(tool, "n1.csv").allSatisfy { $0["status"] == "in_doubt" })
        lossy.stop()
        let simulator = try SimulatorProcess(["--token", "secret"])
        try tool.write("night2.csv", ids(1...4))
        let skip = try runAgainst(
            simulator, tool, file: "night2.csv", target: "cyberark-sms", report: "n2.csv",
            ["--rate", "0", "--ledger", "job.ledger", "--in-doubt", "skip"])
        #expect(
            skip.stdout.hasPrefix(
                "4 rows: 1 invited, 0 failed, 0 invalid, 0 duplicate, 0 not sent, 3 in doubt"))
        #expect(
            try reportRows(tool, "n2.csv")[0]["message"]?.contains(
                "not sent again (--in-doubt skip)") == true)
        let retry = try runAgainst(
            simulator, tool, file: "night2.csv", target: "cyberark-sms", report: "n3.csv",
            ["--rate", "0", "--ledger", "job.ledger"])
        #expect(retry.status == 0)
        #expect(retry.stdout.hasPrefix("4 rows: 3 invited, 1 already invited,"))
        #expect(
            try reportRows(tool, "n3.csv")[0]["message"]?.contains("may have been invited twice")
                == true)
        simulator.stop()
        #expect(try simulator.logEntries().count == 1 + 3)
    }

    @Test func aDamagedOrBusyLedgerStopsTheRunBeforeAnythingIsSent() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", ids(1...3))
        let options = ["--rate", "0", "--ledger", "job.ledger"]
        #expect(
            try runAgainst(
                simulator, tool, file: "people.csv", target: "cyberark-sms", report: "a.csv",
                options
            ).status == 0)
        // A torn last line (a crash mid-append) is cut, and the run goes on.
        var text = try tool.read("job.ledger")
        try tool.write("job.ledger", text + "{\"t\":\"cyberark-sms\",\"k\":\"x")
        let torn = try runAgainst(
            simulator, tool, file: "people.csv", target: "cyberark-sms", report: "b.csv", options)
        #expect(torn.status == 0 && torn.stdout.hasPrefix("3 rows: 0 invited, 3 already invited,"))
        #expect(try tool.read("job.ledger") == text)
        // Damage elsewhere: exit 2 naming the line.
        text = try tool.read("job.ledger")
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: "\"s\":\"i\"", with: "\"s\":\"d\"")
        try tool.write("job.ledger", lines.joined(separator: "\n"))
        let damaged = try runAgainst(
            simulator, tool, file: "people.csv", target: "cyberark-sms", report: "c.csv", options)
        #expect(damaged.status == 2)
        #expect(damaged.stderr.contains("the ledger job.ledger is damaged at line 3"))
        try tool.write("job.ledger", text)
        // Held by another process: exit 5.
        let holder = try tool.runShell("flock -n job.ledger -c 'true'")
        #expect(holder.status == 0)
        let busy = Process()
        busy.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        busy.arguments = [tool.path("job.ledger"), "sleep", "5"]
        try busy.run()
        defer {
            busy.terminate()
            busy.waitUntilExit()
        }
        Thread.sleep(forTimeInterval: 0.3)
        let held = try runAgainst(
            simulator, tool, file: "people.csv", target: "cyberark-sms", report: "d.csv", options)
        #expect(held.status == 5)
        #expect(held.stderr.contains("the ledger job.ledger is in use"))
        simulator.stop()
        #expect(try simulator.logEntries().count == 3)
    }
}
