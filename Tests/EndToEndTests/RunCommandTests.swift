import Foundation
import Testing

/// A Sendoso CSV of `count` valid people (`person<N>@example.com`), plus `extra` lines.
func sendosoCSV(_ count: Int, extra: String = "") -> String {
    var text = "First Name,Last Name,Email,Role,Team ID\n"
    for index in 1...count {
        text += "Person,Number \(index),person\(index)@example.com,regular,1234\n"
    }
    return text + extra
}

/// `run` against a simulator, with the token in the environment.
func runAgainst(
    _ simulator: SimulatorProcess, _ tool: Tool, file: String, target: String = "sendoso",
    token: String = "secret",
    report: String = "report.csv", _ extra: [String] = []
) throws -> ToolResult {
    try tool.run(
        [
            "run", file, "--target", target, "--base-url", simulator.baseURL, "--progress", "none",
            "--report", report,
        ]
            + extra,
        environment: ["BATCH_INVITE_TOKEN": token])
}

/// The report's rows as dictionaries keyed by column.
func reportRows(_ tool: Tool, _ name: String = "report.csv") throws -> [[String: String]] {
    let records = parseCSV(try tool.read(name))
    let header = records[0]
    return records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

/// A small RFC 4180 reader for the report (quoted cells may hold commas, quotes, newlines).
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var cell = ""
    var quoted = false
    var characters = Array(text)[...]
    while let character = characters.popFirst() {
        if quoted {
            if character == "\"" {
                if characters.first == "\"" {
                    cell.append("\"")
                    characters.removeFirst()
                } else {
                    quoted = false
                }
            } else {
                cell.append(character)
            }
        } else if character == "\"" {
            quoted = true
        } else if character == "," {
            record.append(cell)
            cell = ""
        } else if character == "\n" {
            record.append(cell)
            records.append(record)
            record = []
            cell = ""
        } else {
            cell.append(character)
        }
    }
    return records
}

