import Foundation
import Testing

/// The options that make a request's URL (`--base-url`, `--oauth-token-url`, `--path`,
/// `--check-path`) take nothing that would be kept or sent otherwise than written: a user
/// name and password (kept in the journal, shown by status and --print-config; the token
/// options exist for secrets), a fragment (never sent: `/base/#frag` went to `/base/`), a
/// query, a space or a control character. Each stops the run with exit 2 and what to do,
/// with the password hidden, before anything is sent or written.
@Suite struct URLOptionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        /// Options after the input; `{server}` stands for the server's address, `{port}`
        /// for its port.
        var options: [String]
        /// The line on standard error, with the same stand-ins.
        var message: String
    }

    static let oauth = ["--client-id", "svc", "--client-secret-env", "SECRET"]

    static let cases: [Case] = [
        Case(
            testDescription: "--base-url with a user and password",
            options: ["--base-url", "http://user:pa55word@127.0.0.1:{port}"],
            message:
                #"--base-url "http://[redacted]@127.0.0.1:{port}" holds a user name or password (before @): it would be kept in the journal and shown by status; remove it, and give the token with --token-env NAME, --token-file PATH, --token-command CMD or --oauth-token-url URL"#
        ),
        Case(
            testDescription: "--base-url with a fragment",
            options: ["--base-url", "{server}/base/#frag"],
            message:
                #"--base-url "{server}/base/#…" has a fragment (the part after #), which is never sent: requests would go to {server}/base/; remove it"#
        ),
        Case(
            testDescription: "--base-url with a query",
            options: ["--base-url", "{server}/v1?api_key=pa55word"],
            message:
                #"--base-url "{server}/v1?…" has a query (the part after ?): each request adds its own path and query to the base URL, and a key in it would be kept and shown; remove it (a token or secret goes in the options for it, never in a URL)"#
        ),
        Case(
            testDescription: "--base-url with a CR LF",
            options: ["--base-url", "{server}/\r\nX-Injected: yes"],
            message:
                #"--base-url "{server}/\r\nX-Injected: yes" holds a control character (\r); a URL is written in visible ASCII (percent-encode the rest)"#
        ),
        Case(
            testDescription: "--oauth-token-url with a user and password",
            options: [
                "--base-url", "{server}", "--oauth-token-url",
                "http://svc:pa55word@127.0.0.1:{port}/token",
            ]
                + oauth,
            message:
                #"--oauth-token-url "http://[redacted]@127.0.0.1:{port}/token" holds a user name or password (before @): it would be sent besides the client's credentials and shown in messages; remove it, and give the client's ID and secret with --client-id ID and --client-secret-env NAME or --client-secret-file PATH"#
        ),
        Case(
            testDescription: "--oauth-token-url with a fragment",
            options: ["--base-url", "{server}", "--oauth-token-url", "{server}/token#x"] + oauth,
            message:
                #"--oauth-token-url "{server}/token#…" has a fragment (the part after #), which is never sent: requests would go to {server}/token; remove it"#
        ),
        Case(
            testDescription: "--oauth-token-url with a query",
            options: ["--base-url", "{server}", "--oauth-token-url", "{server}/token?tenant=x"]
                + oauth,
            message:
                #"--oauth-token-url "{server}/token?…" has a query (the part after ?): the token request's parameters go in its form body, and a key in it would be kept and shown; remove it (a token or secret goes in the options for it, never in a URL)"#
        ),
        Case(
            testDescription: "--path with a fragment",
            options: ["--base-url", "{server}", "--path", "/api/v3/users#x"],
            message:
                #"--path "/api/v3/users#…" has a fragment (the part after #), which is never sent: requests would go to /api/v3/users; remove it"#
        ),
        Case(
            testDescription: "--path with a query",
            options: ["--base-url", "{server}", "--path", "/api/v3/users?x=1"],
            message:
                #"--path "/api/v3/users?…" has a query (the part after ?): a request's query is the target's own; remove it"#
        ),
        Case(
            testDescription: "--check-path with a space",
            options: [
                "--base-url", "{server}", "--dry-run", "--check-connection", "--check-path",
                "/api/v3/me x",
            ],
            message:
                #"--check-path "/api/v3/me x" holds a space; a path is written in visible ASCII (percent-encode the rest)"#
        ),
    ]

    @Test(arguments: cases)
    func aURLPartThatWouldBeKeptOrSentOtherwiseIsRefused(_ refused: Case) throws {
        let server = try ServerProcess(script: "hostile_server.py", ["oauth", "LOG"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        func filled(_ text: String) -> String {
            text.replacingOccurrences(of: "{server}", with: server.url).replacingOccurrences(
                of: "{port}", with: "\(server.port)")
        }
        let result = try tool.run(
            ["run", "people.csv", "--target", "sendoso", "--summary-json", "summary.json"]
                + refused.options.map(filled),
            environment: ["BATCH_INVITE_TOKEN": "tok-12345", "SECRET": "s3cr3t-value"])
        server.stop()
        #expect(result.status == 2)
        #expect(result.stderr == "batch-invite run: \(filled(refused.message))\n")
        // Nothing sent, nothing written but the summary, which keeps no password either.
        #expect(try server.received().isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: tool.directory.path)
        #expect(Set(files) == ["people.csv", "summary.json"])
        #expect(!(try tool.read("summary.json")).contains("pa55word"))
    }

    /// What is in force is shown without the password, and a journal an earlier version
    /// wrote with one in its base URL is shown by status without it.
    @Test func aPasswordInABaseURLIsShownNowhere() throws {
        let server = try ServerProcess(script: "hostile_server.py", ["ok", "LOG"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        try tool.writeConfig(
            "job.conf", "target = sendoso\nbase-url = http://user:pa55word@127.0.0.1:1\n")
        let printed = try tool.run(["run", "people.csv", "--config", "job.conf", "--print-config"])
        #expect(printed.status == 0)
        #expect(printed.stdout.contains("base-url = http://[redacted]@127.0.0.1:1\n"))
        #expect(!printed.stdout.contains("pa55word"))
        let run = try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", server.url, "--progress",
                "none", "--report", "report.csv",
            ], environment: ["BATCH_INVITE_TOKEN": "tok-12345"])
        #expect(run.status == 0)
        // The journal's header as an earlier version wrote it, its checksum made again.
        let rewrite = try tool.runShell(
            """
            python3 -c '
            import re, zlib
            lines = open("report.csv.journal", "rb").read().split(b"\\n")
            body = re.sub(rb",\\"sum\\":\\"[0-9a-f]{8}\\"}$", b"}", lines[0])
            body = body.replace(b"\(server.url)", b"http://user:pa55word@\(server.url.dropFirst(7))")
            lines[0] = body[:-1] + b",\\"sum\\":\\"%08x\\"}" % zlib.crc32(body)
            open("report.csv.journal", "wb").write(b"\\n".join(lines))
            '
            """)
        #expect(rewrite.status == 0, "\(rewrite.stderr)")
        #expect(try tool.read("report.csv.journal").contains("pa55word"))
        for json in [false, true] {
            let status = try tool.run(
                ["status", "--journal", "report.csv.journal"] + (json ? ["--json"] : []))
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("http://[redacted]@\(server.url.dropFirst(7))"))
            #expect(!status.stdout.contains("pa55word"))
        }
    }
}

/// One reading of "loopback" for the whole tool (issue 29): `*.localhost` names, which
/// resolve to the machine itself, take plain http like `localhost` and `127.0.0.1`, as
/// the proxy settings already held; another host still needs `--allow-insecure-http`.
@Suite struct LoopbackTests {
    @Test(arguments: [
        ("http://api.localhost:9", true), ("http://localhost:9", true),
        ("http://127.0.0.2:9", true), ("http://[::1]:9", true),
        ("http://example.com", false), ("http://localhost.example.com", false),
    ])
    func plainHTTPIsForLoopbackOnly(url: String, loopback: Bool) throws {
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        let result = try tool.run([
            "run", "people.csv", "--target", "sendoso", "--base-url", url, "--dry-run",
        ])
        if loopback {
            #expect(result.status == 0, "\(result.stderr)")
        } else {
            #expect(result.status == 2)
            #expect(result.stderr.contains("--allow-insecure-http"), "\(result.stderr)")
        }
    }
}
