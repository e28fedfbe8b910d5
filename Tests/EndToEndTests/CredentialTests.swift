import Foundation
import Testing

/// Credentials for unattended runs against the simulator's OAuth token endpoint: tokens
/// that expire mid-run (from OAuth client credentials, a token command, a rotated file),
/// refused and unreachable token sources, the connection check, and the client secret
/// kept out of everything the run leaves.
@Suite struct CredentialTests {
    static let secret = "cs-7d41f0b2-do-not-print"

    /// The simulator with one OAuth client whose tokens last `lifetime` seconds.
    func simulator(lifetime: Double = 2, latencyMs: Int = 40, secret: String = secret) throws
        -> SimulatorProcess
    {
        try SimulatorProcess([
            "--oauth-client", "svc:\(secret)", "--token-lifetime", "\(lifetime)",
            "--latency-ms", "\(latencyMs)",
        ])
    }

    func run(
        _ simulator: SimulatorProcess, _ tool: Tool, _ credentials: [String],
        file: String = "people.csv", environment: [String: String] = [:]
    ) throws -> ToolResult {
        try tool.run(
            [
                "run", file, "--target", "sendoso", "--base-url", simulator.baseURL, "--progress",
                "none", "--report", "report.csv", "--rate", "0", "--concurrency", "8",
            ] + credentials,
            environment: ["OAUTH_SECRET": Self.secret].merging(environment) { $1 })
    }

    func oauth(_ simulator: SimulatorProcess) -> [String] {
        [
            "--oauth-token-url", simulator.baseURL + "/oauth2/platformtoken", "--client-id", "svc",
            "--client-secret-env", "OAUTH_SECRET",
        ]
    }

    /// Checks that every valid row was invited exactly once and how often a token was
    /// fetched; returns the token endpoint's calls.
    @discardableResult
    func expectEveryRowInvitedOnce(_ simulator: SimulatorProcess, rows: Int) throws -> Int {
        simulator.stop()
        let log = try simulator.logEntries()
        let invited = log.filter { $0["outcome"] as? String == "invited" }.compactMap {
            $0["key"] as? String
        }
        #expect(invited.count == rows)
        #expect(Set(invited).count == rows)
        return log.filter { $0["api"] as? String == "oauth" }.count
    }

