import Foundation
import Testing

/// `--path` reaches the wire: every request goes to the path given, for a target whose path
/// and query place no value of a row (Sendoso: the path is the same for every request) as
/// for one whose query does (CyberArk SMS: the row's ID stays in the query), as a recording
/// proxy in front of the simulator sees them.
@Suite struct PathOptionTests {
    @Test(arguments: ["sendoso", "cyberark-sms"])
    func everyRequestGoesToThePathGiven(name: String) throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        defer { simulator.stop() }
        let proxy = try ServerProcess(script: "recording_proxy.py", ["LOG", simulator.baseURL])
        defer { proxy.stop() }
        let tool = try Tool()
        if name == "sendoso" {
            try tool.write(
                "people.csv",
                "email,first_name,last_name,role,team_group_id\n"
                    + "ada@example.com,Ada,L,regular,12\ngrace@example.com,Grace,H,manager,7\n")
        } else {
            try tool.write(
                "people.csv",
                "ID\n{3F2504E0-4F89-11D3-9A0C-0305E82C3301}\n6ba7b811-9dad-11d1-80b4-00c04fd430c8\n"
            )
        }
        let result = try tool.run(
            [
                "run", "people.csv", "--target", name, "--base-url", proxy.url, "--path",
                "/v9/elsewhere", "--progress", "none", "--rate", "0", "--ledger", "none",
            ],
            environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(result.stdout.hasPrefix("2 rows: "), "\(result.stderr)")
        proxy.stop()
        let paths = try proxy.requests().compactMap { $0["path"] as? String }.sorted()
        if name == "sendoso" {
            #expect(paths == ["/v9/elsewhere", "/v9/elsewhere"])
        } else {
            #expect(
                paths == [
                    "/v9/elsewhere?ID=3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                    "/v9/elsewhere?ID=6ba7b811-9dad-11d1-80b4-00c04fd430c8",
                ])
        }
    }
}
