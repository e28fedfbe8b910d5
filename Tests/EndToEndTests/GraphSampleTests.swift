import Foundation
import Testing

/// `samples/targets/microsoft-graph-invitations.json` against a fake of Microsoft Graph's
/// "Create invitation" and of the Microsoft identity platform's token endpoint
/// (Servers/graph_invitations.py): OAuth client credentials, what Graph receives, its
/// answers and its 429; where the access token and the client secret go; the token URL the
/// definition names.
@Suite struct GraphSampleTests {
    static let sample = Tool.packageRoot.appendingPathComponent(
        "samples/targets/microsoft-graph-invitations.json"
    ).path
    static let tenant = "contoso.onmicrosoft.com"
    static let clientID = "6731de76-14a6-49ae-97bc-6eba6914391e"
    static let secret = "graph-client-secret-do-not-print"
    static let accessToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.graph-access-token"
    static let redirect = "https://myapps.microsoft.com"
    static let people = """
        Email,Display Name
        ada@example.com,Ada Lovelace
        bang!guest@example.com,
        Bob@Example.com,

        """

    /// The fake, knowing the client and the token it issues.
    func fake(_ extra: [String] = []) throws -> ServerProcess {
        try ServerProcess(
            script: "graph_invitations.py",
            [
                "LOG", "--tenant", Self.tenant, "--client-id", Self.clientID, "--client-secret",
                Self.secret, "--access-token", Self.accessToken,
            ] + extra)
    }

    /// A scratch directory with the sample as ./graph.json (with `edit` applied) and
    /// people.csv.
    func tool(_ edit: (String) -> String = { $0 }) throws -> Tool {
        let tool = try Tool()
        try tool.write("graph.json", edit(try String(contentsOfFile: Self.sample, encoding: .utf8)))
        chmod(tool.path("graph.json"), 0o644)
        try tool.write("people.csv", Self.people)
        return tool
    }

    /// `run` with the client's ID and secret, one request at a time.
    func run(_ tool: Tool, baseURL: String, _ extra: [String]) throws -> ToolResult {
        try tool.run(
            [
                "run", "people.csv", "--target", "./graph.json", "--var",
                "redirect_url=\(Self.redirect)", "--base-url", baseURL, "--client-id",
                Self.clientID, "--client-secret-env", "GRAPH_SECRET", "--progress", "none",
                "--rate", "0", "--concurrency", "1", "--report", "report.csv",
            ] + extra, environment: ["GRAPH_SECRET": Self.secret])
    }

    func tokenURL(_ server: ServerProcess) -> String {
        server.url + "/\(Self.tenant)/oauth2/v2.0/token"
    }

