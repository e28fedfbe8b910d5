import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite struct SimulatorContractTests {
    @Test func sendosoInvitesWithA201AndAnExpiryDaysAheadWithAnOffset() async throws {
        let simulator = try SimulatorProcess([
            "--token", "secret", "--teams", "1234,5678", "--expires-in-days", "10",
        ])
        let sent = Date()
        let reply = try await simulator.invite(email: "Ada@Example.com")
        let received = Date()
        #expect(reply.status == 201)
        #expect(reply.json["success"] as? Bool == true)
        #expect(reply.json["message"] as? String == "Invitation sent successfully")
        #expect(reply.json["receiver_email"] as? String == "Ada@Example.com")
        #expect(reply.json["team_group_id"] as? Int == 1234)
        #expect(reply.json["user_role"] as? String == "manager")
        #expect(reply.json["invitation_status"] as? String == "pending")
        let expires = try #require(reply.json["expires_at"] as? String)
        #expect(expires.hasSuffix("-08:00"))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(formatter.date(from: expires))
        // Ten days after the moment it was answered (the test may resume long after).
        let days = 10.0 * 86_400
        #expect(
            date.timeIntervalSince(sent) > days - 1 && date.timeIntervalSince(received) < days + 1)
    }

    @Test(arguments: [
        ("admin", "1234", "Ada", "ada@x.io", "Role can be one of these: manager,regular"),
        ("regular", "9999", "Ada", "ada@x.io", "Please enter a valid team group"),
        ("regular", "\"1234\"", "Ada", "ada@x.io", "Please enter a valid team group"),
        ("regular", "1234", " ", "ada@x.io", "First name can't be blank"),
        ("regular", "1234", "Ada", "ada@", "Email is invalid"),
    ])
    func sendosoRefusesBadBodiesWith400AndItsMessage(
        role: String, team: String, first: String, email: String, message: String
    )
        async throws
    {
        let simulator = try SimulatorProcess(["--token", "secret", "--teams", "1234"])
        // A quoted team is sent as a JSON string, else as a number.
        let value: Any = team.hasPrefix("\"") ? String(team.dropFirst().dropLast()) : Int(team)!
        let reply = try await simulator.invite(
            email: email, firstName: first, role: role, team: value)
        #expect(reply.status == 400)
        #expect(reply.json["success"] as? Bool == false)
        #expect(reply.json["message"] as? String == message)
    }

    @Test func sendosoRefusesABodyWithoutUser() async throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let reply = try await simulator.post(
            "/api/v3/users", body: Data(#"{"email":"a@b.c"}"#.utf8), token: "secret")
        #expect(reply.status == 400)
        #expect(reply.json["message"] as? String == "param is missing or the value is empty: user")
    }

    @Test func aSecondInvitationToTheSameEmailIsRefused() async throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        #expect(try await simulator.invite(email: "grace@x.io").status == 201)
        let again = try await simulator.invite(email: " GRACE@x.io")
        #expect(again.status == 400)
        #expect(again.json["message"] as? String == "Email has already been invited")
    }

    @Test func theTokenIsChecked() async throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        #expect(try await simulator.invite(email: "a@x.io", token: nil).status == 401)
        let wrong = try await simulator.invite(email: "a@x.io", token: "guess")
        #expect(wrong.status == 401)
        #expect(wrong.json["success"] as? Bool == false)
        #expect(
            try await simulator.sendSMS(id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301", token: "guess")
                .status == 401)
        let open = try SimulatorProcess([])
        #expect(try await open.invite(email: "a@x.io", token: "anything").status == 201)
    }

    @Test func cyberArkAnswers200WithErrorNullOnlyForAKnownUser() async throws {
        let users = FileManager.default.temporaryDirectory.appendingPathComponent(
            "users-\(UUID().uuidString).txt")
        try "# known users\n3F2504E0-4F89-11D3-9A0C-0305E82C3301\n\n".write(
            to: users, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: users) }
        let simulator = try SimulatorProcess(["--token", "secret", "--users-file", users.path])
        let known = try await simulator.sendSMS(id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
        #expect(known.status == 200)
        #expect(known.json["success"] as? Bool == true)
        #expect(known.json["Error"] is NSNull)
        #expect(known.json["Result"] is [String: Any])
        let unknown = try await simulator.sendSMS(id: "6fa459ea-ee8a-3ca4-894e-db77e160355e")
        #expect(unknown.status == 200)
        #expect(unknown.json["success"] as? Bool == false)
        #expect(
            unknown.json["Error"] as? String
                == "User not found: 6fa459ea-ee8a-3ca4-894e-db77e160355e")
        let missing = try await simulator.sendSMS(id: nil)
        #expect(missing.status == 200)
        #expect(missing.json["Error"] as? String == "Missing required parameter: ID")
    }

    /// The simulator checks its list of users with a rule of its own (not the client's):
    /// the same words, and hexadecimal digits in ASCII only.
    @Test func aUsersFileLineThatIsNotAUUIDStopsTheSimulatorNamingIt() throws {
        let tool = try Tool()
        let users = try tool.write(
            "users.txt",
            "ID,name\n {3F2504E0-4F89-11D3-9A0C-0305E82C3301} ,Ada\n"
                + "\u{FF13}f2504e0-4f89-11d3-9a0c-0305e82c3301,Grace\n")
        let result = try tool.run(["simulate", "--users-file", users])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite simulate: --users-file \(users), line 3: "
                + "\"\u{FF13}f2504e0-4f89-11d3-9a0c-0305e82c3301\" is not a UUID "
                + "(8-4-4-4-12 hex digits, braces allowed)\n")
    }

    @Test func theRateLimitAnswers429WithRetryAfter() async throws {
        let simulator = try SimulatorProcess([
            "--token", "secret", "--rate-limit", "1", "--burst", "3",
        ])
        // Twelve at once: however slowly a busy machine answers each one, they arrive far
        // faster than one a second after the burst of three.
        let url = simulator.baseURL
        let replies = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<12 {
                group.addTask {
                    let body =
                        #"{"user":{"first_name":"Ada","last_name":"Lovelace","email":"user"#
                        + "\(index)" + #"@x.io","role":"manager","team_group_id":1234}}"#
                    let reply = try await SimulatorProcess.post(
                        baseURL: url, "/api/v3/users", body: Data(body.utf8), token: "secret")
                    return (reply.status, reply.headers["retry-after"])
                }
            }
            var replies: [(Int, String?)] = []
            for try await reply in group { replies.append(reply) }
            return replies
        }
        let statuses = replies.map(\.0)
        #expect(statuses.filter { $0 == 201 }.count >= 3)
        #expect(statuses.contains(429))
        #expect(Set(statuses).isSubset(of: [201, 429]))
        // Every 429 says when to come back.
        let retryAfter = replies.filter { $0.0 == 429 }.map { $0.1 ?? "" }
        #expect(retryAfter.allSatisfy { Int($0).map { $0 >= 1 } ?? false })
        try await Task.sleep(for: .seconds(1.2))
        #expect(try await simulator.invite(email: "later@x.io").status == 201)
    }

    @Test func random429sAnd503sAreInjected() async throws {
        let throttled = try SimulatorProcess([
            "--token", "secret", "--p429", "1", "--retry-after", "3",
        ])
        let reply = try await throttled.invite(email: "a@x.io")
        #expect(reply.status == 429)
        #expect(reply.headers["retry-after"] == "3")
        let unavailable = try SimulatorProcess(["--token", "secret", "--p503", "1"])
        #expect(
            try await unavailable.sendSMS(id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301").status == 503)
    }

    @Test func droppedConnectionsAreSeenByTheClientAndLogged() async throws {
        let before = try SimulatorProcess(["--token", "secret", "--drop-before", "1"])
        await #expect(throws: (any Error).self) { try await before.invite(email: "a@x.io") }
        let after = try SimulatorProcess(["--token", "secret", "--drop-after", "1"])
        await #expect(throws: (any Error).self) { try await after.invite(email: "b@x.io") }
        before.stop()
        after.stop()
        let beforeLog = try before.logEntries()
        #expect(!beforeLog.isEmpty)
        #expect(
            beforeLog.allSatisfy {
                $0["outcome"] as? String == "fault" && $0["fault"] as? String == "drop-before"
            })
        #expect(beforeLog.allSatisfy { $0["status"] is NSNull })
        // The invitation was made although the answer was lost: the ambiguous case.
        let afterLog = try after.logEntries()
        #expect(afterLog.first?["outcome"] as? String == "invited")
        #expect(afterLog.first?["fault"] as? String == "drop-after")
        #expect(afterLog.first?["status"] as? Int == 201)
    }

    @Test func latencyDelaysEveryAnswer() async throws {
        let simulator = try SimulatorProcess([
            "--token", "secret", "--latency-ms", "300", "--jitter-ms", "100",
        ])
        let start = Date()
        #expect(try await simulator.invite(email: "slow@x.io").status == 201)
        let elapsed = Date().timeIntervalSince(start)
        // Only the lower bound: under a busy test run the answer can arrive late for other reasons.
        #expect(elapsed >= 0.3)
    }

    @Test func theRequestLogHasOneLinePerRequestThatReachedAHandler() async throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        _ = try await simulator.invite(email: "log@x.io")
        _ = try await simulator.invite(email: "log@x.io")
        _ = try await simulator.sendSMS(id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
        _ = try await simulator.post("/nowhere", body: Data(), token: "secret")
        #expect(simulator.stop() == 0)
        let entries = try simulator.logEntries()
        #expect(entries.count == 3)
        #expect(entries.map { $0["api"] as? String } == ["sendoso", "sendoso", "cyberark-sms"])
        #expect(
            entries.map { $0["key"] as? String } == [
                "log@x.io", "log@x.io", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            ])
        #expect(entries.map { $0["status"] as? Int } == [201, 400, 200])
        #expect(entries.map { $0["outcome"] as? String } == ["invited", "rejected", "invited"])
        #expect(entries.map { $0["attempt"] as? Int } == [1, 2, 1])
        #expect(entries.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true })
    }

    @Test func theSameSeedGivesTheSameFaults() async throws {
        func statuses(seed: String) async throws -> [Int] {
            let simulator = try SimulatorProcess([
                "--token", "secret", "--p503", "0.5", "--seed", seed,
            ])
            var result: [Int] = []
            for index in 0..<30 {
                result.append(
                    try await simulator.sendSMS(
                        id: String(format: "3f2504e0-4f89-11d3-9a0c-%012d", index)
                    ).status)
            }
            return result
        }
        let first = try await statuses(seed: "42")
        #expect(try await statuses(seed: "42") == first)
        #expect(first.contains(503) && first.contains(200))
        #expect(try await statuses(seed: "43") != first)
    }

    @Test func unknownPathsAndMethodsAreRefused() async throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        #expect(
            try await simulator.post("/api/v2/users", body: Data(), token: "secret").status == 404)
        #expect(
            try await simulator.post("/api/v3/users", body: Data(), token: "secret", method: "PUT")
                .status == 405)
    }
}
