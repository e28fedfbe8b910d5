import BatchInvite
import Dispatch
import Foundation

/// `batch-invite simulate`: a local server playing both invitation APIs, with faults.
struct SimulateCommand: Command {
    static let name = "simulate"
    static let summary = "serve both invitation APIs on 127.0.0.1, with faults on demand"
    static let options: [OptionSpec] = [
        OptionSpec(
            name: "--port", value: "N", help: "port on 127.0.0.1 (default 0: a free one)",
            group: .common, kind: .number),
        OptionSpec(
            name: "--token", value: "T", help: "the bearer token to accept (default: any)",
            group: .common, kind: .text),
        OptionSpec(
            name: "--oauth-client", value: "ID:SECRET",
            help:
                "serve an OAuth client-credentials token endpoint at /oauth2/platformtoken (and "
                + "/oauth2/token/APP) for this client; its tokens are accepted until they expire",
            group: .common, kind: .text),
        OptionSpec(
            name: "--token-lifetime", value: "SECONDS",
            help: "how long the token endpoint's tokens last (default 3600)", group: .advanced,
            kind: .number),
        OptionSpec(
            name: "--teams", value: "ID,ID", help: "valid Sendoso team IDs (default: any positive)",
            group: .advanced, kind: .text),
        OptionSpec(
            name: "--users-file", value: "PATH",
            help: "known CyberArk user UUIDs, one a line, braces allowed (default: any)",
            group: .common, kind: .file),
        OptionSpec(
            name: "--latency-ms", value: "N", help: "added to every answer (default 0)",
            group: .common, kind: .number),
        OptionSpec(
            name: "--jitter-ms", value: "N", help: "up to this much more, at random (default 0)",
            group: .advanced, kind: .number),
        OptionSpec(
            name: "--rate-limit", value: "R",
            help: "requests/s before answering 429 (default: none)", group: .common, kind: .number),
        OptionSpec(
            name: "--burst", value: "B",
            help: "requests the limit lets through at once (default: R)", group: .advanced,
            kind: .number),
        OptionSpec(
            name: "--retry-after", value: "S",
            help: "Retry-After seconds of 429s (default: computed)", group: .advanced, kind: .number
        ),
        OptionSpec(
            name: "--omit-retry-after", value: nil, help: "send 429s without Retry-After",
            group: .advanced, kind: OptionSpec.ValueKind.none),
        OptionSpec(
            name: "--p429", value: "P", help: "probability of a random 429 (default 0)",
            group: .common, kind: .number),
        OptionSpec(
            name: "--p503", value: "P", help: "probability of a random 503 (default 0)",
            group: .common, kind: .number),
        OptionSpec(
            name: "--drop-before", value: "P",
            help: "probability of closing before processing (default 0)", group: .advanced,
            kind: .number),
        OptionSpec(
            name: "--drop-after", value: "P",
            help: "probability of processing, then closing unanswered (default 0)",
            group: .advanced, kind: .number),
        OptionSpec(
            name: "--expires-in-days", value: "N",
            help: "Sendoso invitations expire after N days (default 14)", group: .advanced,
            kind: .number),
        OptionSpec(
            name: "--request-log", value: "PATH", help: "append one JSON line per request here",
            group: .common, kind: .file),
        OptionSpec(
            name: "--seed", value: "N",
            help: "seed of every random choice (default: random, printed)", group: .advanced,
            kind: .number),
        OptionSpec(
            name: "--request-timeout-ms", value: "N",
            help: "time for a started request to arrive whole, however it trickles (default 10000)",
            group: .advanced, kind: .number),
        OptionSpec(
            name: "--idle-timeout-ms", value: "N",
            help: "idle keep-alive connections close after (default 60000)", group: .advanced,
            kind: .number),
        OptionSpec(
            name: "--max-connections", value: "N",
            help:
                "connections at once; past them the longest idle or slowest gives way (default 1024)",
            group: .advanced, kind: .number),
    ]
    static let readsConfig = false
    static let help = HelpText(
        usage: "batch-invite simulate [options]",
        description: """
            Serves the Sendoso "Invite New User" endpoint (POST /api/v3/users) and
            CyberArk's "Send Invitation SMS" (POST /UserMgmt/SendSmsInvite?ID=...) on
            127.0.0.1, as the README describes them ("The two APIs"), for tests, demos and
            dry rehearsals. The first line on standard output is
            "listening on http://127.0.0.1:PORT". SIGINT, SIGHUP or SIGTERM stops it.
            """,
        details: """
            Each request-log line is written before its answer is sent, so even kill -9
            loses none.

            GET /api/v3/me answers 200 to a valid token and changes nothing (for run
            --dry-run --check-connection --check-path /api/v3/me). With --oauth-client, a
            client-credentials token endpoint (POST /oauth2/platformtoken, or
            /oauth2/token/APP) issues tokens that are accepted until --token-lifetime ends.

            Faults are reproducible: the same --seed and the same requests give the same
            faults, whatever order concurrent requests arrive in.
            """,
        exitCodes: """
              0    stopped by SIGINT, SIGHUP or SIGTERM
              2    usage error, or the port cannot be listened on
            """,
        example: """
              batch-invite simulate --port 8080 --token secret --latency-ms 50 --p503 0.1
            """)

