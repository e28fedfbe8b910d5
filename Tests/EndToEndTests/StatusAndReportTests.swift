import Foundation
import Testing

@Suite struct StatusAndReportTests {
    @Test func aFinishedRunReportsItsCountsAndItsReportCanBeWrittenAgain() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(4))
        #expect(try runAgainst(simulator, tool, file: "people.csv").status == 0)
        let status = try tool.run(["status", "--journal", "report.csv.journal"])
        #expect(status.status == 0)
        #expect(
            status.stdout.contains(
                "4 rows: 4 invited, 0 failed, 0 invalid, 0 duplicate, 0 not sent, 0 in doubt\n"))
        #expect(
            status.stdout.contains(
                "target: sendoso, input: people.csv, base URL: \(simulator.baseURL)\n"))
        #expect(status.stdout.contains("running now: no\n"))
        let json = try tool.run(["status", "--journal", "report.csv.journal", "--json"])
        let object =
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect((object["counts"] as? [String: Int])?["invited"] == 4)
        #expect(object["finished"] as? Bool == true && object["running"] as? Bool == false)
        let again = try tool.run([
            "report", "--journal", "report.csv.journal", "--report", "again.csv",
        ])
        #expect(again.status == 0)
        #expect(try tool.read("again.csv") == tool.read("report.csv"))
    }

    @Test func rowsNotInvitedGiveExitOneAndAStoppedRunExitFour() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(3, extra: "x,y,bad,regular,1\n"))
        #expect(try runAgainst(simulator, tool, file: "people.csv").status == 1)
        #expect(try tool.run(["status", "--journal", "report.csv.journal"]).status == 1)
        let stopped = try runAgainst(
            simulator, tool, file: "people.csv", token: "wrong", report: "stopped.csv")
        #expect(stopped.status == 3)
        let status = try tool.run(["status", "--journal", "stopped.csv.journal"])
        #expect(status.status == 4)
        #expect(
            status.stdout.contains(
                "4 rows: 0 invited, 0 failed, 1 invalid, 0 duplicate, 3 not sent, 0 in doubt"))
    }

    @Test func aRunningRunIsShownWithItsPid() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "300"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(10))
        let run = try BackgroundRun(
            tool,
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
                "--rate", "0",
                "--concurrency", "1", "--progress", "none", "--report", "report.csv",
            ])
        Thread.sleep(forTimeInterval: 1)
        let status = try tool.run(["status", "--journal", "report.csv.journal"])
        #expect(status.status == 4)
        #expect(
            status.stdout.contains("running now: yes (pid \(run.process.processIdentifier), since ")
        )
        #expect(run.finish().status == 0)
    }

    @Test func theReportOfAKilledRunHasEveryRowFromTheJournalAndTheInput() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "200"])
        let tool = try Tool()
        // No Role column: the run fills it with --role, and the report must read it the same way.
        var csv = "First Name,Last Name,Email,Team ID\n"
        for index in 1...60 { csv += "Ann,Row \(index),ann\(index)@example.com,7\n" }
        csv += "Bad,Row,not-an-address,7\nAnn,Again,ANN1@example.com,7\n"
        try tool.write("people.csv", csv)
        let run = try BackgroundRun(
            tool,
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", simulator.baseURL,
                "--role", "regular", "--rate", "0", "--concurrency", "2", "--progress", "none",
                "--report", "report.csv",
            ])
        Thread.sleep(forTimeInterval: 1.5)
        kill(run.process.processIdentifier, SIGKILL)
        _ = run.finish()
        let result = try tool.run([
            "report", "--journal", "report.csv.journal", "--report", "again.csv",
        ])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let rows = try reportRows(tool, "again.csv")
        #expect(rows.map { $0["row"] } == (1...62).map { String($0) })
        simulator.stop()
        let served = Set(
            try simulator.logEntries().filter { $0["outcome"] as? String == "invited" }.compactMap {
                $0["key"] as? String
            })
        let invited = Set(rows.filter { $0["status"] == "invited" }.compactMap { $0["key"] })
        let inDoubt = rows.filter { $0["status"] == "in_doubt" }
        // Every invitation the journal recorded reached the server; the rest it sent is in doubt.
        #expect(!invited.isEmpty && invited.isSubset(of: served))
        #expect(served.subtracting(invited).isSubset(of: Set(inDoubt.compactMap { $0["key"] })))
        #expect(inDoubt.count <= 2 && inDoubt.allSatisfy { $0["message"]!.hasPrefix("in doubt: ") })
        #expect(rows[60]["status"] == "invalid" && rows[60]["line"] == "62")
        #expect(rows[61]["status"] == "duplicate" && rows[61]["message"] == "same email as row 1")
        let notSent = rows.filter { $0["status"] == "not_sent" }
        #expect(notSent.count == 60 - invited.count - inDoubt.count)
        #expect(
            notSent.allSatisfy {
                $0["message"]
                    == "not reached: the run stopped before this row; the same run command sends it"
            })
        #expect(
            result.stdout
                == "62 rows written to again.csv (\(invited.count) with their outcome, \(inDoubt.count) in doubt, \(notSent.count + 2) the run did not finish)\n"
        )
        // A changed input cannot be read the run's way: the journal's rows only, and why.
        try tool.write("people.csv", csv + "Cy,New,cy@example.com,7\n")
        let changed = try tool.run([
            "report", "--journal", "report.csv.journal", "--report", "changed.csv",
        ])
        #expect(changed.status == 0)
        #expect(changed.stderr.contains("has changed since the run"))
        // Every input row all the same: those the journal knows, and the others not sent,
        // without their key (the journal counted the input's rows before the first request).
        let changedRows = try reportRows(tool, "changed.csv")
        #expect(changedRows.count == 62)
        let unknown = changedRows.filter { $0["key"] == "" }
        #expect(unknown.count == 62 - invited.count - inDoubt.count)
        #expect(unknown.allSatisfy { $0["status"] == "not_sent" })
    }

    @Test func aMissingJournalIsAUsageError() throws {
        let tool = try Tool()
        let result = try tool.run(["status", "--journal", "nowhere.journal"])
        #expect(result.status == 2)
        #expect(result.stderr == "batch-invite status: no journal at nowhere.journal\n")
    }
}
