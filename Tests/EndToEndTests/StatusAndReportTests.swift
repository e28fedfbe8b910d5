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

    @Test func aMissingJournalIsAUsageError() throws {
        let tool = try Tool()
        let result = try tool.run(["status", "--journal", "nowhere.journal"])
        #expect(result.status == 2)
        #expect(result.stderr == "batch-invite status: no journal at nowhere.journal\n")
    }
}
