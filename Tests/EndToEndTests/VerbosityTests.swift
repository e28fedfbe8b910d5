import Foundation
import Testing

/// The `http:` lines (`--verbose`) of `stderr`, with the time (`N ms`) written `T`.
func exchanges(_ stderr: String) -> [String] {
    stderr.split(separator: "\n").filter { $0.hasPrefix("http: ") }.map {
        String($0).replacing(#/ [0-9]+ ms/#, with: " T")
    }
}

/// `--verbose` shows each HTTP exchange in a line on stderr with no secret in it;
/// `--quiet` leaves only errors.
@Suite struct VerbosityTests {
    @Test func verboseShowsEachExchangeInALine() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        let result = try runAgainst(
            simulator, tool, file: "people.csv", ["--verbose", "--concurrency", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = exchanges(result.stderr)
        #expect(lines.count == 2)
        for line in lines {
            #expect(line.hasPrefix("http: POST /api/v3/users 201 T: {\"success\":true,"), "\(line)")
        }
        #expect(!result.stderr.contains("secret"))
    }

    @Test(arguments: ["raw", "unicode", "percent", "straddle"])
    func aFourHundredIsShownWithTheSecretRedacted(style: String) throws {
        let server = try ServerProcess(
            script: "hostile_server.py", ["echo-request", "LOG", "--style", style])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(1))
        let token = SecretRedactionTests.token
        let result = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", server.url,
                "--progress", "none", "--verbose",
            ], environment: ["BATCH_INVITE_TOKEN": token])
        server.stop()
        #expect(result.status == 1, "\(result.stderr)")
        let lines = exchanges(result.stderr)
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.hasPrefix("http: POST /api/v3/users 400 T: {\"success\":false,\"request\":\""))
        #expect(line.contains("[reda"), "\(line)")
        #expect(line.count <= "http: POST /api/v3/users 400 T: ".count + 200)
        for piece in SecretRedactionTests.tokenPieces {
            #expect(!result.stderr.contains(piece), "\(piece) in \(result.stderr)")
        }
        #expect(try server.received().joined().contains("Bearer \(token)"))
    }

    @Test func quietLeavesNothingButTheReport() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        // A column no target uses is a warning; the report still has every row.
        try tool.write(
            "people.csv",
            sendosoCSV(3).replacingOccurrences(of: "Team ID\n", with: "Team ID,Desk\n"))
        let run = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
                "--report", "report.csv", "--progress", "log", "--quiet",
            ], environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "" && run.stderr == "")
        #expect(try reportRows(tool).map { $0["status"] } == ["invited", "invited", "invited"])
        let plan = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
                "--report", "plan.csv", "--dry-run", "--quiet",
            ], environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout == "" && plan.stderr == "")
        #expect(try tool.read("plan.csv").split(separator: "\n").count == 4)
        let loud = try tool.run([
            "validate", "people.csv", "--target", "sendoso", "--report", "v.csv",
        ])
        #expect(loud.stderr.contains("warning"), "\(loud.stderr)")
        let validate = try tool.run([
            "validate", "people.csv", "--target", "sendoso", "--report", "v.csv", "--quiet",
        ])
        #expect(validate.status == 0)
        #expect(validate.stdout == "" && validate.stderr == "")
        #expect(try tool.read("v.csv").split(separator: "\n").count == 4)
    }

    @Test func quietStillSaysWhyARunStopped() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        let result = try runAgainst(
            simulator, tool, file: "people.csv", token: "wrong", ["--quiet"])
        #expect(result.status == 3)
        #expect(result.stdout == "")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("batch-invite run: "), "\(result.stderr)")
    }

    @Test func quietAndVerboseGoOneWithoutTheOther() throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(1))
        let result = try tool.run([
            "run", "people.csv", "--target", "sendoso", "--base-url", "http://127.0.0.1:1",
            "--quiet", "--verbose",
        ])
        #expect(result.status == 2)
        #expect(
            result.stderr == "batch-invite run: --quiet and --verbose go one without the other\n")
    }
}
