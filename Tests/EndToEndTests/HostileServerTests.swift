import Foundation
import Testing

/// `run` against servers that misbehave: redirects, endless or trickling answers, bodies
/// that are not the API's, echoed tokens, nothing listening.
@Suite struct HostileServerTests {
    func run(
        _ tool: Tool, _ baseURL: String, rows: Int = 3, report: String = "report.csv",
        _ extra: [String] = [], environment: [String: String] = [:]
    ) throws -> (result: ToolResult, seconds: Double) {
        try tool.write("people.csv", sendosoCSV(rows))
        let start = Date()
        let result = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", baseURL, "--progress",
                "none", "--report", report, "--rate", "0",
            ] + extra,
            environment: ["BATCH_INVITE_TOKEN": "tok-a1b2c3d4e5"].merging(environment) { $1 })
        return (result, Date().timeIntervalSince(start))
    }

    @Test func aRedirectAtTheFirstRequestStopsTheRunAndTheOtherHostReceivesNothing() throws {
        let elsewhere = try ServerProcess(
            script: "hostile_server.py", ["ok", "LOG", "--host", "127.0.0.2"])
        let server = try ServerProcess(
            script: "hostile_server.py",
            ["redirect", "LOG", "--location", elsewhere.url + "/api/v3/users"])
        let tool = try Tool()
        let (result, _) = try run(tool, server.url, rows: 5, ["--concurrency", "4"])
        #expect(result.status == 2)
        #expect(
            result.stderr.contains(
                "stopped at the first request: the API answered HTTP 307, a redirect to \(elsewhere.url)/api/v3/users"
            ))
        #expect(try server.received().count == 1)
        #expect(try elsewhere.received().isEmpty)
        let rows = try reportRows(tool)
        #expect(rows.count == 5 && !rows.contains { $0["status"] == "invited" })
        #expect(rows[0]["status"] == "failed" && rows[0]["http_status"] == "307")
        #expect(
            rows[0]["message"]?.contains("redirect to \(elsewhere.url)/api/v3/users, not followed")
                == true)
        #expect(rows.dropFirst().allSatisfy { $0["status"] == "not_sent" })
    }

    @Test func aRedirectLaterFailsItsRowWithTheLocationAndIsNeverFollowed() throws {
        let elsewhere = try ServerProcess(
            script: "hostile_server.py", ["ok", "LOG", "--host", "127.0.0.2"])
        let server = try ServerProcess(
            script: "hostile_server.py",
            ["redirect", "LOG", "--after", "2", "--location", elsewhere.url + "/x"])
        let tool = try Tool()
        let (result, _) = try run(tool, server.url, rows: 6, ["--concurrency", "1"])
        #expect(result.status == 1)
        #expect(try elsewhere.received().isEmpty)
        let rows = try reportRows(tool)
        #expect(rows.prefix(2).allSatisfy { $0["status"] == "invited" })
        #expect(
            rows.dropFirst(2).allSatisfy {
                $0["status"] == "failed" && $0["http_status"] == "307"
                    && $0["message"]?.hasPrefix("HTTP 307 redirect to \(elsewhere.url)/x") == true
            })
        #expect(try server.received().count == 6)
    }

    @Test func aHundredMegabyteAnswerIsCutAndEachRowSentOnce() throws {
        let server = try ServerProcess(script: "hostile_server.py", ["huge", "LOG"])
        let tool = try Tool()
        let (result, seconds) = try run(tool, server.url, rows: 4, ["--concurrency", "2"])
        #expect(result.status == 0)
        #expect(seconds < 20)
        let emails = try server.requests().compactMap { ($0["body"] as? String) }
        #expect(emails.count == 4 && Set(emails).count == 4)
        let rows = try reportRows(tool)
        #expect(
            rows.allSatisfy {
                $0["status"] == "invited"
                    && $0["message"]?.hasPrefix(
                        "invited (note: HTTP 201 Created, but the answer was not the JSON") == true
            })
    }

    @Test func aTricklingAnswerEndsAtTheDeadline() throws {
        let server = try ServerProcess(script: "hostile_server.py", ["trickle", "LOG"])
        let tool = try Tool()
        let (result, seconds) = try run(
            tool, server.url, rows: 1, ["--timeout", "3", "--max-attempts", "1"])
        #expect(seconds < 8)
        #expect(result.status == 1)
        let row = try reportRows(tool)[0]
        #expect(row["status"] == "failed")
        #expect(
            row["message"]
                == "gave up after 1 attempts: timed out after 3 s (note: attempt 1 timed out after 3 s; "
                + "the API may have acted on it, so this person may have been invited more than once)"
        )
    }

    @Test func aCreatedAnswerWithAnHTMLBodyIsInvitedWithANote() throws {
        let server = try ServerProcess(script: "hostile_server.py", ["html201", "LOG"])
        let tool = try Tool()
        let (result, _) = try run(tool, server.url, rows: 2)
        #expect(result.status == 0)
        let rows = try reportRows(tool)
        #expect(
            rows.allSatisfy {
                $0["status"] == "invited" && $0["http_status"] == "201"
                    && $0["message"]
                        == "invited (note: HTTP 201 Created, but the answer was not the JSON the API documents: <html><body><h1>Created</h1></body></html>)"
            })
    }

    @Test func aCyberArkAnswerWithoutItsVerdictIsInDoubt() throws {
        let server = try ServerProcess(script: "hostile_server.py", ["html200", "LOG"])
        let tool = try Tool()
        try tool.write("sms.csv", "ID\n3f2504e0-4f89-11d3-9a0c-0305e82c3301\n")
        let result = try tool.run(
            [
                "run", "sms.csv", "--target", "cyberark-sms", "--base-url", server.url,
                "--progress", "none", "--report", "report.csv", "--in-doubt", "skip",
            ],
            environment: ["BATCH_INVITE_TOKEN": "tok-a1b2c3d4e5"])
        #expect(result.status == 1)
        let row = try reportRows(tool)[0]
        #expect(row["status"] == "in_doubt" && row["http_status"] == "200")
        #expect(
            row["message"]
                == "in doubt: attempt 1 got HTTP 200 with an answer that is not the API's JSON: "
                + "<html><body><h1>Created</h1></body></html>, so the API may have acted on it; "
                + "not sent again (--in-doubt skip)")
        #expect(try server.received().count == 1)
    }

    @Test func aSignalEndsARequestInFlightAtItsDeadline() throws {
        let server = try ServerProcess(script: "hostile_server.py", ["trickle", "LOG"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(3))
        let run = try BackgroundRun(
            tool,
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", server.url,
                "--progress", "none", "--report", "report.csv", "--timeout", "3",
            ])
        Thread.sleep(forTimeInterval: 1)
        let signalled = Date()
        kill(run.process.processIdentifier, SIGTERM)
        let (status, stderr) = run.finish()
        #expect(Date().timeIntervalSince(signalled) < 4)
        #expect(status == 143)
        #expect(stderr.hasSuffix("stopped by SIGTERM (signal 15); run the same command to go on\n"))
        #expect(try server.received().count == 1)
        let rows = try reportRows(tool)
        #expect(rows.count == 3 && rows.dropFirst().allSatisfy { $0["status"] == "not_sent" })
        // The request that timed out may have arrived: in doubt, and so for the next run.
        #expect(rows[0]["status"] == "in_doubt")
        #expect(
            rows[0]["message"]
                == "in doubt: attempt 1 timed out after 3 s, so the API may have acted on it; not "
                + "sent again: the run was interrupted; the same run command sends it again "
                + "(--in-doubt retry) or reports it in_doubt (--in-doubt skip)")
        let shown = try tool.run(["status", "--journal", "report.csv.journal"])
        #expect(
            shown.status == 4
                && shown.stdout.contains("in doubt (dispatched, no answer recorded): rows 1\n"))
    }

    @Test func aTokenEchoedByTheAPIIsRedactedEverywhere() throws {
        let server = try ServerProcess(script: "hostile_server.py", ["echo-auth", "LOG"])
        let tool = try Tool()
        let (result, _) = try run(tool, server.url, rows: 2, report: "report.jsonl")
        #expect(result.status == 1)
        let report = try tool.read("report.jsonl")
        #expect(report.contains("rejected request with Bearer [redacted]"))
        for text in [result.stdout, result.stderr, report, try tool.read("report.jsonl.journal")] {
            #expect(!text.contains("tok-a1b2c3d4e5"))
        }
        // The server did receive it: the test would show nothing if the token were not sent.
        #expect(try server.received().joined().contains("Bearer tok-a1b2c3d4e5"))
    }

    @Test func aRefusedConnectionStopsAtTheFirstRequestWithExitFive() throws {
        let tool = try Tool()
        let (result, _) = try run(
            tool, "http://127.0.0.1:\(closedPort())", rows: 5, ["--concurrency", "4"])
        #expect(result.status == 5)
        #expect(result.stderr.contains("stopped at the first request: connection refused"))
        #expect(result.stderr.contains("nothing was sent; check --base-url"))
        let rows = try reportRows(tool)
        #expect(rows.count == 5 && rows.allSatisfy { $0["status"] == "not_sent" })
        #expect(rows[0]["message"]?.hasPrefix("not sent: connection refused") == true)
        #expect(rows.filter { $0["attempts"] == "1" }.count == 1)
    }

    /// libcurl is opened when a run first sends, not when the program starts: validate
    /// never loads it (the libraries it brings cost about 7 ms of every start). The
    /// loader's own trace (`LD_DEBUG=libs`) says which libraries each command loaded.
    @Test func onlyACommandThatSendsLoadsLibcurl() throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        let validated = try tool.run(
            ["validate", "people.csv", "--target", "sendoso"], environment: ["LD_DEBUG": "libs"])
        #expect(validated.status == 0)
        #expect(validated.stderr.contains("libFoundation.so"))
        #expect(!validated.stderr.contains("libcurl"))
        let (sent, _) = try run(
            tool, "http://127.0.0.1:\(closedPort())", rows: 2, environment: ["LD_DEBUG": "libs"])
        #expect(sent.status == 5)
        #expect(sent.stderr.contains("libcurl.so.4"))
    }

    @Test func loopbackIsNeverProxied() throws {
        let server = try ServerProcess(script: "hostile_server.py", ["ok", "LOG"])
        let tool = try Tool()
        let deadProxy = "http://127.0.0.1:\(closedPort())"
        let (result, _) = try run(
            tool, server.url, rows: 2, [],
            environment: [
                "http_proxy": deadProxy, "HTTPS_PROXY": deadProxy, "ALL_PROXY": deadProxy,
            ])
        #expect(result.status == 0)
        #expect(!result.stderr.contains("through the proxy"))
        #expect(try server.received().count == 2)
    }
}
