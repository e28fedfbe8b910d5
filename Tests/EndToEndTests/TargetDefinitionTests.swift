import Foundation
import Testing

/// `--target ./github-org-invitations.json` (the shipped sample) through `validate`,
/// `inspect`, `run` against a fake of GitHub's API, the dry-run plan and a resume; and
/// `batch-invite targets`.
@Suite struct TargetDefinitionTests {
    static let sample = Tool.packageRoot.appendingPathComponent(
        "samples/targets/github-org-invitations.json"
    ).path
    static let graphSample = Tool.packageRoot.appendingPathComponent(
        "samples/targets/microsoft-graph-invitations.json"
    ).path
    static let people = """
        Email,Role
        ada@example.com,admin
        bob@example.com,
        member@example.com,direct_member
        bad@,admin
        cy@example.com,owner
        ADA@example.com,admin
        dee@example.com,Billing_Manager

        """

    /// A scratch directory with the sample as ./github-org-invitations.json and people.csv.
    func tool() throws -> Tool {
        let tool = try Tool()
        try tool.write(
            "github-org-invitations.json", String(contentsOfFile: Self.sample, encoding: .utf8))
        chmod(tool.path("github-org-invitations.json"), 0o644)
        try tool.write("people.csv", Self.people)
        return tool
    }

    let target = ["--target", "./github-org-invitations.json"]

    @Test func validateChecksRowsWithTheDefinitionsRules() throws {
        let tool = try tool()
        let result = try tool.run(["validate", "people.csv"] + target + ["--var", "org=acme"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout == "7 rows: 4 valid, 2 invalid, 1 duplicate\n")
        let rows = try reportRows(tool, "people.report.csv")
        #expect(
            rows.map { $0["status"] } == [
                "valid", "valid", "valid", "invalid", "invalid", "duplicate", "valid",
            ])
        #expect(rows[3]["message"] == #"email: "bad@" is not an email address"#)
        #expect(
            rows[4]["message"] == #"role: "owner" must be admin, direct_member, billing_manager"#)
        #expect(rows[5]["message"] == "same email as row 1")
    }

