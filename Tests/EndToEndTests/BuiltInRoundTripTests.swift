import Foundation
import Testing

/// The two built-ins are definitions: `targets show NAME > x.json; ... --target ./x.json`
/// behaves exactly as `--target NAME`: the same report, the same summary and exit code,
/// and the same requests, byte for byte, as a recording proxy in front of the simulator
/// saw them (each way against a simulator of its own, with the same seeded faults).
@Suite(.serialized) struct BuiltInRoundTripTests {
    static let people = #"""
        First Name,Last Name,E-mail,Role,Team ID
        Ada,Lovelace,Ada@Example.COM,Manager,0012
        "Zoë ""Z""",O'Neil-Ünal,zoe@example.com,,12
        Grace,Hopper,grace@example.com,regular,7
        Bob,Builder,bob@,regular,12
        Ada,Again,ada@example.com,regular,12
        Linus,Nobody,linus@example.com,regular,99
        Ка́тя,Смирнова,katya@example.com,REGULAR,12
        Élodie,Martin,elodie@example.com,manager,12
        """#
    /// A second file: two people the first run invited (the API says so), one new.
    static let again = """
        E-mail,First Name,Last Name,Role,Team ID
        grace@example.com,Grace,Hopper,regular,7
        zoe@example.com,Zoë,O'Neil,regular,12
        new@example.com,New,Person,manager,12
        """
    static let users = [
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}",
        "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
    ]
    static let sms = """
        User ID
        {3F2504E0-4F89-11D3-9A0C-0305E82C3301}
        6ba7b810-9dad-11d1-80b4-00c04fd430c8
        not-a-uuid
        3f2504e0-4f89-11d3-9a0c-0305e82c3301
        00000000-0000-4000-8000-000000000000
         6BA7B811-9DAD-11D1-80B4-00C04FD430C8
        """

    /// What one way of naming the target gave: stdout, exit codes, reports, requests.
    struct Outcome: Equatable {
        var results: [String] = []
        var reports: [String] = []
        var requests: [String] = []
    }

    func runs(
        target: String, variant: String, file: String, again: String?, tool: Tool,
        simulatorArguments: [String], extra: [String]
    ) throws -> Outcome {
        let simulator = try SimulatorProcess(
            [
                "--token", "secret", "--seed", "7", "--p503", "0.4", "--p429", "0.1",
                "--retry-after", "0",
            ]
                + simulatorArguments)
        defer { simulator.stop() }
        let proxy = try ServerProcess(script: "recording_proxy.py", ["LOG", simulator.baseURL])
        defer { proxy.stop() }
        var outcome = Outcome()
        for (index, input) in ([file] + (again.map { [$0] } ?? [])).enumerated() {
            let report = "\(variant)/report-\(index).csv"
            let result = try tool.run(
                [
                    "run", input, "--target", target, "--base-url", proxy.url, "--progress",
                    "none", "--report", report, "--concurrency", "1", "--ledger", "none",
                    "--journal", "\(variant)/\(input).journal",
                ] + extra,
                environment: ["BATCH_INVITE_TOKEN": "secret"])
            // The time taken and the rate vary from run to run: the rest may not.
            let stdout = result.stdout.replacingOccurrences(
                of: #"[0-9.]+s elapsed, [0-9.]+ invitations/s, "#, with: "",
                options: .regularExpression)
            outcome.results.append(
                "exit \(result.status)\n" + stdout
                    + result.stderr.replacingOccurrences(of: variant + "/", with: ""))
            // Expiry times are the simulator's clock at the time: keep the day only.
            let text = try tool.read(report).replacingOccurrences(
                of: #"T\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"#, with: "T*",
                options: .regularExpression)
            outcome.reports.append(text)
        }
        proxy.stop()
        outcome.requests = try proxy.received()
        return outcome
    }

    @Test(arguments: ["sendoso", "cyberark-sms"])
    func aShownDefinitionRunsAsTheBuiltIn(name: String) throws {
        let tool = try Tool()
        for variant in ["name", "file"] {
            try FileManager.default.createDirectory(
                atPath: tool.path(variant), withIntermediateDirectories: true)
        }
        let show = try tool.run(["targets", "show", name])
        #expect(show.status == 0)
        try tool.write("definition.json", show.stdout)
        chmod(tool.path("definition.json"), 0o644)
        let check = try tool.run(["targets", "check", "./definition.json"])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("a valid definition of target \(name) ("))
        var simulatorArguments = ["--teams", "12,7"]
        if name == "cyberark-sms" {
            simulatorArguments = [
                "--users-file",
                try tool.write("users.txt", Self.users.joined(separator: "\n") + "\n"),
            ]
            try tool.write("people.csv", Self.sms)
        } else {
            try tool.write("people.csv", Self.people)
            try tool.write("again.csv", Self.again)
        }
        let again = name == "sendoso" ? "again.csv" : nil
        let extra = name == "sendoso" ? ["--role", "regular"] : []
        let builtIn = try runs(
            target: name, variant: "name", file: "people.csv", again: again, tool: tool,
            simulatorArguments: simulatorArguments, extra: extra)
        let file = try runs(
            target: "./definition.json", variant: "file", file: "people.csv", again: again,
            tool: tool, simulatorArguments: simulatorArguments, extra: extra)
        #expect(builtIn.results == file.results)
        #expect(builtIn.reports == file.reports)
        #expect(builtIn.requests == file.requests)
        // Not a comparison of two empty things: rows were sent, retried and answered.
        #expect(!builtIn.results[0].contains(" 0 retries"), "\(builtIn.results)")
        #expect(builtIn.requests.count >= (name == "sendoso" ? 9 : 4))
        let statuses = builtIn.reports.joined()
        #expect(statuses.contains(",invited,"))
        #expect(statuses.contains(",invalid,"))
        #expect(statuses.contains(",duplicate,"))
        if name == "sendoso" {
            #expect(statuses.contains(",already_invited,"))
            #expect(
                builtIn.requests.contains {
                    $0.contains(
                        #""body": "{\"user\":{\"first_name\":\"Zoë \\\"Z\\\"\",\"last_name\":\"O'Neil-Ünal\",\"email\":\"zoe@example.com\",\"role\":\"regular\",\"team_group_id\":12}}""#
                    )
                })
        } else {
            #expect(
                builtIn.requests.contains {
                    $0.contains(
                        #""path": "/UserMgmt/SendSmsInvite?ID=3f2504e0-4f89-11d3-9a0c-0305e82c3301""#
                    )
                })
        }
    }
}