    let configuration: SimulatorConfiguration

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositional(command: Self.name)
        var configuration = SimulatorConfiguration()
        try Self.readAccess(arguments, into: &configuration)
        if let teams = arguments.value("--teams") {
            var set = Set<Int64>()
            for part in teams.split(separator: ",", omittingEmptySubsequences: false) {
                guard let team = Int64(part.trimmingCharacters(in: .whitespaces)), team > 0 else {
                    throw BatchInviteError.usage(
                        "--teams \"\(teams)\": \"\(part)\" is not a positive team ID")
                }
                set.insert(team)
            }
            configuration.teams = set
        }
        if let path = arguments.value("--users-file") {
            configuration.users = try Self.readUsers(path)
        }
        try Self.readAnswers(arguments, into: &configuration)
        configuration.requestLogPath = arguments.value("--request-log")
        if let seed = arguments.value("--seed") {
            guard let value = UInt64(seed) else {
                throw BatchInviteError.usage(
                    "--seed \"\(seed)\" must be a whole number from 0 to \(UInt64.max)")
            }
            configuration.seed = value
        } else {
            configuration.seed = UInt64.random(in: 0...UInt64(UInt32.max))
        }
        try Self.readLimits(arguments, into: &configuration)
        var files = CommandFiles()
        files.reads("--users-file", arguments.value("--users-file"))
        files.writes("--request-log", configuration.requestLogPath)
        try files.check()
        self.configuration = configuration
    }

    /// `--port`, `--token`, `--oauth-client` and `--token-lifetime`: where it listens and
    /// what it accepts.
    private static func readAccess(
        _ arguments: Arguments, into configuration: inout SimulatorConfiguration
    ) throws {
        configuration.port =
            try UInt16(exactly: arguments.integer("--port", 0, in: 0...65535)) ?? 0
        configuration.token = arguments.value("--token")
        if configuration.token?.isEmpty == true {
            throw BatchInviteError.usage("--token must not be empty")
        }
        if let client = arguments.value("--oauth-client") {
            guard let colon = client.firstIndex(of: ":"), colon != client.startIndex,
                client.index(after: colon) != client.endIndex
            else {
                throw BatchInviteError.usage("--oauth-client must look like ID:SECRET")
            }
            configuration.tokenEndpoint = SimulatorConfiguration.TokenEndpoint(
                clientID: String(client[..<colon]),
                secret: String(client[client.index(after: colon)...]))
        }
        // Checked even without --oauth-client, though then it changes nothing.
        let lifetime = try arguments.number(
            "--token-lifetime", 3600, in: 0.001...31_536_000,
            what: "a number of seconds from 0.001 to 31536000 (a year)")
        configuration.tokenEndpoint?.tokenLifetime = lifetime
    }

    /// How it answers: `--latency-ms`, `--jitter-ms`, `--rate-limit`, `--burst`,
    /// `--retry-after`, `--omit-retry-after`, the probabilities of 429, 503 and dropped
    /// connections, `--expires-in-days`.
    private static func readAnswers(
        _ arguments: Arguments, into configuration: inout SimulatorConfiguration
    ) throws {
        configuration.latency =
            Double(try arguments.integer("--latency-ms", 0, in: 0...3_600_000)) / 1000
        configuration.jitter =
            Double(try arguments.integer("--jitter-ms", 0, in: 0...3_600_000)) / 1000
        if arguments.value("--rate-limit") != nil {
            configuration.rateLimit.rate = try arguments.number(
                "--rate-limit", 1, in: 0.001...1_000_000,
                what: "a number of requests per second from 0.001 to 1000000")
        }
        if arguments.has("--burst") {
            configuration.rateLimit.burst = try arguments.integer("--burst", 1, in: 1...1_000_000)
        }
        if arguments.has("--retry-after") {
            configuration.rateLimit.retryAfter = try arguments.integer(
                "--retry-after", 1, in: 0...86_400)
        }
        configuration.rateLimit.omitRetryAfter = arguments.has("--omit-retry-after")
        configuration.faults.p429 = try arguments.number(
            "--p429", 0, in: 0...1, what: "a probability from 0 to 1")
        configuration.faults.p503 = try arguments.number(
            "--p503", 0, in: 0...1, what: "a probability from 0 to 1")
        configuration.faults.dropBefore = try arguments.number(
            "--drop-before", 0, in: 0...1, what: "a probability from 0 to 1")
        configuration.faults.dropAfter = try arguments.number(
            "--drop-after", 0, in: 0...1, what: "a probability from 0 to 1")
        configuration.expiresInDays = try arguments.integer("--expires-in-days", 14, in: 0...3650)
    }

    /// `--request-timeout-ms`, `--idle-timeout-ms` and `--max-connections`.
    private static func readLimits(
        _ arguments: Arguments, into configuration: inout SimulatorConfiguration
    ) throws {
        configuration.limits.requestTimeout =
            Double(try arguments.integer("--request-timeout-ms", 10_000, in: 1...3_600_000))
            / 1000
        configuration.limits.idleTimeout =
            Double(try arguments.integer("--idle-timeout-ms", 60_000, in: 1...86_400_000))
            / 1000
        configuration.limits.maxConnections = try arguments.integer(
            "--max-connections", 1024, in: 1...100_000)
    }

    func run() throws -> Int32 {
        let log = try configuration.requestLogPath.map { try RequestLog(path: $0) }
        let simulator = InvitationSimulator(configuration: configuration, log: log)
        let server = try HTTPServer(port: configuration.port, limits: configuration.limits) {
            simulator.handle($0)
        }
        let stop = DispatchSemaphore(value: 0)
        Signals.handle { _ in stop.signal() }
        server.start()
        StandardOutput.shared.write("listening on http://127.0.0.1:\(server.port)\n")
        StandardOutput.shared.flush()
        printError(
            "simulate: seed \(configuration.seed); Sendoso at \(InvitationSimulator.sendosoPath), CyberArk at \(InvitationSimulator.cyberArkPath)"
                + (configuration.tokenEndpoint == nil
                    ? "" : "; OAuth token endpoint at /oauth2/platformtoken"))
        stop.wait()
        server.stop()
        return ExitCode.success.code
    }

    /// UUIDs, one a line (the first comma-separated field); blank lines and `#` comments skipped.
    private static func readUsers(_ path: String) throws -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw BatchInviteError.usage("--users-file \(path): cannot read it as UTF-8 text")
        }
        var users = Set<String>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            let field =
                line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first
                ?? ""
            let id = field.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if id.isEmpty || id.hasPrefix("#") || id == "id" { continue }
            // The simulator's own check, not the client's: a test of the client against it
            // is a test against a second reading of the API.
            guard let bare = APIRules.listedUserID(id) else {
                throw BatchInviteError.usage(
                    "--users-file \(path), line \(index + 1): \"\(TextBytes.shown(id))\" is not a UUID "
                        + "(8-4-4-4-12 hex digits, braces allowed)")
            }
            users.insert(bare)
        }
        return users
    }
}
