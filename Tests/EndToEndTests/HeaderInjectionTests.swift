import Foundation
import Testing

/// A token, or another value the user controls that goes into a request's header or
/// request line, holding a control character (a CR LF would add a header of its own) or
/// a character that is not visible ASCII, is refused before any request goes out with it:
/// exit 3 when a token source gave it (the first token or a renewed one), 2 when it is
/// the command line's. The server never sees the injected header.
@Suite struct HeaderInjectionTests {
    static let injected = "tok-1\r\nX-Injected: yes"

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        /// Options after the server's base URL; `URL` stands for it.
        var options: [String]
        var environment: [String: String] = [:]
        /// hostile_server.py's mode and options.
        var server: [String] = ["ok", "LOG"]
        var status: Int32
        /// A part of the message on standard error.
        var message: String
        /// Whether a request with a good token went out before (a renewal).
        var sentBefore = false
    }

    static let cases: [Case] = [
        Case(
            testDescription: "OAuth token endpoint, first token",
            options: [
                "--oauth-token-url", "URL/oauth2/token", "--client-id", "svc",
                "--client-secret-env", "SECRET",
            ], environment: ["SECRET": "s3cr3t-value"],
            server: ["oauth", "LOG", "--tokens", #"["tok-1\r\nX-Injected: yes"]"#], status: 3,
            message:
                "the token endpoint URL/oauth2/token gave a token that cannot be sent: its character 6 is a control character (\\r)"
        ),
        Case(
            testDescription: "OAuth token endpoint, renewed token",
            options: [
                "--oauth-token-url", "URL/oauth2/token", "--client-id", "svc",
                "--client-secret-env", "SECRET", "--rate", "4",
            ], environment: ["SECRET": "s3cr3t-value"],
            server: [
                "oauth", "LOG", "--lifetime", "1", "--tokens",
                #"["tok-0", "tok-1\r\nX-Injected: yes"]"#,
            ],
            status: 3, message: "gave a token that cannot be sent: its character 6 is a control",
            sentBefore: true),
        Case(
            testDescription: "token command, JSON",
            options: [
                "--token-command", #"printf '%s' '{"access_token":"tok-1\r\nX-Injected: yes"}'"#,
            ],
            status: 3,
            message:
                "the token command gave a token that cannot be sent: its character 6 is a control character (\\r)"
        ),
        Case(
            testDescription: "token command, JSON, renewed token",
            options: [
                "--rate", "4", "--token-command",
                #"if [ -e once ]; then printf '%s' '{"access_token":"tok-1\r\nX-Injected: yes"}'; "#
                    + #"else touch once; printf '%s' '{"access_token":"tok-0","expires_in":1}'; fi"#,
            ], status: 3, message: "the token command gave a token that cannot be sent",
            sentBefore: true),
        Case(
            testDescription: "token command, plain",
            options: ["--token-command", #"printf 'tok-1\033]0;X\007'"#], status: 3,
            message: "its character 6 is a control character (\\x1b)"),
        Case(
            testDescription: "environment variable", options: [],
            environment: ["BATCH_INVITE_TOKEN": injected], status: 3,
            message:
                "the environment variable BATCH_INVITE_TOKEN gave a token that cannot be sent: its character 6"
        ),
        Case(
            testDescription: "token file, not ASCII", options: ["--token-file", "token.txt"],
            status: 3, message: "its character 2 is not ASCII (ö)"),
        Case(
            testDescription: "--path",
            options: ["--path", "/api/v3/users\r\nX-Injected: yes"],
            environment: ["BATCH_INVITE_TOKEN": "tok-1"], status: 2,
            message: #"--path "/api/v3/users\r\nX-Injected: yes" holds a control character (\r)"#),
        Case(
            testDescription: "--client-id",
            options: [
                "--oauth-token-url", "URL/oauth2/token", "--client-id", "svc\r\nX-Injected: yes",
                "--client-secret-env", "SECRET",
            ], environment: ["SECRET": "s3cr3t-value"], server: ["oauth", "LOG"], status: 2,
            message: "--client-id \"svc\\r\\nX-Injected: yes\" holds a control character (\\r)"),
    ]

    @Test(arguments: cases)
    func aValueThatWouldAddAHeaderIsRefusedBeforeAnyRequestCarriesIt(_ refused: Case) throws {
        let server = try ServerProcess(script: "hostile_server.py", refused.server)
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(8))
        try tool.write("token.txt", "tök-1\n")
        let result = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", server.url,
                "--progress", "none", "--report", "report.csv",
            ] + refused.options.map { $0.replacingOccurrences(of: "URL", with: server.url) },
            environment: refused.environment)
        server.stop()
        #expect(result.status == refused.status, "\(result.stderr)")
        #expect(
            result.stderr.contains(
                refused.message.replacingOccurrences(of: "URL", with: server.url)),
            "\(result.stderr)")
        let requests = try server.requests()
        let headers = requests.compactMap { $0["headers"] as? [String: String] }
        #expect(!headers.contains { $0.keys.contains { $0.lowercased() == "x-injected" } })
        let api = requests.filter { ($0["path"] as? String)?.hasSuffix("/token") != true }
        if refused.sentBefore {
            #expect(!api.isEmpty && headers.allSatisfy { $0["Authorization"] != "Bearer tok-1" })
        } else {
            #expect(api.isEmpty)
        }
    }
}
