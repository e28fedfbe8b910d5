import Foundation
import Testing

/// A token command runs within bounds, whatever it does: in a process group of its own,
/// all of which is stopped when it ends or runs out of time, so nothing it started
/// outlives the run; at most 64 KiB of its standard output read, and only the end of
/// its standard error kept, so the run's memory stays small and it ends quickly.
@Suite struct TokenCommandLimitTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var command: String
        var options: [String] = []
        var status: Int32
        /// The line on standard error.
        var message: String
        /// Seconds the run may take at most.
        var seconds: Double
    }

    static let cases: [Case] = [
        Case(
            testDescription: "a command that hangs after starting a background sleep",
            command: "sleep 1000 & echo $! > background.pid; sleep 1000",
            options: ["--token-command-timeout", "1"], status: 5,
            message:
                "batch-invite run: the token command took longer than 1 s and was stopped, with everything it started\n",
            seconds: 4),
        Case(
            testDescription:
                "a command that prints its token and leaves a sleep holding its output",
            command: "sleep 1000 & echo $! > background.pid; echo tok-12345",
            status: 0, message: "", seconds: 10),
        Case(
            testDescription: "a command that prints 50 MB",
            command: "head -c 50000000 /dev/zero | tr '\\0' a", status: 5,
            message:
                "batch-invite run: the token command printed more than 64 KiB and was stopped, with "
                + "everything it started; it must print the token alone or a JSON object with access_token\n",
            seconds: 5),
        Case(
            testDescription: "a command that says 50 MB on standard error, then fails",
            command:
                "head -c 50000000 /dev/zero | tr '\\0' a >&2; echo >&2; echo 'vault: sealed' >&2; exit 1",
            status: 5,
            message: "batch-invite run: the token command exited with status 1: vault: sealed\n",
            seconds: 10),
    ]

    /// Whether the process `pid` is gone (a zombie waiting for init counts as gone); waits
    /// up to 2 s for it.
    func isGone(_ pid: Int32) -> Bool {
        let deadline = Date().addingTimeInterval(2)
        repeat {
            if kill(pid, 0) != 0 { return true }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            if stat.contains(") Z ") { return true }
            usleep(20_000)
        } while Date() < deadline
        return false
    }

    @Test(arguments: cases)
    func aTokenCommandIsBoundedInTimeOutputAndWhatItStarts(_ bounded: Case) throws {
        let server = try ServerProcess(script: "hostile_server.py", ["ok", "LOG"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        // The run under a wrapper that says how much memory it took at its peak.
        try tool.write(
            "peak.py",
            """
            import resource, subprocess, sys
            child = subprocess.Popen(sys.argv[1:])
            try:
                status = child.wait(timeout=50)
            except subprocess.TimeoutExpired:
                child.kill()
                status = child.wait()
            with open("peak.kb", "w") as out:
                out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
            sys.exit(status)

            """)
        let started = Date()
        let result = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", server.url,
                "--progress", "none", "--report", "report.csv", "--token-command",
                bounded.command,
            ] + bounded.options,
            launcher: ["python3", tool.path("peak.py")])
        let seconds = Date().timeIntervalSince(started)
        defer {
            // Whatever the outcome, the test leaves nothing running.
            if let pid = Int32(
                (try? tool.read("background.pid"))?.trimmingCharacters(in: .whitespacesAndNewlines)
                    ?? "")
            {
                kill(pid, SIGKILL)
            }
        }
        server.stop()
        #expect(result.status == bounded.status, "\(result.stderr)")
        #expect(seconds < bounded.seconds)
        if bounded.status != 0 {
            #expect(result.stderr == bounded.message)
            #expect(try server.received().isEmpty)
        } else {
            #expect(try server.received().count == 2)
        }
        let peak = Int(try tool.read("peak.kb")) ?? .max
        #expect(peak < 100_000, "peak memory \(peak) KiB")
        if let text = try? tool.read("background.pid"),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            #expect(isGone(pid), "the background sleep \(pid) outlived the run")
        }
    }

    /// A signal that ends the run ends a token command that runs then, with everything it
    /// started (in a group of its own, it does not get the terminal's Ctrl-C), whether it
    /// fetches the first token or renews one during the run.
    @Test(arguments: [(SIGINT, Int32(130), false), (SIGTERM, Int32(143), true)])
    func aSignalThatEndsTheRunEndsTheTokenCommandToo(signal: Int32, status: Int32, renewal: Bool)
        throws
    {
        let server = try ServerProcess(script: "hostile_server.py", ["ok", "LOG"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(20))
        let hang = "sleep 1000 & echo $! > background.pid; sleep 1000"
        let command =
            renewal
            ? #"if [ -e once ]; then \#(hang); fi; touch once; "#
                + #"printf '{"access_token":"tok-12345","expires_in":1}'"#
            : hang
        let run = try BackgroundRun(
            tool,
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", server.url, "--rate",
                "4", "--progress", "none", "--report", "report.csv", "--token-command", command,
            ])
        let deadline = Date().addingTimeInterval(10)
        while (try? tool.read("background.pid")) == nil && Date() < deadline { usleep(20_000) }
        let text = try tool.read("background.pid").trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = try #require(Int32(text))
        defer { kill(pid, SIGKILL) }
        Thread.sleep(forTimeInterval: 0.2)
        let signalled = Date()
        kill(run.process.processIdentifier, signal)
        let (exit, stderr) = run.finish()
        server.stop()
        #expect(exit == status, "\(stderr)")
        #expect(Date().timeIntervalSince(signalled) < 5)
        #expect(isGone(pid), "the token command's background sleep \(pid) outlived the run")
        #expect(try server.received().isEmpty != renewal)
    }
}