@Suite struct RunCommandTests {
    @Test func everyValidRowIsInvitedExactlyOnceAndReportedWithItsExpiry() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write(
            "people.csv",
            sendosoCSV(
                40, extra: "Bad,Row,nope,regular,1\nPerson,Again,PERSON7@example.com,manager,1234\n"
            ))
        let result = try runAgainst(
            simulator, tool, file: "people.csv", ["--rate", "0", "--concurrency", "8"])
        #expect(result.status == 1)
        #expect(
            result.stdout.hasPrefix(
                "42 rows: 40 invited, 0 failed, 1 invalid, 1 duplicate, 0 not sent\n"))
        simulator.stop()
        let log = try simulator.logEntries()
        let invited = log.filter { $0["outcome"] as? String == "invited" }.compactMap {
            $0["key"] as? String
        }
        #expect(invited.count == 40)
        #expect(Set(invited).count == 40)
        #expect(!log.contains { ($0["key"] as? String) == "nope" })
        let rows = try reportRows(tool)
        #expect(rows.count == 42)
        #expect(rows.map { $0["row"] } == (1...42).map { String($0) })
        for row in rows.prefix(40) {
            #expect(
                row["status"] == "invited" && row["http_status"] == "201" && row["attempts"] == "1")
            #expect(
                row["invitation_status"] == "pending"
                    && row["expires_at"]?.hasSuffix("-08:00") == true)
        }
        #expect(rows[40]["status"] == "invalid")
        #expect(rows[41]["status"] == "duplicate" && rows[41]["message"] == "same email as row 7")
    }

    @Test func progressGoesToStandardErrorEveryFiveSecondsWhenNotATerminal() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(56))
        let result = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
                "--rate", "10",
                "--report", "report.csv", "--progress", "log",
            ],
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("progress: ") }
        #expect(lines.count == 1)
        #expect(
            lines.first?.contains("rows done") == true && lines.first?.contains("invited") == true)
        #expect(!result.stdout.contains("progress"))
    }

    @Test func brokenQuotingFarDownTheFileStopsBeforeAnythingIsSent() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(30, extra: "Bad,\"Quote,x@y.io,regular,1\n"))
        let result = try runAgainst(simulator, tool, file: "people.csv")
        #expect(result.status == 2)
        #expect(result.stderr.contains("line 32: a quoted field is never closed"))
        simulator.stop()
        let logged =
            FileManager.default.fileExists(atPath: simulator.logPath)
            ? try simulator.logEntries().count : 0
        #expect(logged == 0)
    }

    @Test func cyberArkErrorsAreFailuresWithTheirText() throws {
        let users = try Tool()
        let usersFile = try users.write("users.txt", "3f2504e0-4f89-11d3-9a0c-0305e82c3301\n")
        let simulator = try SimulatorProcess(["--token", "secret", "--users-file", usersFile])
        let tool = try Tool()
        try tool.write(
            "sms.csv",
            "ID\n3f2504e0-4f89-11d3-9a0c-0305e82c3301\n6fa459ea-ee8a-3ca4-894e-db77e160355e\n")
        let result = try runAgainst(simulator, tool, file: "sms.csv", target: "cyberark-sms")
        #expect(result.status == 1)
        let rows = try reportRows(tool)
        #expect(rows[0]["status"] == "invited" && rows[0]["http_status"] == "200")
        #expect(rows[1]["status"] == "failed")
        #expect(rows[1]["message"] == "User not found: 6fa459ea-ee8a-3ca4-894e-db77e160355e")
    }

    @Test func faultsAreRetriedUntilEveryRowIsInvitedExactlyOnce() throws {
        let simulator = try SimulatorProcess(
            [
                "--token", "secret", "--p503", "0.1", "--p429", "0.05", "--retry-after", "1",
                "--drop-before", "0.03", "--seed", "3",
            ])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(100))
        let result = try runAgainst(
            simulator, tool, file: "people.csv",
            ["--rate", "0", "--concurrency", "8", "--max-attempts", "8"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("100 rows: 100 invited, 0 failed"))
        simulator.stop()
        let log = try simulator.logEntries()
        let invited = log.filter { $0["outcome"] as? String == "invited" }.compactMap {
            $0["key"] as? String
        }
        #expect(invited.count == 100 && Set(invited).count == 100)
        let faults = Set(log.compactMap { $0["fault"] as? String })
        #expect(faults.isSuperset(of: ["503", "429", "drop-before"]))
        #expect(try reportRows(tool).allSatisfy { $0["status"] == "invited" })
    }

    @Test func theRateLimitHoldsAtTheServer() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(50))
        let started = Date()
        let result = try runAgainst(
            simulator, tool, file: "people.csv", ["--rate", "20", "--concurrency", "8"])
        #expect(result.status == 0)
        #expect(Date().timeIntervalSince(started) >= 2.3)
        simulator.stop()
        let times = try simulator.logEntries().compactMap {
            ($0["time"] as? String).flatMap(parseTime)
        }.sorted()
        #expect(times.count == 50)
        // The server sees each request a little after it was sent, later when the machine is
        // busy. Requests it sees within 0.9 s were sent within 1 s if those delays differ by
        // under 0.1 s, so a busy test machine cannot fail this check for the client.
        for (index, start) in times.enumerated() {
            let inWindow = times[index...].prefix { $0 < start + 0.9 }.count
            #expect(inWindow <= 21, "\(inWindow) requests within 0.9 s")
        }
    }

    @Test func a429WithoutRetryAfterSlowsTheSenderDownToWhatTheServerTakes() throws {
        let simulator = try SimulatorProcess([
            "--token", "secret", "--rate-limit", "10", "--burst", "2", "--omit-retry-after",
        ])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(80))
        let result = try runAgainst(
            simulator, tool, file: "people.csv",
            ["--rate", "100", "--concurrency", "8", "--max-attempts", "30"])
        #expect(result.status == 0)
        simulator.stop()
        let log = try simulator.logEntries()
        let throttled = log.filter { $0["fault"] as? String == "rate-limit" }.count
        let firstHalf = log.prefix(log.count / 2).filter { $0["fault"] as? String == "rate-limit" }
            .count
        // Throttling falls off as the rate converges: fewer 429s in the second half than in the first.
        #expect(throttled - firstHalf < firstHalf)
        #expect(throttled < 80)
        #expect(log.filter { $0["outcome"] as? String == "invited" }.count == 80)
    }

    @Test func aRejectedTokenStopsAfterAtMostConcurrencyRequests() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(60))
        let result = try runAgainst(
            simulator, tool, file: "people.csv", token: "wrong-token",
            ["--rate", "0", "--concurrency", "4"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("stopped: the API rejected the token (HTTP 401)"))
        simulator.stop()
        #expect(try simulator.logEntries().count <= 4)
        let rows = try reportRows(tool)
        #expect(rows.count == 60 && rows.allSatisfy { $0["status"] == "not_sent" })
        #expect(
            result.stdout.hasPrefix(
                "60 rows: 0 invited, 0 failed, 0 invalid, 0 duplicate, 60 not sent"))
    }

    @Test func anOutageStopsTheRunInsteadOfBurningThroughTheFile() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--p503", "1"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(200))
        let result = try runAgainst(
            simulator, tool, file: "people.csv",
            ["--rate", "0", "--concurrency", "4", "--max-attempts", "2"])
        #expect(result.status == 5)
        #expect(result.stderr.contains("rows in a row failed on transient errors (last: HTTP 503)"))
        let rows = try reportRows(tool)
        #expect(rows.count == 200)
        let failed = rows.filter { $0["status"] == "failed" }.count
        #expect(failed >= 20 && failed < 40)
        #expect(rows.filter { $0["status"] == "not_sent" }.count == 200 - failed)
        #expect(
            rows.first { $0["status"] == "failed" }?["message"]
                == "gave up after 2 attempts: HTTP 503")
    }

    @Test func aLostAnswerIsRetriedAndTheReportSaysItMayHaveArrivedTwice() throws {
        let tool = try Tool()
        try tool.write("sms.csv", "ID\n3f2504e0-4f89-11d3-9a0c-0305e82c3301\n")
        // With answers lost half the time, some seed loses the first and delivers a later one.
        var found = false
        for seed in 1...20 where !found {
            let simulator = try SimulatorProcess([
                "--token", "secret", "--drop-after", "0.5", "--seed", "\(seed)",
            ])
            let result = try runAgainst(
                simulator, tool, file: "sms.csv", target: "cyberark-sms", ["--max-attempts", "5"])
            let row = try reportRows(tool)[0]
            if row["attempts"] != "1" && row["status"] == "invited" {
                #expect(result.status == 0)
                #expect(row["message"]?.contains("may have been invited more than once") == true)
                found = true
            }
            try? FileManager.default.removeItem(atPath: tool.path("report.csv.journal"))
        }
        #expect(found)
    }

    @Test func httpIsRefusedForRemoteHostsAndTheTokenIsRequired() throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(1))
        let remote = try tool.run(
            ["run", "people.csv", "--target", "sendoso", "--base-url", "http://app.example.com"],
            environment: ["BATCH_INVITE_TOKEN": "t"])
        #expect(remote.status == 2)
        #expect(remote.stderr.contains("uses http:// to a remote host"))
        let noToken = try tool.run(
            ["run", "missing.csv", "--target", "sendoso", "--base-url", "https://app.example.com"],
            environment: [:])
        #expect(noToken.status == 2)
        #expect(
            noToken.stderr
                == "batch-invite run: no token: set the environment variable BATCH_INVITE_TOKEN (or pass --token-env NAME, "
                + "--token-file PATH, --token-command CMD or --oauth-token-url URL)\n"
        )
        let emptyFile = try tool.write("token.txt", "\n")
        let empty = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", "https://app.example.com",
                "--token-file", emptyFile,
            ])
        #expect(empty.status == 2)
        #expect(
            empty.stderr
                == "batch-invite run: the token file \(emptyFile): the first line is empty\n")
    }

    @Test func theTokenAppearsInNoOutputOrFile() throws {
        let secret = "tok-8f3a9c1e-very-secret"
        let simulator = try SimulatorProcess(["--token", secret, "--p503", "0.3", "--seed", "5"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(20, extra: "x,y,bad,regular,1\n"))
        let tokenFile = try tool.write("token.txt", secret + "\n")
        let good = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
                "--token-file", tokenFile,
                "--rate", "0", "--report", "good.csv", "--progress", "log",
            ])
        #expect(good.status == 1)
        let bad = try runAgainst(
            simulator, tool, file: "people.csv", token: secret + "x", report: "bad.csv")
        #expect(bad.status == 3)
        for text in [
            good.stdout, good.stderr, bad.stdout, bad.stderr, try tool.read("good.csv"),
            try tool.read("good.csv.journal"),
            try tool.read("bad.csv"), try tool.read("bad.csv.journal"),
        ] {
            #expect(!text.contains(secret))
        }
    }

    @Test func aDryRunSendsNothing() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(5))
        let result = try tool.run([
            "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
            "--dry-run",
        ])
        #expect(result.status == 0)
        #expect(result.stdout == "5 rows: 5 would be sent\n")
        simulator.stop()
        let logged =
            FileManager.default.fileExists(atPath: simulator.logPath)
            ? try simulator.logEntries().count : 0
        #expect(logged == 0)
    }

    @Test func reRunningAFinishedBatchSendsNothingAndKeepsTheReport() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(5, extra: "\nx,y,bad,regular,1\n"))
        #expect(try runAgainst(simulator, tool, file: "people.csv").status == 1)
        let first = try tool.read("report.csv")
        // The journal ends saying the input was read to its end: a re-run need not read it.
        #expect(
            try tool.read("report.csv.journal").contains(
                "{\"type\":\"end\",\"rows\":6,\"blank\":1,"))
        try FileManager.default.removeItem(atPath: tool.path("report.csv"))
        let again = try runAgainst(simulator, tool, file: "people.csv")
        #expect(again.status == 1)
        #expect(
            again.stdout.hasPrefix(
                "6 rows: 5 invited, 0 failed, 1 invalid, 0 duplicate, 0 not sent (6 already done by an earlier run); 1 blank row skipped\n"
            ))
        #expect(again.stdout.contains(" 0.0 invitations/s, 0 requests,"))
        #expect(try tool.read("report.csv") == first)
        simulator.stop()
        #expect(try simulator.logEntries().count == 5)
    }

    @Test func aJournalOfAnotherInputIsRefusedUnlessRestarted() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(3))
        #expect(try runAgainst(simulator, tool, file: "people.csv").status == 0)
        try tool.write("people.csv", sendosoCSV(4))
        let refused = try runAgainst(simulator, tool, file: "people.csv")
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains(
                "belongs to another run (input people.csv as it was then (its size or content changed))"
            ))
        let restarted = try runAgainst(simulator, tool, file: "people.csv", ["--restart"])
        // The first three are already invited at the server: done, with the fourth invited.
        #expect(restarted.status == 0)
        #expect(restarted.stdout.hasPrefix("4 rows: 1 invited, 3 already invited,"))
        // The old journal is set aside under its start time, and its people are remembered.
        let setAside = try FileManager.default.contentsOfDirectory(atPath: tool.directory.path)
            .filter {
                $0.range(of: #"^report\.csv\.journal\.\d{8}T\d{6}Z$"#, options: .regularExpression)
                    != nil
            }
        #expect(setAside.count == 1)
        #expect(FileManager.default.fileExists(atPath: tool.path("report.csv.journal.history")))
    }
}

private func parseTime(_ text: String) -> Double? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)?.timeIntervalSince1970
}
