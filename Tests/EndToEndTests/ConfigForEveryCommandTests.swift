import Foundation
import Testing

/// One config file serves every job command: each takes the keys it knows and ignores
/// those another job command takes; a key none takes stops it; `simulate` reads none.
@Suite struct ConfigForEveryCommandTests {
    /// A nightly job's config, as the README shows one, with the job's state files.
    func jobConfig(_ tool: Tool, baseURL: String, extra: String = "") throws {
        try tool.writeConfig(
            "job.conf",
            """
            target = sendoso
            base-url = \(baseURL)
            token-env = JOB_TOKEN
            concurrency = 2
            role = regular
            progress = none
            report = night.csv
            journal = night.journal
            ledger = job.ledger
            \(extra)
            """)
    }

    @Test func oneConfigServesValidateRunStatusReportLedgerAndInspect() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(3))
        try jobConfig(tool, baseURL: simulator.baseURL)
        let config = ["--config", "job.conf"]
        let validate = try tool.run(["validate", "people.csv"] + config)
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout == "3 rows: 3 valid, 0 invalid, 0 duplicate\n")
        let run = try tool.run(
            ["run", "people.csv"] + config, environment: ["JOB_TOKEN": "secret"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("3 rows: 3 invited, 0 failed"))
        #expect(try simulator.logEntries().count == 3)
        let status = try tool.run(["status"] + config)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.hasPrefix("journal: night.journal\n"))
        let report = try tool.run(["report", "--report", "again.csv"] + config)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout == "3 rows written to again.csv\n")
        let ledger = try tool.run(["ledger", "show"] + config)
        #expect(ledger.status == 0, "\(ledger.stderr)")
        #expect(ledger.stdout.split(separator: "\n").count == 3)
        #expect(ledger.stdout.contains("sendoso\tperson1@example.com\tinvited\t"))
        let inspect = try tool.run(["inspect", "people.csv"] + config)
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains(#""role":"regular""#))
    }

    @Test func printConfigNamesTheKeysTheCommandIgnores() throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(1))
        try jobConfig(tool, baseURL: "http://127.0.0.1:1")
        let validate = try tool.run([
            "validate", "people.csv", "--config", "job.conf", "--print-config",
        ])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(
            validate.stdout.hasPrefix(
                "# ignored by validate (for other commands): base-url, token-env, concurrency, "
                    + "progress, journal, ledger\n# FILE: people.csv\ntarget = sendoso\n"))
        #expect(validate.stdout.contains("\nreport = night.csv\n"))
        let status = try tool.run(["status", "--config", "job.conf", "--print-config"])
        #expect(
            status.stdout
                == "# ignored by status (for other commands): target, base-url, token-env, "
                + "concurrency, role, progress, report, ledger\njournal = night.journal\n")
        let run = try tool.run(["run", "people.csv", "--config", "job.conf", "--print-config"])
        #expect(!run.stdout.contains("# ignored"))
    }

    @Test func aKeyNoCommandTakesStillStopsWithADidYouMean() throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(1))
        try jobConfig(tool, baseURL: "http://127.0.0.1:1", extra: "concurency = 4")
        for command in [["validate", "people.csv"], ["status"], ["ledger", "show"]] {
            let result = try tool.run(command + ["--config", "job.conf"])
            #expect(result.status == 2)
            #expect(
                result.stderr
                    == "batch-invite \(command[0]): --config job.conf, line 10: unknown option "
                    + "\"concurency\"; did you mean concurrency?\n")
        }
    }

    @Test func simulateReadsNoConfig() throws {
        let tool = try Tool()
        try jobConfig(tool, baseURL: "http://127.0.0.1:1")
        let result = try tool.run(["simulate", "--config", "job.conf"])
        #expect(result.status == 2)
        #expect(
            result.stderr.hasPrefix("batch-invite simulate: unknown option --config for simulate"))
    }
}
