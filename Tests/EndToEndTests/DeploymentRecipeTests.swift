import Foundation
import Testing

/// The recipes in deploy/ and the Dockerfile, checked by the validators their users run
/// (systemd-analyze, kubernetes-validate, hadolint), and the wrapper the CronJob runs
/// (exit 4 as 0; the form of earlier versions too), run against the simulator.
@Suite struct DeploymentRecipeTests {
    static let checker = Tool.packageRoot.appendingPathComponent(
        "Tests/EndToEndTests/Checkers/check_recipes.py"
    ).path

    /// The release binary when `make test` built it (the image's binary is a release
    /// build), else the one under test: they load the same system libraries.
    static let releaseBinary: URL = {
        let release = Tool.packageRoot.appendingPathComponent(".build/release/batch-invite")
        return FileManager.default.isExecutableFile(atPath: release.path) ? release : Tool.binary
    }()

    func check(_ what: String, binary: URL = Tool.binary) throws {
        let result = try Tool().runShell(
            "python3 '\(Self.checker)' '\(Tool.packageRoot.path)' '\(binary.path)' \(what)")
        #expect(
            result.status == 0 || result.status == NeededTool.checkerMissingToolStatus,
            "\(result.stderr)")
        try NeededTool.checkerRan(result)
    }

    @Test func theSystemdUnitsPassSystemdAnalyzeVerify() throws {
        try check("systemd")
    }

    @Test func theCronJobPassesKubernetesValidate() throws {
        try check("kubernetes")
    }

    @Test func theDockerfilePassesHadolintAndInstallsWhatTheBinaryLoads() throws {
        if Self.releaseBinary == Tool.binary {
            print("Dockerfile: no release build; the libraries are those of \(Tool.binary.path)")
        }
        try check("docker", binary: Self.releaseBinary)
    }

    // MARK: batch-invite-nightly

    static let script = Tool.packageRoot.appendingPathComponent("deploy/batch-invite-nightly").path

    /// The wrapper run through the shell on `input` against the simulator, `options` after
    /// its own, then `then` (more shell); `limitIsSuccess` as a scheduler's job sets it.
    func night(
        _ tool: Tool, _ simulator: SimulatorProcess, _ input: String,
        options: String = "--summary-json state/summary.json", then: String = "",
        limitIsSuccess: Bool = false
    ) throws -> ToolResult {
        let script: String = Self.script
        var environment = ["BATCH_INVITE": Tool.binary.path, "BATCH_INVITE_TOKEN": "secret"]
        if limitIsSuccess { environment["BATCH_INVITE_LIMIT_IS_SUCCESS"] = "1" }
        return try tool.runShell(
            "'\(script)' '\(input)' state --target sendoso --base-url '\(simulator.baseURL)' "
                + "--rate 0 --progress none \(options)\(then)",
            environment: environment)
    }

    func export(_ people: ClosedRange<Int>) -> String {
        "First Name,Last Name,Email,Role,Team ID\n"
            + people.map { "Night,Person \($0),night\($0)@example.com,regular,1234\n" }.joined()
    }

    @Test func twoNightsThroughTheWrapperInviteEachPersonOnceWithAJournalPerExport() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        // The export job overwrites the same file every night.
        try tool.write("people.csv", export(1...3))
        let first = try night(tool, simulator, "people.csv")
        #expect(first.status == 0, "\(first.stderr)")
        try tool.write("people.csv", export(1...5))
        let second = try night(tool, simulator, "people.csv")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.hasPrefix("5 rows: 2 invited, 3 already invited, 0 failed"))
        // The same export again (a restart after exit 5, say) resumes its own journal.
        let again = try night(tool, simulator, "people.csv")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("an earlier run"), "\(again.stdout)")
        let nights = try FileManager.default.contentsOfDirectory(atPath: tool.path("state/nights"))
        #expect(nights.filter { $0.hasSuffix(".report.csv") }.count == 2, "\(nights)")
        #expect(nights.filter { $0.hasSuffix(".report.csv.journal") }.count == 2, "\(nights)")
        #expect(FileManager.default.fileExists(atPath: tool.path("state/ledger")))
        let summary =
            try JSONSerialization.jsonObject(with: Data(try tool.read("state/summary.json").utf8))
            as? [String: Any]
        #expect(summary?["exit_code"] as? Int == 0)
        let sent = try simulator.logEntries().compactMap { $0["key"] as? String }
        #expect(sent.sorted() == (1...5).map { "night\($0)@example.com" }.sorted())
        // As a scheduler's job: a --limit reached (exit 4) is a success.
        try tool.write("people.csv", export(1...9))
        let limited = try night(
            tool, simulator, "people.csv", options: "--limit 2", limitIsSuccess: true)
        #expect(limited.status == 0, "\(limited.stderr)")
        #expect(limited.stderr.contains("stopped at --limit 2"))
        // The recipes' form: a run command of its own, its exit 4 made 0 without being asked,
        // over the same files.
        let direct = try tool.runShell(
            "'\(Self.script)' run people.csv --target sendoso --base-url '\(simulator.baseURL)' "
                + "--rate 0 --progress none --journal-dir state/nights --ledger state/ledger "
                + "--limit 1",
            environment: ["BATCH_INVITE": Tool.binary.path, "BATCH_INVITE_TOKEN": "secret"])
        #expect(direct.status == 0, "\(direct.stderr)")
        #expect(
            direct.stdout.hasPrefix(
                "9 rows: 3 invited, 5 already invited, 0 failed, 0 invalid, 0 duplicate, 1 not sent"
            ),
            "\(direct.stdout)")
        #expect(direct.stderr.contains("stopped at --limit 1"))
        // Without its two arguments it says how it is used.
        let usage = try tool.runShell(
            "'\(Tool.packageRoot.appendingPathComponent("deploy/batch-invite-nightly").path)'")
        #expect(usage.status == 2 && usage.stderr.hasPrefix("usage: batch-invite-nightly"))
        simulator.stop()
    }

    @Test func theWrapperPassesSigtermOnWhenItMapsTheExitCode() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "300"])
        let tool = try Tool()
        try tool.write("people.csv", export(1...40))
        // The wrapper in the background, stopped by SIGTERM a second later, as a container
        // runtime stops its first process.
        let result = try night(
            tool, simulator, "people.csv", options: "--concurrency 1",
            then: " & pid=$!; sleep 1; kill -TERM $pid; wait $pid; echo \"exit $?\"",
            limitIsSuccess: true)
        simulator.stop()
        #expect(result.stdout.hasSuffix("exit 143\n"), "\(result.stdout) \(result.stderr)")
        // batch-invite itself stopped cleanly: its report is there, with what was sent.
        let nights = try FileManager.default.contentsOfDirectory(atPath: tool.path("state/nights"))
        #expect(nights.contains { $0.hasSuffix(".report.csv") }, "\(nights)")
        #expect(try simulator.logEntries().count < 40)
    }
}
