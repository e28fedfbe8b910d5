import Foundation
import Testing

/// Nightly jobs over cumulative exports: people invited on an earlier night are done, not
/// failures; a limit spreads a batch over runs.
@Suite struct ScheduledJobTests {
    /// A Sendoso file of `people` rows, person N being `nightN@example.com`.
    func export(_ people: ClosedRange<Int>) -> String {
        var text = "First Name,Last Name,Email,Role,Team ID\n"
        for index in people {
            text += "Night,Person \(index),night\(index)@example.com,regular,1234\n"
        }
        return text
    }

    @Test func aCumulativeSecondDayExitsZeroWithTheRepeatedPeopleAlreadyInvited() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("day1.csv", export(1...30))
        try tool.write("day2.csv", export(1...45))
        let day1 = try runAgainst(
            simulator, tool, file: "day1.csv", report: "day1.csv.report.csv", ["--rate", "0"])
        #expect(day1.status == 0)
        let day2 = try runAgainst(
            simulator, tool, file: "day2.csv", report: "day2.csv.report.csv", ["--rate", "0"])
        #expect(day2.status == 0, "\(day2.stderr)")
        #expect(
            day2.stdout.hasPrefix(
                "45 rows: 15 invited, 30 already invited, 0 failed, 0 invalid, 0 duplicate, 0 not sent\n"
            ))
        let rows = try reportRows(tool, "day2.csv.report.csv")
        #expect(
            rows.prefix(30).allSatisfy {
                $0["status"] == "already_invited" && $0["http_status"] == "400"
            })
        #expect(rows[0]["message"] == "Email has already been invited")
        #expect(rows.suffix(15).allSatisfy { $0["status"] == "invited" })
        simulator.stop()
        let invited = try simulator.logEntries().filter { $0["outcome"] as? String == "invited" }
        #expect(invited.count == 45 && Set(invited.compactMap { $0["key"] as? String }).count == 45)
        // The strict reading, for those who want it.
        let strict = try runAgainst(
            try SimulatorProcess(["--token", "secret"]), tool, file: "day1.csv",
            report: "strict.csv",
            ["--rate", "0", "--already-invited", "fail"])
        #expect(strict.status == 0)
        #expect(try tool.run(["status", "--journal", "day2.csv.report.csv.journal"]).status == 0)
    }

    @Test func alreadyInvitedAsTheStrictReadingFails() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("day1.csv", export(1...3))
        _ = try runAgainst(simulator, tool, file: "day1.csv", report: "a.csv", ["--rate", "0"])
        let again = try runAgainst(
            simulator, tool, file: "day1.csv", report: "b.csv",
            ["--rate", "0", "--already-invited", "fail"])
        #expect(again.status == 1)
        #expect(try reportRows(tool, "b.csv").allSatisfy { $0["status"] == "failed" })
    }

    @Test func aLimitSendsThatManyThenTheSameCommandGoesOn() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write("people.csv", export(1...25))
        let first = try runAgainst(
            simulator, tool, file: "people.csv", ["--rate", "0", "--limit", "10"])
        #expect(first.status == 4)
        #expect(
            first.stdout.hasPrefix(
                "25 rows: 10 invited, 0 failed, 0 invalid, 0 duplicate, 15 not sent\n"))
        #expect(first.stderr.contains("stopped at --limit 10; the same command sends the rest"))
        let rows = try reportRows(tool)
        #expect(
            rows.suffix(15).allSatisfy {
                $0["status"] == "not_sent"
                    && $0["message"]
                        == "not sent: this run's --limit of 10 was reached; the same command sends it"
            })
        let second = try runAgainst(
            simulator, tool, file: "people.csv", ["--rate", "0", "--limit", "10"])
        #expect(second.status == 4)
        let third = try runAgainst(
            simulator, tool, file: "people.csv", ["--rate", "0", "--limit", "10"])
        #expect(third.status == 0)
        #expect(third.stdout.hasPrefix("25 rows: 25 invited,"))
        simulator.stop()
        let invited = try simulator.logEntries().compactMap { $0["key"] as? String }
        #expect(invited.count == 25 && Set(invited).count == 25)
        // In order: the first run sent the first ten rows.
        #expect(
            Array(invited.prefix(10)).sorted() == (1...10).map { "night\($0)@example.com" }.sorted()
        )
    }
}
