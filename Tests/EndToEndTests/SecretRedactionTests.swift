import Foundation
import Testing

/// Secrets a server echoes back, in whatever form it echoes them (as sent, form-encoded,
/// percent-encoded, the Base64 of `id:secret` as the Basic header carries it, JSON-escaped
/// with `\/` or `\u002b`, or cut where a quote of the answer ends), appear in nothing the
/// run leaves: its standard output and error, the summary, the metrics, the report, the
/// journal and the page.
@Suite struct SecretRedactionTests {
    /// A token with characters every encoding changes.
    static let token = "Zq8x7+k1m2/w3x4="
    static let tokenPieces = ["Zq8x7", "k1m2", "w3x4"]

    /// Where the echo comes from.
    enum Source: Sendable {
        /// The API, whose 400 repeats the request's Authorization header in this style.
        case api(style: String)
        /// The token endpoint, whose refusal of a renewal repeats the request's headers and
        /// body in this style; the client authenticates so (basic or body), and `basic` is
        /// its Basic header's value.
        case tokenEndpoint(auth: String, style: String, clientID: String, secret: String)
        /// A token command whose standard error repeats the token it printed, then fails.
        case commandFailingAfterPrinting
        /// A token command that gave a token, and whose renewal fails repeating that token
        /// JSON-escaped on its standard error.
        case commandRenewalEchoingTheOldToken
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var source: Source
        var testDescription: String {
            switch source {
            case .api(let style): return "the API, \(style)"
            case .tokenEndpoint(let auth, let style, let id, _):
                return "the token endpoint, \(auth) as \(id), \(style)"
            case .commandFailingAfterPrinting: return "a token command failing after printing"
            case .commandRenewalEchoingTheOldToken: return "a token command's renewal"
            }
        }
    }

    static let cases: [Case] =
        ["raw", "slash", "dotnet", "unicode", "percent", "straddle"].map {
            Case(source: .api(style: $0))
        }
        + ["raw", "slash", "dotnet", "unicode", "percent"].map {
            Case(
                source: .tokenEndpoint(
                    auth: "basic", style: $0, clientID: "cid", secret: "s3cr3t+/= &x"))
        }
        + ["raw", "decoded", "slash", "dotnet", "unicode", "percent"].map {
            Case(
                source: .tokenEndpoint(
                    auth: "body", style: $0, clientID: "cid", secret: "s3cr3t+/= &x"))
        }
        // A pair whose Base64 holds a + (and so escapes of its own).
        + ["dotnet", "percent"].map {
            Case(
                source: .tokenEndpoint(
                    auth: "basic", style: $0, clientID: "svc~~", secret: "s3cr3t+/= &x~~"))
        }
        + [
            Case(source: .commandFailingAfterPrinting),
            Case(source: .commandRenewalEchoingTheOldToken),
        ]

    /// Everything the run left: its output and every file in its directory.
    func everything(_ tool: Tool, _ result: ToolResult) throws -> String {
        var text = result.stdout + result.stderr
        for name in try FileManager.default.contentsOfDirectory(atPath: tool.directory.path) {
            text += (try? String(contentsOfFile: tool.path(name), encoding: .utf8)) ?? ""
        }
        return text
    }

    @Test(arguments: cases)
    func aSecretEchoedInAnyFormIsInNothingTheRunLeaves(_ echo: Case) throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(8))
        let outputs = [
            "--progress", "none", "--report", "report.csv", "--summary-json", "summary.json",
            "--metrics-file", "run.prom", "--html", "page.html",
        ]
        var arguments = ["run", "people.csv", "--target", "sendoso"] + outputs
        var environment: [String: String] = [:]
        let server: ServerProcess
        let pieces: [String]
        let expectedStatus: Int32
        switch echo.source {
        case .api(let style):
            server = try ServerProcess(
                script: "hostile_server.py", ["echo-request", "LOG", "--style", style])
            arguments += ["--base-url", server.url, "--rate", "0"]
            environment["BATCH_INVITE_TOKEN"] = Self.token
            pieces = Self.tokenPieces
            expectedStatus = 1
        case .tokenEndpoint(let auth, let style, let clientID, let secret):
            // The first token works; the renewal due after 0.9 s is refused, quoting the
            // request.
            server = try ServerProcess(
                script: "hostile_server.py",
                [
                    "oauth", "LOG", "--after", "1", "--lifetime", "1", "--style", style,
                    "--tokens", #"["tok-first-9f3a"]"#,
                ])
            arguments += [
                "--base-url", server.url, "--rate", "4", "--oauth-token-url",
                server.url + "/oauth2/token", "--client-id", clientID, "--client-secret-env",
                "SECRET", "--oauth-client-auth", auth,
            ]
            environment["SECRET"] = secret
            // The Base64 of the form-encoded ID and secret, joined by a colon.
            let basic = [
                "cid": "Y2lkOnMzY3IzdCUyQiUyRiUzRCslMjZ4",
                "svc~~": "c3Zjfn46czNjcjN0JTJCJTJGJTNEKyUyNnh+fg==",
            ][clientID, default: ""]
            pieces = ["s3cr3t", String(basic.prefix(16)), "tok-first-9f3a"]
            expectedStatus = 3
        case .commandFailingAfterPrinting:
            server = try ServerProcess(script: "hostile_server.py", ["ok", "LOG"])
            arguments += [
                "--base-url", server.url, "--token-command",
                #"printf '{"access_token":"%s"}\n' "$T"; "#
                    + #"echo "+ printf {\"access_token\":\"Zq8x7+k1m2\\/w3x4=\"}" >&2; exit 1"#,
            ]
            environment["T"] = Self.token
            pieces = Self.tokenPieces
            expectedStatus = 5
        case .commandRenewalEchoingTheOldToken:
            server = try ServerProcess(script: "hostile_server.py", ["ok", "LOG"])
            arguments += [
                "--base-url", server.url, "--rate", "4", "--token-command",
                #"if [ -e once ]; then echo "vault: Zq8x7\\u002Bk1m2\\/w3x4%3D expired" >&2; "#
                    + #"exit 1; fi; touch once; printf '{"access_token":"%s","expires_in":1}\n' "$T""#,
            ]
            environment["T"] = Self.token
            pieces = Self.tokenPieces
            expectedStatus = 5
        }
        let result = try tool.run(arguments, environment: environment)
        server.stop()
        #expect(result.status == expectedStatus, "\(result.stderr)")
        // The echo was quoted, with the secret hidden (a quote cut after 200 characters
        // ends with the start of the mark)...
        let quoted =
            try tool.read("summary.json") + result.stderr
            + ((try? tool.read("report.csv")) ?? "")
        #expect(quoted.contains("[reda"), "\(result.stderr)")
        // ...and no form of it is anywhere.
        let left = try everything(tool, result)
        for piece in pieces {
            #expect(!left.contains(piece), "\(piece) in \(left)")
        }
        // The server did get the secret: the test would show nothing if it were not sent.
        let received = try server.received().joined(separator: "\n")
        switch echo.source {
        case .api, .commandRenewalEchoingTheOldToken:
            #expect(received.contains("Bearer \(Self.token)"))
        case .tokenEndpoint(let auth, _, _, _):
            #expect(received.contains(auth == "basic" ? "Basic " : "client_secret=s3cr3t%2B"))
        case .commandFailingAfterPrinting:
            #expect(received.isEmpty)
        }
    }

}
