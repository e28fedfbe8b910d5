import Foundation
import Testing

/// `batch-invite run` started in the background, for signals and overlapping runs.
final class BackgroundRun {
    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()

    /// Starts `batch-invite ARGUMENTS` in `tool`'s directory, with `input` on its standard
    /// input (then closed).
    init(_ tool: Tool, _ arguments: [String], input: [UInt8] = []) throws {
        process.executableURL = Tool.binary
        process.arguments = arguments
        process.currentDirectoryURL = tool.directory
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("BATCH_INVITE")
        }
        environment["BATCH_INVITE_TOKEN"] = "secret"
        process.environment = environment
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input))
            try? stdin.fileHandleForWriting.close()
        }.start()
    }

    /// Waits for the end; returns the exit status and what went to stderr.
    func finish() -> (status: Int32, stderr: String) {
        let text = ReadInBackground(errors.fileHandleForReading)
        if !Tool.waitOrKill(process, seconds: 120) {
            Issue.record("batch-invite \(process.arguments ?? []) did not finish in 120 s")
        }
        return (process.terminationStatus, String(decoding: text.wait(seconds: 10), as: UTF8.self))
    }
}

@Suite struct RunInterruptionTests {
    func runArguments(_ simulator: SimulatorProcess) -> [String] {
        [
            "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL, "--rate",
            "0",
            "--concurrency", "2", "--progress", "none", "--report", "report.csv",
        ]
    }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aSignalStopsTheRunWithACompleteReport(signal: Int32, status: Int32) throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "200"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(100))
        let run = try BackgroundRun(tool, runArguments(simulator))
        Thread.sleep(forTimeInterval: 1.5)
        kill(run.process.processIdentifier, signal)
        let (exit, stderr) = run.finish()
        #expect(exit == status)
        #expect(stderr.hasSuffix("(signal \(signal)); run the same command to go on\n"))
        let rows = try reportRows(tool)
        #expect(rows.count == 100)
        let invited = rows.filter { $0["status"] == "invited" }.count
        #expect(invited > 0 && invited < 100)
        #expect(rows.filter { $0["status"] == "not_sent" }.count == 100 - invited)
        // Requests in flight were answered and recorded, not dropped.
        simulator.stop()
        let served = try simulator.logEntries().filter { $0["outcome"] as? String == "invited" }
            .count
        #expect(served == invited)
    }

    @Test func aSecondRunOnTheSameJournalIsRefused() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "200"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(20))
        let first = try BackgroundRun(tool, runArguments(simulator))
        Thread.sleep(forTimeInterval: 1)
        let second = try tool.run(
            runArguments(simulator), environment: ["BATCH_INVITE_TOKEN": "secret"])
        // Exit 5: the other run may end; a scheduler tries again later.
        #expect(second.status == 5)
        #expect(
            second.stderr.contains(
                "journal report.csv.journal is in use by pid \(first.process.processIdentifier) since "
            ))
        #expect(first.finish().status == 0)
    }

    @Test func aLockLeftByADeadRunIsTakenOver() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(3))
        try tool.write("report.csv.journal.lock", "pid 999999\nsince 2026-01-01T00:00:00.000Z\n")
        let result = try tool.run(
            runArguments(simulator), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(result.status == 0)
    }
}