    @Test func aDeclaredVarMissingStopsWithExitTwoNamingIt() throws {
        let tool = try tool()
        let result = try tool.run(["validate", "people.csv"] + target)
        #expect(result.status == 2)
        #expect(result.stderr.contains("needs --var org=VALUE"))
        let unknown = try tool.run(
            ["validate", "people.csv"] + target + ["--var", "org=a", "--var", "team=b"])
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr.contains(
                "--var team: target github-org-invitations declares no such var"))
    }

    @Test func aVarCanComeFromTheConfigFile() throws {
        let tool = try tool()
        try tool.writeConfig("job.conf", "target = ./github-org-invitations.json\nvar = org=acme\n")
        let result = try tool.run(["validate", "people.csv", "--config", "job.conf"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout == "7 rows: 4 valid, 2 invalid, 1 duplicate\n")
    }

    @Test func inspectMapsTheColumnsToTheDefinitionsFields() throws {
        let tool = try tool()
        let result = try tool.run(["inspect", "people.csv"] + target + ["--var", "org=acme"])
        #expect(result.status == 0, "\(result.stderr)")
        let first = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(
            first.contains(#""email":"ada@example.com""#) && first.contains(#""role":"admin""#),
            "\(first)")
    }

    @Test func runSendsWhatGitHubDocumentsAndReadsItsAnswers() throws {
        let server = try ServerProcess(
            script: "github_invitations.py",
            [
                "LOG", "--token", "ghp-sekrit", "--org", "acme", "--member", "member@example.com",
                "--limit-after", "2", "--throttle-at", "5",
            ])
        let tool = try tool()
        let result = try tool.run(
            ["run", "people.csv"] + target + [
                "--var", "org=acme", "--var", "role=direct_member", "--base-url", server.url,
                "--progress", "none", "--rate", "0", "--concurrency", "1",
            ], environment: ["BATCH_INVITE_TOKEN": "ghp-sekrit"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(
            result.stdout.hasPrefix(
                "7 rows: 3 invited, 1 already invited, 0 failed, 2 invalid, 1 duplicate, 0 not sent"
            ))
        // The 429 and GitHub's 403 rate limit counted apart, each by what it was.
        #expect(
            result.stdout.hasSuffix(
                "6 requests, 2 retries, 1 HTTP 429s, 1 other rate-limit answers\n"),
            "\(result.stdout)")
        let rows = try reportRows(tool, "people.report.csv")
        #expect(
            rows.map { $0["status"] } == [
                "invited", "invited", "already_invited", "invalid", "invalid", "duplicate",
                "invited",
            ])
        #expect(rows[2]["http_status"] == "422")
        #expect(rows[2]["message"] == "Invitee is already a part of this organization")
        #expect(rows[6]["http_status"] == "201")
        let received = try server.requests()
        // ada, bob, member (403 rate limit, then again), dee (429, then again).
        #expect(received.count == 6)
        for request in received {
            #expect(request["method"] as? String == "POST")
            #expect(request["path"] as? String == "/orgs/acme/invitations")
            let headers = request["headers"] as? [String: String] ?? [:]
            #expect(headers["authorization"] == "Bearer ghp-sekrit")
            #expect(headers["accept"] == "application/vnd.github+json")
            #expect(headers["x-github-api-version"] == "2022-11-28")
            #expect(headers["content-type"] == "application/json")
            let names = request["header_names"] as? [String] ?? []
            #expect(names.filter { $0 == "accept" }.count == 1, "\(names)")
        }
        let bodies = received.map { $0["body"] as? [String: String] ?? [:] }
        #expect(bodies[0] == ["email": "ada@example.com", "role": "admin"])
        #expect(bodies[1] == ["email": "bob@example.com", "role": "direct_member"])
        #expect(bodies[2] == ["email": "member@example.com", "role": "direct_member"])
        #expect(bodies[5] == ["email": "dee@example.com", "role": "billing_manager"])
    }

    @Test func theLedgerTakesTheDefinitionFileAndItsKeyRule() throws {
        let server = try ServerProcess(
            script: "github_invitations.py", ["LOG", "--token", "ghp-sekrit", "--org", "acme"])
        let tool = try tool()
        try tool.write("two.csv", "email\nada@example.com\nbob@example.com\n")
        let run = try tool.run(
            ["run", "two.csv"] + target + [
                "--var", "org=acme", "--base-url", server.url, "--progress", "none",
                "--ledger", "job.ledger",
            ], environment: ["BATCH_INVITE_TOKEN": "ghp-sekrit"])
        #expect(run.status == 0, "\(run.stderr)")
        // No --var needed to look into a ledger: only the name and the key rule.
        let show = try tool.run(
            [
                "ledger", "show", "--ledger", "job.ledger", "--target",
                "./github-org-invitations.json",
            ])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.hasPrefix("github-org-invitations\tada@example.com\tinvited\t"))
        let forget = try tool.run(
            [
                "ledger", "forget", " Ada@Example.COM ", "--ledger", "job.ledger", "--target",
                "./github-org-invitations.json",
            ])
        #expect(forget.status == 0, "\(forget.stderr)")
        #expect(
            forget.stderr
                == "forgot ada@example.com (github-org-invitations): the next run sends to it\n")
        let builtIn = try tool.run(
            [
                "ledger", "forget", "bob@example.com", "--ledger", "job.ledger", "--target",
                "sendoso",
            ])
        #expect(
            builtIn.stderr
                == "bob@example.com (sendoso) was not in the ledger; nothing to forget\n")
        let unknown = try tool.run(
            ["ledger", "show", "--ledger", "job.ledger", "--target", "github"])
        #expect(unknown.status == 2)
    }

    @Test func aWrongTokenStopsTheRunWithExitThree() throws {
        let server = try ServerProcess(
            script: "github_invitations.py", ["LOG", "--token", "ghp-right", "--org", "acme"])
        let tool = try tool()
        let result = try tool.run(
            ["run", "people.csv"] + target + [
                "--var", "org=acme", "--base-url", server.url, "--progress", "none",
            ],
            environment: ["BATCH_INVITE_TOKEN": "ghp-wrong"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(try server.received().count == 1)
    }

    @Test func aSecondaryRateLimitIsWaitedOutNotTakenForARejectedToken() throws {
        // GitHub's secondary limit: 403 with retry-after while the hour's requests remain.
        let server = try ServerProcess(
            script: "github_invitations.py",
            ["LOG", "--token", "ghp-sekrit", "--org", "acme", "--secondary-at", "2"])
        let tool = try tool()
        try tool.write("three.csv", "email\nada@example.com\nbob@example.com\ncy@example.com\n")
        let result = try tool.run(
            ["run", "three.csv"] + target + [
                "--var", "org=acme", "--base-url", server.url, "--progress", "none",
                "--rate", "0", "--concurrency", "1", "--report", "three.report.csv",
            ], environment: ["BATCH_INVITE_TOKEN": "ghp-sekrit"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("3 rows: 3 invited,"), "\(result.stdout)")
        #expect(
            result.stdout.hasSuffix(
                "4 requests, 1 retries, 0 HTTP 429s, 1 other rate-limit answers\n"),
            "\(result.stdout)")
        #expect(try server.requests().count == 4)
    }

    @Test func aDefinitionCanPutTheTokenInAHeaderOfItsOwn() throws {
        let server = try ServerProcess(
            script: "github_invitations.py",
            ["LOG", "--token", "key-123", "--org", "acme", "--token-header", "X-Api-Key"])
        let tool = try tool()
        let edited = try String(
            contentsOfFile: tool.path("github-org-invitations.json"), encoding: .utf8
        ).replacingOccurrences(
            of: #""auth": {"type": "bearer"}"#,
            with: #""auth": {"type": "header", "header": "X-Api-Key"}"#)
        try tool.write("key.json", edited)
        chmod(tool.path("key.json"), 0o644)
        try tool.write("one.csv", "email\nada@example.com\n")
        let result = try tool.run(
            [
                "run", "one.csv", "--target", "./key.json", "--var", "org=acme", "--base-url",
                server.url, "--progress", "none",
            ], environment: ["BATCH_INVITE_TOKEN": "key-123"])
        #expect(result.status == 0, "\(result.stderr)")
        let received = try server.requests()
        #expect(received.count == 1)
        let headers = received.first?["headers"] as? [String: String] ?? [:]
        #expect(headers["x-api-key"] == "key-123")
        #expect(headers["authorization"] == nil)
        // role, optional, has no column and no --var role: left out of the body.
        #expect(received.first?["body"] as? [String: String] == ["email": "ada@example.com"])
    }

    @Test func aDefinitionCanWriteASchemeBeforeTheToken() throws {
        // Okta's API tokens: "Authorization: SSWS TOKEN".
        let server = try ServerProcess(
            script: "github_invitations.py",
            [
                "LOG", "--token", "key-123", "--org", "acme", "--token-header", "Authorization",
                "--token-scheme", "SSWS",
            ])
        let tool = try tool()
        let edited = try String(
            contentsOfFile: tool.path("github-org-invitations.json"), encoding: .utf8
        ).replacingOccurrences(
            of: #""auth": {"type": "bearer"}"#,
            with: #""auth": {"type": "header", "header": "Authorization", "scheme": "SSWS"}"#)
        try tool.write("okta.json", edited)
        chmod(tool.path("okta.json"), 0o644)
        #expect(try tool.run(["targets", "check", "./okta.json"]).status == 0)
        try tool.write("one.csv", "email\nada@example.com\n")
        let result = try tool.run(
            [
                "run", "one.csv", "--target", "./okta.json", "--var", "org=acme", "--base-url",
                server.url, "--progress", "none", "--report", "one.report.csv",
            ], environment: ["BATCH_INVITE_TOKEN": "key-123"])
        #expect(result.status == 0, "\(result.stderr)")
        let received = try server.requests()
        #expect(received.count == 1)
        let headers = received.first?["headers"] as? [String: String] ?? [:]
        #expect(headers["authorization"] == "SSWS key-123")
        // The token is in nothing the run leaves.
        let report = try tool.read("one.report.csv")
        #expect(!report.contains("key-123"))
        #expect(!(try tool.read("one.report.csv.journal")).contains("key-123"))
    }

    @Test func theDryRunPlanSendsNothing() throws {
        let tool = try tool()
        let result = try tool.run(
            ["run", "people.csv"] + target + ["--var", "org=acme", "--dry-run"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("7 rows: 4 would be sent, 2 invalid, 1 duplicate"))
        let rows = try reportRows(tool, "people.report.csv")
        #expect(rows.filter { $0["status"] == "would_send" }.count == 4)
    }

    @Test func aResumeWithOtherVarsIsAnotherRun() throws {
        let server = try ServerProcess(
            script: "github_invitations.py", ["LOG", "--token", "t0k", "--org", "acme"])
        let tool = try tool()
        func run(_ org: String) throws -> ToolResult {
            try tool.run(
                ["run", "people.csv"] + target + [
                    "--var", "org=\(org)", "--base-url", server.url, "--progress", "none",
                    "--limit", "1",
                ], environment: ["BATCH_INVITE_TOKEN": "t0k"])
        }
        let first = try run("acme")
        #expect(first.status != 2, "\(first.stderr)")
        let other = try run("other")
        #expect(other.status == 2)
        #expect(other.stderr.contains("belongs to another run (--var org=acme)"), "\(other.stderr)")
        let edited = try String(
            contentsOfFile: tool.path("github-org-invitations.json"), encoding: .utf8
        )
        .replacingOccurrences(of: #""default": 1"#, with: #""default": 2"#)
        try tool.write("github-org-invitations.json", edited)
        let another = try run("acme")
        #expect(another.status == 2)
        #expect(another.stderr.contains("another definition of target github-org-invitations"))
        #expect(try server.received().count == 1)
    }

    @Test func targetsCheckAcceptsTheSampleAndListsEveryProblemOfABrokenOne() throws {
        let tool = try tool()
        let good = try tool.run(["targets", "check", "github-org-invitations.json"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("a valid definition of target github-org-invitations"))
        let graph = try tool.run(["targets", "check", Self.graphSample])
        #expect(graph.status == 0, "\(graph.stderr)")
        #expect(
            graph.stdout == Self.graphSample + ": a valid definition of target "
                + "microsoft-graph-invitations (2 fields, key email, --var redirect_url, --var tenant)\n"
        )
        try tool.write(
            "broken.json",
            """
            {"format": 1, "name": "broken", "description": "d", "documentation": "https://x.io",
             "fields": [{"name": "email", "rule": "emial", "key": "lowercased"}],
             "request": {"method": "POST", "path": "/i/{{mail}}"}, "colour": "red"}
            """)
        let bad = try tool.run(["targets", "check", "broken.json"])
        #expect(bad.status == 2)
        #expect(bad.stdout.split(separator: "\n").count == 3, "\(bad.stdout)")
        #expect(bad.stdout.contains("broken.json: /colour: unknown member"))
        #expect(
            bad.stdout.contains(
                #"broken.json: /fields/0/rule: "emial" is not a rule; expected one of text, email"#)
        )
        #expect(bad.stdout.contains("broken.json: /request/path: {{mail}} names no field"))
        let run = try tool.run(["validate", "people.csv", "--target", "./broken.json"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("/fields/0/rule"))
    }

    @Test func targetsListShowAndSchema() throws {
        let tool = try tool()
        let list = try tool.run(["targets", "list"])
        #expect(list.status == 0)
        #expect(list.stdout.hasPrefix("sendoso\t") && list.stdout.contains("\ncyberark-sms\t"))
        let show = try tool.run(["targets", "show", "./github-org-invitations.json"])
        #expect(show.status == 0)
        #expect(show.stdout == (try String(contentsOfFile: Self.sample, encoding: .utf8)))
        // A built-in is a definition too: shown as it is compiled in.
        let builtIn = try tool.run(["targets", "show", "sendoso"])
        #expect(builtIn.status == 0)
        #expect(builtIn.stdout.contains(#""name": "sendoso","#))
        let unknown = try tool.run(["targets", "show", "okta"])
        #expect(unknown.status == 2)
        let schema = try tool.run(["targets", "schema"])
        #expect(schema.status == 0)
        let shipped = try String(
            contentsOf: Tool.packageRoot.appendingPathComponent(
                "samples/targets/target.schema.json"),
            encoding: .utf8)
        #expect(schema.stdout == shipped)
    }

    @Test func theSampleAndBrokenDefinitionsAgainstTheSchemaWithPythonsJSONSchema() throws {
        let tool = try tool()
        let schema = try tool.run(["targets", "schema"])
        try tool.write("schema.json", schema.stdout)
        for name in ["sendoso", "cyberark-sms"] {
            try tool.write("\(name).json", try tool.run(["targets", "show", name]).stdout)
        }
        let broken = [
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "emial"}], "request": {"method": "POST", "path": "/i"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email"}], "request": {"method": "POST", "path": "/i"}, "colour": 1}"#,
            #"{"format": 1, "name": "Bad Name", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email"}], "request": {"method": "POST", "path": "/i"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email"}], "request": {"method": "FETCH", "path": "/i"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "integer", "choices": ["a"]}], "request": {"method": "POST", "path": "/i"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email"}], "request": {"method": "POST", "path": "/i"}, "rate": {"reset_unit": "minutes"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email"}], "request": {"method": "POST", "path": "/i"}, "answer": {"failed_tests": "ignore"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email"}], "request": {"method": "POST", "path": "/i"}, "idempotency": {"header": "Content-Type"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email"}], "request": {"method": "POST", "path": "/i"}, "full_name": {"first": "e"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email", "key": "exact"}], "request": {"method": "POST", "path": "/i"}, "auth": {"type": "bearer", "oauth": {"token_url": "http://id.x.io/token"}}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email", "key": "exact"}], "request": {"method": "POST", "path": "/i"}, "auth": {"type": "bearer", "oauth": {"token_url": "https://id.x.io/token?tenant=1"}}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email", "key": "exact"}], "request": {"method": "POST", "path": "/i"}, "auth": {"type": "bearer", "oauth": {"scope": "s"}}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email", "key": "exact"}], "request": {"method": "POST", "path": "/i"}, "auth": {"type": "bearer", "scheme": "SSWS"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email", "key": "exact"}], "request": {"method": "POST", "path": "/i"}, "auth": {"type": "header", "header": "Authorization", "scheme": "SSWS x"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email", "key": "exact"}], "request": {"method": "POST", "path": "/i"}, "auth": {"type": "header"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "base_url": "https://user:secret@x.io", "fields": [{"name": "e", "rule": "email", "key": "exact"}], "request": {"method": "POST", "path": "/i"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "base_url": "https://x.io/v1?key=1", "fields": [{"name": "e", "rule": "email", "key": "exact"}], "request": {"method": "POST", "path": "/i"}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email", "key": "exact"}], "request": {"method": "POST", "path": "/i"}, "rate": {"limited_when": [{"status": 403, "header": "retry-after"}]}}"#,
            #"{"format": 1, "name": "x", "description": "d", "documentation": "https://x.io", "fields": [{"name": "e", "rule": "email", "key": "exact"}], "request": {"method": "POST", "path": "/i"}, "rate": {"limited_when": [{"status": 403, "header": "retry-after", "present": true, "equals": "1"}]}}"#,
        ]
        for (index, text) in broken.enumerated() {
            try tool.write("broken\(index).json", text)
            chmod(tool.path("broken\(index).json"), 0o644)
            #expect(
                try tool.run(["targets", "check", "broken\(index).json"]).status == 2, "\(text)")
        }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open("schema.json"))
            jsonschema.Draft202012Validator.check_schema(schema)
            for shipped in ["github-org-invitations.json", "microsoft-graph-invitations.json",
                            "sendoso.json", "cyberark-sms.json"]:
                jsonschema.validate(json.load(open(shipped)), schema,
                                    cls=jsonschema.Draft202012Validator)
            for i in range(\(broken.count)):
                try:
                    jsonschema.validate(json.load(open("broken%d.json" % i)), schema,
                                        cls=jsonschema.Draft202012Validator)
                    sys.exit("broken%d.json passed the schema" % i)
                except jsonschema.ValidationError:
                    pass
            print("ok")
            """
        try tool.write(
            "microsoft-graph-invitations.json",
            String(contentsOfFile: Self.graphSample, encoding: .utf8))
        try tool.write("check.py", script)
        let result = try tool.runShell("python3 check.py")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ok\n")
    }
}
