import Foundation
import Testing

/// `run`, `status` and `report` when the files around them are not what they should be:
/// another input on standard input, a journal removed or shared, a file that is not a
/// journal, a disk that fills up.
@Suite struct HostileFilesystemTests {
    func arguments(_ simulator: SimulatorProcess, input: String = "people.csv") -> [String] {
        [
            "run", input, "--target", "sendoso", "--base-url", simulator.baseURL, "--rate", "0",
            "--concurrency", "4", "--progress", "none", "--report", "report.csv",
        ]
    }

    /// The keys the simulator received, with how many requests each.
    func requestsPerKey(_ simulator: SimulatorProcess) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in try simulator.logEntries() {
            counts[entry["key"] as? String ?? "", default: 0] += 1
        }
        return counts
    }

    /// Temporary files left in the tool's directory.
    func leftovers(_ tool: Tool) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: tool.directory.path).filter {
            $0.contains(".tmp-") || $0.contains(".stdin")
        }
    }

    @Test func resumingFromStandardInputWithAnotherInputIsRefused() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "100"])
        let tool = try Tool()
        let first = Array(sendosoCSV(200).utf8)
        let other = Array(
            sendosoCSV(200).replacingOccurrences(of: "@example.com", with: "@example.org").utf8)
        let run = try BackgroundRun(tool, arguments(simulator, input: "-"), input: first)
        Thread.sleep(forTimeInterval: 1.5)
        kill(run.process.processIdentifier, SIGKILL)
        _ = run.finish()
        let refused = try tool.run(
            arguments(simulator, input: "-"), input: other,
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("belongs to another run (standard input as it was then"))
        let same = try tool.run(
            arguments(simulator, input: "-"), input: first,
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        // Rows in flight at the kill were sent again (the simulator then says "already
        // invited"): exit 1 at most, never a row of the other input.
        #expect([0, 1].contains(same.status))
        simulator.stop()
        let counts = try requestsPerKey(simulator)
        #expect(!counts.keys.contains { $0.hasSuffix("@example.org") })
        #expect(counts.keys.filter { $0.hasSuffix("@example.com") }.count == 200)
        #expect(try reportRows(tool).count == 200)
        #expect(try leftovers(tool).isEmpty)
    }

    @Test func aJournalRemovedMidRunStopsItWithTheReportAndIsWrittenBack() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "50"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(300))
        let run = try BackgroundRun(
            tool, arguments(simulator) + ["--summary-json", "summary.json"])
        Thread.sleep(forTimeInterval: 1)
        try FileManager.default.removeItem(atPath: tool.path("report.csv.journal"))
        let (status, stderr) = run.finish()
        #expect(status == 6)
        // The scheduler's summary says so too, and matches its schema.
        let checked = try tool.runShell(
            "python3 '\(ScheduledJobTests.checker)' '\(ScheduledJobTests.schema)' summary.json")
        try NeededTool.checkerRan(checked)
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("\"exit_code\": 6"), "\(checked.stdout)")
        #expect(
            stderr.contains("was removed or replaced during the run, so nothing more may be sent"))
        #expect(
            stderr.contains("its content was written back to report.csv.journal from the open file")
        )
        #expect(stderr.contains("the same command resumes"))
        let rows = try reportRows(tool)
        #expect(rows.count == 300)
        let invited = rows.filter { $0["status"] == "invited" }.count
        #expect(invited > 0 && invited < 300)
        // The same command finishes the batch without sending anyone twice.
        let resumed = try tool.run(
            arguments(simulator), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(resumed.status == 0)
        simulator.stop()
        let counts = try requestsPerKey(simulator)
        #expect(counts.count == 300)
        #expect(counts.values.filter { $0 > 1 }.count <= 4)  // at most the rows in flight
        #expect(try leftovers(tool).isEmpty)
    }

    @Test func removingTheLockFileDoesNotLetASecondRunIn() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "100"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(80))
        let first = try BackgroundRun(tool, arguments(simulator))
        Thread.sleep(forTimeInterval: 1)
        try? FileManager.default.removeItem(atPath: tool.path("report.csv.journal.lock"))
        let second = try tool.run(
            arguments(simulator), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(second.status == 5)
        #expect(second.stderr.contains("journal report.csv.journal is in use by another run"))
        #expect(first.finish().status == 0)
        simulator.stop()
        #expect(try requestsPerKey(simulator).values.allSatisfy { $0 == 1 })
    }

    @Test(arguments: ["one line, no newline", "two\nlines\n", "{\"type\":\"header\"}\n"])
    func aFileThatIsNotAJournalIsLeftAsItIs(content: String) throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(3))
        try tool.write("notes.txt", content)
        try FileManager.default.createSymbolicLink(
            atPath: tool.path("link.journal"), withDestinationPath: tool.path("notes.txt"))
        for journal in ["notes.txt", "link.journal"] {
            for extra in [[], ["--restart"]] {
                let result = try tool.run(
                    arguments(simulator) + ["--journal", journal] + extra,
                    environment: ["BATCH_INVITE_TOKEN": "secret"])
                #expect(result.status == 2)
                #expect(result.stderr.contains("is not a batch-invite journal"))
                #expect(try tool.read("notes.txt") == content)
            }
            for command in ["status", "report"] {
                let result = try tool.run([command, "--journal", journal])
                #expect(result.status == 2)
                #expect(result.stderr.contains("is not a batch-invite journal"))
            }
        }
        #expect(try tool.read("notes.txt") == content)
        simulator.stop()
        #expect(try simulator.logEntries().isEmpty)
    }

    @Test func aDiskFullAfterSendingBeganExitsSixAndLeavesNoTemporaryFile() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "10"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(400))
        // A file size limit of 24 KiB: the journal fills up after about 90 rows.
        let command =
            "ulimit -f 48; exec '\(Tool.binary.path)' "
            + arguments(simulator).map { "'\($0)'" }.joined(separator: " ")
        let result = try tool.runShell(command, environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(result.status == 6)
        #expect(result.stderr.contains("cannot write the journal"))
        #expect(
            result.stderr.contains(
                "sent in this run, and the journal records them: the same command resumes"))
        #expect(try leftovers(tool).isEmpty)
        // No report that leaves rows out: a whole one, or none and the reason.
        if FileManager.default.fileExists(
            atPath: tool.directory.appendingPathComponent("report.csv").path)
        {
            #expect(try reportRows(tool).count == 400)
        } else {
            #expect(result.stderr.contains("the report could not be written"))
        }
        // With room again, the same command finishes the batch.
        let resumed = try tool.run(
            arguments(simulator), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect([0, 1].contains(resumed.status))
        simulator.stop()
        let counts = try requestsPerKey(simulator)
        #expect(
            counts.count == 400 && counts.values.filter { $0 > 1 }.count <= 4,
            "\(counts.filter { $0.value > 1 }) \(result.stderr) \(resumed.stdout)")
    }

    @Test func statusCountsTheRowsItListsInDoubt() throws {
        let tool = try Tool()
        try JournalFixture.install(in: tool, baseURL: "http://127.0.0.1:9")
        let status = try tool.run(["status", "--journal", "report.csv.journal"])
        #expect(status.status == 4)
        #expect(
            status.stdout.contains(
                "6 rows: 3 invited, 0 failed, 1 invalid, 0 duplicate, 0 not sent, 2 in doubt\n"))
        #expect(status.stdout.contains("in doubt (dispatched, no answer recorded): rows 5, 6\n"))
    }

    @Test func aJournalOfTheVersionBeforeResumes() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try JournalFixture.install(in: tool, baseURL: simulator.baseURL)
        let result = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
                "--rate", "0", "--concurrency", "2", "--progress", "none", "--report", "report.csv",
            ], environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(result.status == 1)
        #expect(
            result.stdout.hasPrefix(
                "6 rows: 5 invited, 0 failed, 1 invalid, 0 duplicate, 0 not sent"))
        simulator.stop()
        // Only the two rows in doubt were sent again, with the note that says so.
        #expect(
            try requestsPerKey(simulator) == ["barbara@example.com": 1, "donald@example.com": 1])
        let rows = try reportRows(tool)
        #expect(
            rows.map { $0["status"] } == [
                "invited", "invited", "invalid", "invited", "invited", "invited",
            ])
        #expect(
            rows[4]["message"]?.contains("an earlier run stopped while sending this row") == true)
    }
}