    @Test func anOAuthRunOutlastingThreeTokenLifetimesInvitesEveryRowOnce() throws {
        let simulator = try simulator()
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(1200))
        let started = Date()
        let result = try run(simulator, tool, oauth(simulator))
        let seconds = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("1200 rows: 1200 invited, 0 failed,"))
        #expect(seconds > 6, "the run must outlast three lifetimes of 2 s: \(seconds) s")
        let calls = try expectEveryRowInvitedOnce(simulator, rows: 1200)
        #expect(calls >= 3 && calls <= 12, "\(calls) token requests")
        #expect(try reportRows(tool).allSatisfy { $0["attempts"] == "1" })
    }

    @Test func aTokenCommandIsRunAgainBeforeItsTokenExpires() throws {
        try NeededTool.curl.require()
        let simulator = try simulator()
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(1200))
        // As users write them: the secret from the environment, handed to curl on its
        // standard input (never on a command line).
        try tool.write(
            "token.sh",
            """
            #!/bin/sh
            printf 'user = "svc:%s"\\n' "$OAUTH_SECRET" |
                curl -sS -K - -d grant_type=client_credentials \(simulator.baseURL)/oauth2/platformtoken

            """)
        let result = try run(simulator, tool, ["--token-command", "sh token.sh"])
        #expect(result.status == 0, "\(result.stderr)")
        let calls = try expectEveryRowInvitedOnce(simulator, rows: 1200)
        #expect(calls >= 3 && calls <= 12, "\(calls) token requests")
    }

    @Test func aTokenFileRotatedMidRunIsReadAgainAfterA401() throws {
        let simulator = try simulator()
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(1200))
        let fetch =
            "printf 'user = \"svc:%s\"\\n' \"$OAUTH_SECRET\" | curl -sS -K - -d grant_type=client_credentials "
            + "\(simulator.baseURL)/oauth2/platformtoken | "
            + "sed -n 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/p'"
        let first = try tool.runShell(
            "\(fetch) > token.txt", environment: ["OAUTH_SECRET": Self.secret])
        #expect(first.status == 0)
        // A sidecar that writes a fresh token every 0.3 s (atomically, by rename), with
        // nothing slow to start (no interpreter), so that a loaded machine still rotates it
        // well within the token's 2 s lifetime.
        let sidecar = Process()
        sidecar.executableURL = URL(fileURLWithPath: "/bin/sh")
        sidecar.arguments = [
            "-c", "while :; do \(fetch) > token.tmp && mv token.tmp token.txt; sleep 0.3; done",
        ]
        sidecar.currentDirectoryURL = tool.directory
        sidecar.environment = ProcessInfo.processInfo.environment.merging([
            "OAUTH_SECRET": Self.secret
        ]) { $1 }
        try sidecar.run()
        defer {
            sidecar.terminate()
            sidecar.waitUntilExit()
        }
        let result = try run(simulator, tool, ["--token-file", tool.path("token.txt")])
        #expect(result.status == 0, "\(result.stderr)")
        try expectEveryRowInvitedOnce(simulator, rows: 1200)
    }

    @Test func aWrongClientSecretStopsWithExit3AndNothingSent() throws {
        let simulator = try simulator()
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(5))
        let result = try run(
            simulator, tool, oauth(simulator), environment: ["OAUTH_SECRET": "not-the-secret"])
        #expect(result.status == 3)
        #expect(
            result.stderr
                == "batch-invite run: the token endpoint \(simulator.baseURL)/oauth2/platformtoken refused "
                + "the client \"svc\" (HTTP 401, error invalid_client (client authentication failed))\n"
        )
        simulator.stop()
        #expect(try simulator.logEntries().allSatisfy { $0["api"] as? String == "oauth" })
        #expect(!FileManager.default.fileExists(atPath: tool.path("report.csv")))
    }

    @Test func anUnreachableTokenEndpointExits5() throws {
        let simulator = try simulator()
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(5))
        let result = try run(
            simulator, tool,
            [
                "--oauth-token-url", "http://127.0.0.1:1/oauth2/platformtoken", "--client-id",
                "svc",
                "--client-secret-env", "OAUTH_SECRET",
            ])
        #expect(result.status == 5)
        #expect(result.stderr.contains("could not be reached: connection refused"))
        #expect(result.stderr.contains("check --oauth-token-url"))
        // A token command that cannot reach its source: exit 5 too, its message quoted.
        let command = try run(
            simulator, tool, ["--token-command", "echo 'vault: connection refused' >&2; exit 1"])
        #expect(command.status == 5)
        #expect(
            command.stderr
                == "batch-invite run: the token command exited with status 1: vault: connection refused\n"
        )
        simulator.stop()
        #expect(try simulator.logEntries().isEmpty)
    }

    @Test func theClientSecretAndTokensAppearNowhere() throws {
        // A secret of this test's own: the other tests' simulators have theirs on their
        // command lines.
        let secret = "leak-test-4b9e2a71-secret"
        let simulator = try simulator(lifetime: 1, latencyMs: 20, secret: secret)
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(300, extra: "x,y,bad,regular,1\n"))
        // Every process's command line, sampled while the run goes (the simulator excepted:
        // it stands in for the tenant, which knows the secret).
        let leaks = Leaks()
        let stop = DispatchSemaphore(value: 0)
        let simulatorPID = simulator.process.processIdentifier
        let sampler = Thread {
            while stop.wait(timeout: .now() + 0.01) == .timedOut {
                leaks.scan(excluding: simulatorPID, secret: secret)
            }
        }
        sampler.start()
        let result = try run(
            simulator, tool, oauth(simulator) + ["--journal", "run.journal"],
            environment: ["OAUTH_SECRET": secret])
        stop.signal()
        #expect(result.status == 1)
        simulator.stop()
        let tokens = try simulator.logEntries().count
        #expect(tokens > 300)
        var everything = result.stdout + result.stderr
        for name in try FileManager.default.contentsOfDirectory(atPath: tool.directory.path) {
            everything += (try? String(contentsOfFile: tool.path(name), encoding: .utf8)) ?? ""
        }
        #expect(!everything.contains(secret))
        #expect(!everything.contains("sim."), "an issued token (they start sim.) was stored")
        #expect(leaks.found.isEmpty, "\(leaks.found)")
        // The connection check says what worked, and prints no secret either.
        let check = try tool.run(
            [
                "run", "--dry-run", "--check-connection", "--target", "sendoso", "--base-url",
                simulator.baseURL,
            ] + oauth(simulator), environment: ["OAUTH_SECRET": secret])
        #expect(check.status == 5)  // the simulator is stopped now
        #expect(!(check.stdout + check.stderr).contains(secret))
    }

    @Test func checkConnectionSaysWhatWorkedAndExitsWithWhatFailed() throws {
        let simulator = try simulator(lifetime: 60, latencyMs: 0)
        let tool = try Tool()
        let base = [
            "run", "--dry-run", "--check-connection", "--target", "sendoso", "--base-url",
            simulator.baseURL,
        ]
        let good = try tool.run(
            base + oauth(simulator) + ["--check-path", "/api/v3/me"],
            environment: ["OAUTH_SECRET": Self.secret])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(
            good.stdout == """
                token: ok, from the token endpoint \(simulator.baseURL)/oauth2/platformtoken, valid for 60 s
                connection: ok, connected to 127.0.0.1 (plain HTTP)
                GET /api/v3/me: ok, HTTP 200
                everything checked worked; no invitation was sent

                """)
        let refused = try tool.run(
            base + oauth(simulator), environment: ["OAUTH_SECRET": "wrong-secret"])
        #expect(refused.status == 3)
        #expect(refused.stdout.hasPrefix("token: failed: the token endpoint"))
        let rejected = try tool.run(
            base + ["--check-path", "/api/v3/me"], environment: ["BATCH_INVITE_TOKEN": "nope"])
        #expect(rejected.status == 3)
        #expect(rejected.stdout.hasSuffix("GET /api/v3/me: HTTP 401, the API rejected the token\n"))
        let down = try tool.run(
            [
                "run", "--dry-run", "--check-connection", "--target", "sendoso", "--base-url",
                "http://127.0.0.1:1",
            ], environment: ["BATCH_INVITE_TOKEN": "t0k3n"])
        #expect(down.status == 5)
        #expect(down.stdout.contains("connection: failed: connection refused"))
        simulator.stop()
        #expect(try simulator.logEntries().allSatisfy { $0["api"] as? String == "oauth" })
    }

    @Test func oneTokenSourceAndNoSecretOnTheCommandLine() throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(1))
        let base = [
            "run", "people.csv", "--target", "sendoso", "--base-url", "https://api.example.com",
        ]
        let two = try tool.run(base + ["--token-file", "t", "--token-command", "true"])
        #expect(two.status == 2)
        #expect(two.stderr.contains("give one token source, not --token-file and --token-command"))
        let noSecret = try tool.run(
            base + [
                "--oauth-token-url", "https://id.example.com/oauth2/platformtoken", "--client-id",
                "svc",
            ])
        #expect(noSecret.status == 2)
        #expect(noSecret.stderr.contains("--client-secret-env NAME or --client-secret-file PATH"))
        let plain = try tool.run(
            base + [
                "--oauth-token-url", "http://id.example.com/oauth2/platformtoken", "--client-id",
                "svc",
                "--client-secret-env", "S",
            ], environment: ["S": "x"])
        #expect(plain.status == 2)
        #expect(
            plain.stderr.contains(
                "--oauth-token-url \"http://id.example.com/oauth2/platformtoken\" uses http://"))
    }
}

/// Processes whose command line held a secret, found by scanning /proc.
final class Leaks: @unchecked Sendable {
    // Safe to share: `found` is only touched with `lock` held.
    private let lock = NSLock()
    private var pids: [String] = []

    var found: [String] {
        lock.lock()
        defer { lock.unlock() }
        return pids
    }

    func scan(excluding excluded: Int32, secret: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
            return
        }
        for pid in entries where Int32(pid) != nil && Int32(pid) != excluded {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else {
                continue
            }
            if String(decoding: data, as: UTF8.self).contains(secret) {
                lock.lock()
                pids.append(
                    pid + ": " + String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self))
                lock.unlock()
            }
        }
    }
}