    @Test func aRunInvitesThroughGraphWithATokenFromTheTokenEndpoint() throws {
        let server = try fake(["--throttle-at", "2"])
        let tool = try tool()
        let result = try run(
            tool, baseURL: server.url, ["--oauth-token-url", tokenURL(server)])
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "3 rows: 2 invited, 1 failed, 0 invalid, 0 duplicate, 0 not sent")
        #expect(lines.last?.hasSuffix("4 requests, 1 retries, 1 HTTP 429s") == true, "\(lines)")
        #expect(
            try tool.read("report.csv") == """
                row,line,key,status,http_status,message,invitation_status,expires_at,attempts
                1,2,ada@example.com,invited,201,,PendingAcceptance,,1
                2,3,bang!guest@example.com,failed,400,The invited user's email address is not valid.,,,2
                3,4,bob@example.com,invited,201,,PendingAcceptance,,1

                """)
        let received = try server.requests()
        // The token, ada, bang (429, then again), bob.
        #expect(received.count == 5)
        let token = received.first ?? [:]
        #expect(token["path"] as? String == "/\(Self.tenant)/oauth2/v2.0/token")
        // The scope is the definition's: no --oauth-scope was given.
        #expect(
            token["body"] as? [String: String] == [
                "grant_type": "client_credentials", "scope": "https://graph.microsoft.com/.default",
            ])
        let basic = Data("\(Self.clientID):\(Self.secret)".utf8).base64EncodedString()
        #expect((token["headers"] as? [String: String])?["authorization"] == "Basic " + basic)
        let invitations = received.dropFirst()
        for request in invitations {
            #expect(request["method"] as? String == "POST")
            #expect(request["path"] as? String == "/v1.0/invitations")
            let headers = request["headers"] as? [String: String] ?? [:]
            #expect(headers["authorization"] == "Bearer " + Self.accessToken)
            #expect(headers["content-type"] == "application/json")
        }
        let bang =
            #"{"invitedUserEmailAddress":"bang!guest@example.com","inviteRedirectUrl":"https://myapps.microsoft.com","sendInvitationMessage":true}"#
        #expect(
            invitations.map { $0["raw"] as? String ?? "" } == [
                #"{"invitedUserEmailAddress":"ada@example.com","invitedUserDisplayName":"Ada Lovelace","inviteRedirectUrl":"https://myapps.microsoft.com","sendInvitationMessage":true}"#,
                bang, bang,
                #"{"invitedUserEmailAddress":"Bob@Example.com","inviteRedirectUrl":"https://myapps.microsoft.com","sendInvitationMessage":true}"#,
            ])
    }

    @Test(arguments: ["basic", "body"])
    func theTokenGoesOnlyToGraphAndTheSecretOnlyToTheTokenEndpoint(clientAuth: String) throws {
        let identity = try fake()
        let graph = try fake()
        let tool = try tool()
        try tool.write("people.csv", "email\nada@example.com\nbob@example.com\n")
        let result = try run(
            tool, baseURL: graph.url,
            ["--oauth-token-url", tokenURL(identity), "--oauth-client-auth", clientAuth])
        #expect(result.status == 0, "\(result.stderr)")
        let basic = Data("\(Self.clientID):\(Self.secret)".utf8).base64EncodedString()
        let tokenRequests = try identity.received()
        #expect(tokenRequests.count == 1)
        for line in tokenRequests {
            #expect(line.contains("/oauth2/v2.0/token"))
            #expect(!line.contains("invitedUserEmailAddress") && !line.contains("ada@example.com"))
            #expect(!line.contains(Self.accessToken) && !line.contains("Bearer"))
        }
        let invitations = try graph.received()
        #expect(invitations.count == 2)
        for line in invitations {
            #expect(line.contains(#""path": "/v1.0/invitations""#))
            #expect(!line.contains(Self.secret) && !line.contains(basic))
            #expect(!line.contains("grant_type") && !line.contains(Self.clientID))
        }
        // Nor does the secret reach a file the run leaves.
        for name in try FileManager.default.contentsOfDirectory(atPath: tool.directory.path) {
            let bytes = FileManager.default.contents(atPath: tool.path(name)) ?? Data()
            #expect(!String(decoding: bytes, as: UTF8.self).contains(Self.secret), "\(name)")
        }
    }

    @Test func theDefinitionsTokenURLTakesTheTenantVarAndItsScope() throws {
        let server = try fake()
        let certificates = try TestCertificates()
        let nginx = try NginxProcess(certificates: certificates, upstream: server.url)
        // The sample's token URL, on a local TLS server instead of Microsoft's.
        let tool = try tool {
            $0.replacingOccurrences(
                of: "https://login.microsoftonline.com/", with: "https://127.0.0.1:\(nginx.port)/")
        }
        try tool.write("people.csv", "email\nada@example.com\n")
        let result = try run(
            tool, baseURL: server.url,
            ["--var", "tenant=\(Self.tenant)", "--cacert", certificates.caPath])
        #expect(result.status == 0, "\(result.stderr)")
        let received = try server.requests()
        #expect(
            received.map { $0["path"] as? String } == [
                "/\(Self.tenant)/oauth2/v2.0/token", "/v1.0/invitations",
            ])
        #expect(
            (received.first?["body"] as? [String: String])?["scope"]
                == "https://graph.microsoft.com/.default")
        // --oauth-scope replaces the definition's scope.
        let other = try fake(["--scope", "api://other/.default"])
        let second = try self.tool()
        try second.write("people.csv", "email\nada@example.com\n")
        let scoped = try run(
            second, baseURL: other.url,
            ["--oauth-token-url", tokenURL(other), "--oauth-scope", "api://other/.default"])
        #expect(scoped.status == 0, "\(scoped.stderr)")
        #expect(try other.received().count == 2)
    }

    @Test func aTokenURLWhoseVarIsMissingStopsWithExitTwoNamingIt() throws {
        let tool = try tool()
        let base = "http://127.0.0.1:\(closedPort())"
        let missing = try run(tool, baseURL: base, [])
        #expect(missing.status == 2)
        #expect(
            missing.stderr.contains(
                "the token URL of target microsoft-graph-invitations, "
                    + "https://login.microsoftonline.com/{{var.tenant}}/oauth2/v2.0/token, needs "
                    + "--var tenant=VALUE"), "\(missing.stderr)")
        let stray = try tool.run(
            [
                "run", "people.csv", "--target", "./graph.json", "--var", "redirect_url=x",
                "--base-url", base, "--client-secret-env", "GRAPH_SECRET",
            ], environment: ["GRAPH_SECRET": Self.secret])
        #expect(stray.status == 2)
        #expect(
            stray.stderr.contains(
                "--client-secret-env needs --client-id ID (target microsoft-graph-invitations "
                    + "names the token URL) or --oauth-token-url"), "\(stray.stderr)")
        let two = try run(tool, baseURL: base, ["--token-env", "GRAPH_TOKEN"])
        #expect(two.status == 2)
        #expect(two.stderr.contains("give one token source, not --token-env and --client-id"))
    }

    @Test func targetsShowPrintsTheSampleAsItIs() throws {
        let tool = try tool()
        let show = try tool.run(["targets", "show", "./graph.json"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout == (try String(contentsOfFile: Self.sample, encoding: .utf8)))
    }
}