/// The journal of the version before (Fixtures/journal-v1), installed in a tool's
/// directory with its input: the header's input path and base URL rewritten to this test's,
/// and the line's checksum with them.
enum JournalFixture {
    static func install(in tool: Tool, baseURL: String) throws {
        let folder = Tool.packageRoot.appendingPathComponent(
            "Tests/EndToEndTests/Fixtures/journal-v1")
        try FileManager.default.copyItem(
            at: folder.appendingPathComponent("people.csv"),
            to: tool.directory.appendingPathComponent("people.csv"))
        var lines = try String(
            contentsOf: folder.appendingPathComponent("report.csv.journal"), encoding: .utf8
        ).split(separator: "\n").map(String.init)
        let header = lines[0]
        let object =
            String(header[..<header.range(of: ",\"sum\":")!.lowerBound])
            .replacingOccurrences(of: "http://127.0.0.1:47813", with: baseURL)
            .replacingOccurrences(of: "/tmp/fix/people.csv", with: tool.path("people.csv")) + "}"
        let sum = String(crc32(Array(object.utf8)), radix: 16)
        lines[0] =
            String(object.dropLast())
            + ",\"sum\":\"\(String(repeating: "0", count: 8 - sum.count) + sum)\"}"
        try tool.write("report.csv.journal", lines.joined(separator: "\n") + "\n")
    }

    /// CRC-32 (IEEE, as zlib), a bit at a time: the journal's line checksum.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
