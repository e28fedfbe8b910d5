import Foundation
import Testing

/// A definition's `idempotency`: every request carries a key made from the job and the
/// row's key, the same on every attempt and on a resume, so that a resend after a lost
/// answer is safe, and the report says so instead of "may have been invited more than
/// once". Against a fake API that honours the header (`Servers/idempotent_api.py`).
@Suite struct IdempotencyTests {
    static let definition = """
        {
          "format": 1,
          "name": "idempotent-api",
          "description": "an invitation API that honours Idempotency-Key (a test's fake)",
          "documentation": "https://example.invalid/docs/invitations",
          "fields": [{"name": "email", "rule": "email", "key": "lowercased"}],
          "request": {"method": "POST", "path": "/invitations", "json": {"email": "{{email}}"}},
          "idempotency": {"header": "Idempotency-Key"},
          "answer": {
            "success_statuses": [201],
            "invitation_status": "/status",
            "already_invited": {"statuses": [422], "words": [["already", "invit"]]}
          }
        }
        """

    func tool(_ definition: String = definition) throws -> Tool {
        let tool = try Tool()
        try tool.write("api.json", definition)
        chmod(tool.path("api.json"), 0o644)
        try tool.write("people.csv", "email\nada@example.com\nbob@example.com\ncy@example.com\n")
        return tool
    }

    func arguments(_ server: ServerProcess) -> [String] {
        [
            "run", "people.csv", "--target", "./api.json", "--base-url", server.url,
            "--progress", "none", "--concurrency", "1", "--journal", "job.journal",
        ]
    }

    /// What the fake received: each request's key, e-mail, and whether it made an
    /// invitation or replayed a kept answer.
    func received(_ server: ServerProcess) throws -> [[String: Any]] {
        try server.requests()
    }

    @Test func aLostAnswerIsSentAgainWithTheSameKeyAndTheAPIActsOnce() throws {
        let server = try ServerProcess(
            script: "idempotent_api.py", ["LOG", "--token", "secret", "--drop", "bob@example.com"])
        let tool = try tool()
        let result = try tool.run(arguments(server), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("3 rows: 3 invited, 0 failed"))
        let requests = try received(server)
        #expect(requests.count == 4)
        let bob = requests.filter { $0["email"] as? String == "bob@example.com" }
        #expect(bob.count == 2)
        #expect(bob.map { $0["created"] as? Bool } == [true, false])
        #expect(bob.map { $0["replayed"] as? Bool } == [false, true])
        // One key per row, the same on both attempts, in UUID form.
        let keys = requests.compactMap { $0["key"] as? String }
        #expect(keys.count == 4)
        #expect(bob[0]["key"] as? String == bob[1]["key"] as? String)
        #expect(Set(keys).count == 3)
        for key in keys {
            #expect(
                key.range(
                    of: "^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                    options: .regularExpression) != nil, "\(key)")
        }
        let rows = try reportRows(tool, "people.report.csv")
        #expect(rows.map { $0["status"] } == ["invited", "invited", "invited"])
        let message = rows[1]["message"] ?? ""
        #expect(
            message.contains(
                "sent again with the same Idempotency-Key, so the API acts on it once"),
            "\(message)")
        #expect(!message.contains("may have been invited"), "\(message)")
        #expect(rows[1]["attempts"] == "2")
    }

    @Test func aResumeSendsARowInDoubtWithTheKeyOfTheRunThatStopped() throws {
        let server = try ServerProcess(
            script: "idempotent_api.py", ["LOG", "--token", "secret", "--hang", "bob@example.com"])
        let tool = try tool()
        let first = try BackgroundRun(tool, arguments(server) + ["--timeout", "600"])
        // Bob's request has arrived (and made his invitation) when the run is killed.
        let deadline = Date().addingTimeInterval(30)
        while (try? received(server).count) ?? 0 < 2 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(first.process.processIdentifier, SIGKILL)
        _ = first.finish()
        // report --journal reads the input again through the definition the journal names
        // (unchanged, same vars): Cy's row, never reached, is listed with his key.
        let report = try tool.run(["report", "--journal", "job.journal", "--report", "r.csv"])
        #expect(report.status != 2, "\(report.stderr)")
        let listed = try reportRows(tool, "r.csv")
        #expect(
            listed.map { $0["key"] } == ["ada@example.com", "bob@example.com", "cy@example.com"])
        #expect(listed.map { $0["status"] } == ["invited", "in_doubt", "not_sent"])
        #expect(!report.stderr.contains("known target"), "\(report.stderr)")
        let resumed = try tool.run(
            arguments(server), environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let requests = try received(server)
        let bob = requests.filter { $0["email"] as? String == "bob@example.com" }
        #expect(bob.count == 2)
        #expect(bob.map { $0["created"] as? Bool } == [true, false])
        #expect(bob[0]["key"] as? String == bob[1]["key"] as? String)
        let rows = try reportRows(tool, "people.report.csv")
        #expect(rows.map { $0["status"] } == ["invited", "invited", "invited"])
        let message = rows[1]["message"] ?? ""
        #expect(
            message.contains(
                "an earlier run stopped while sending this row; sent again with the same "
                    + "Idempotency-Key, so the API acts on it once"), "\(message)")
        #expect(!message.contains("may have been invited"), "\(message)")
    }

    @Test func withoutTheKeyTheReportStillWarnsOfASecondInvitation() throws {
        let server = try ServerProcess(
            script: "idempotent_api.py", ["LOG", "--token", "secret", "--drop", "bob@example.com"])
        let tool = try tool(
            Self.definition.replacingOccurrences(
                of: #""idempotency": {"header": "Idempotency-Key"},"#, with: ""))
        let result = try tool.run(arguments(server), environment: ["BATCH_INVITE_TOKEN": "secret"])
        // The resend is a new invitation to the fake: it says "already invited".
        #expect(result.status == 0, "\(result.stderr)")
        let requests = try received(server)
        #expect(requests.allSatisfy { $0["key"] is NSNull })
        let rows = try reportRows(tool, "people.report.csv")
        #expect(rows[1]["status"] == "already_invited")
        #expect(
            rows[1]["message"]?.contains("this person may have been invited more than once") == true
        )
    }
}
