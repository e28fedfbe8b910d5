import Foundation
import Testing

/// CyberArk IDs written the Windows way (`{123E4567-...}`, as Active Directory and
/// PowerShell print them) are accepted wherever the tool checks one, and what is sent and
/// kept is the bare, lower-case UUID.
@Suite struct CyberArkIDTests {
    static let braced = "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}"
    static let bare = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"

    @Test func anIDInBracesIsSentBareAndLowerCased() throws {
        let users = try Tool()
        let usersFile = try users.write("users.txt", Self.braced + "\n")
        let simulator = try SimulatorProcess(["--token", "secret", "--users-file", usersFile])
        let tool = try Tool()
        try tool.write("sms.csv", "ID\n\(Self.braced)\n \(Self.bare)\n")
        let result = try runAgainst(
            simulator, tool, file: "sms.csv", target: "cyberark-sms",
            ["--verbose", "--ledger", "job.ledger"])
        #expect(result.status == 1, "\(result.stderr)")
        // The answer quoted up to its 200th character.
        let answer =
            "{\"success\":true,\"Result\":{\"ID\":\"\(Self.bare)\",\"SmsSent\":true},"
            + "\"Message\":null,\"MessageID\":null,\"Exception\":null,\"ErrorID\":null,"
            + "\"ErrorCode\":null,\"IsSoftError\":false,\"InnerExceptions\":null,\"Error\":null}"
        #expect(
            exchanges(result.stderr) == [
                "http: POST /UserMgmt/SendSmsInvite?ID=\(Self.bare) 200 T: " + answer.prefix(200)
            ])
        let rows = try reportRows(tool)
        #expect(rows.map { $0["key"] } == [Self.bare, Self.bare])
        #expect(rows.map { $0["status"] } == ["invited", "duplicate"])
        simulator.stop()
        #expect(try simulator.logEntries().map { $0["key"] as? String } == [Self.bare])
        // The ledger forgets it however it is written.
        let forget = try tool.run([
            "ledger", "forget", Self.braced, "--ledger", "job.ledger", "--target", "cyberark-sms",
        ])
        #expect(forget.status == 0)
        #expect(forget.stderr == "forgot \(Self.bare) (cyberark-sms): the next run sends to it\n")
    }

    @Test func validateAcceptsBracesAndRefusesHalfBraces() throws {
        let tool = try Tool()
        try tool.write("sms.csv", "ID\n\(Self.braced)\n{\(Self.bare)\n")
        let result = try tool.run([
            "validate", "sms.csv", "--target", "cyberark-sms", "--report", "r.csv",
        ])
        #expect(result.status == 1)
        #expect(result.stdout == "2 rows: 1 valid, 1 invalid, 0 duplicate\n")
        let report = try tool.read("r.csv")
        #expect(report.contains("\n1,2,\(Self.bare),valid,,,,,\n"))
        #expect(
            report.contains(
                "\n2,3,{\(Self.bare),invalid,,\"ID: \"\"{\(Self.bare)\"\" is not a UUID "
                    + "(8-4-4-4-12 hex digits, braces allowed)\",,,\n"))
    }
}
