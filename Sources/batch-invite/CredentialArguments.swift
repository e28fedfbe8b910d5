import BatchInvite
import Foundation

/// Where `run` gets its token: exactly one source, and never a secret on the command line.
enum CredentialArguments {
    static let specs: [OptionSpec] = [
        OptionSpec(
            name: "--token-env", value: "NAME",
            help: "environment variable holding the token (default BATCH_INVITE_TOKEN)",
            group: .common, kind: .text),
        OptionSpec(
            name: "--token-file", value: "PATH",
            help: "read the token from this file's first line (again after a 401: rotation)",
            group: .common, kind: .file),
        OptionSpec(
            name: "--token-command", value: "CMD",
            help: "run CMD (sh -c, no stdin) for the token: it prints the token, or JSON with "
                + "access_token and expires_in or expires_at; run again before expiry and "
                + "after a 401", group: .common, kind: .text),
        OptionSpec(
            name: "--token-command-timeout", value: "SECONDS",
            help: "stop the token command (and all it started) after this long, exit 5 "
                + "(default 30)", group: .advanced, kind: .number),
        OptionSpec(
            name: "--oauth-token-url", value: "URL",
            help: "get tokens by OAuth client credentials from this endpoint (https://)",
            group: .advanced, kind: .text),
        OptionSpec(
            name: "--client-id", value: "ID", help: "the OAuth client ID", group: .advanced,
            kind: .text),
        OptionSpec(
            name: "--client-secret-env", value: "NAME",
            help: "environment variable holding the OAuth client secret", group: .advanced,
            kind: .text),
        OptionSpec(
            name: "--client-secret-file", value: "PATH",
            help: "file whose first line is the OAuth client secret", group: .advanced,
            kind: .file),
        OptionSpec(
            name: "--oauth-scope", value: "S", help: "the scope to ask for (optional)",
            group: .advanced, kind: .text),
        OptionSpec(
            name: "--oauth-client-auth", choices: ["basic", "body"],
            help: "send the client ID and secret by HTTP Basic (default) or in the form body",
            group: .advanced),
    ]

    /// The token source the arguments name, checked as far as can be without fetching; the
    /// secrets it holds are added to `redactor`. `--client-id` without `--oauth-token-url`
    /// takes the token endpoint a target definition names.
    static func settings(
        from arguments: Arguments, target: any Target, redactor: Redactor, allowInsecure: Bool
    ) throws -> TokenSettings {
        let definition = (target as? DefinitionTarget)
        if try oneSource(arguments, target: target, definition: definition) {
            return .oauth(
                try oauth(
                    endpoint(arguments, definition), arguments, redactor: redactor,
                    allowInsecure: allowInsecure))
        }
        if let command = arguments.value("--token-command") {
            guard !command.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw BatchInviteError.usage("--token-command must not be empty")
            }
            let timeout = try arguments.number(
                "--token-command-timeout", 30, in: 0...86_400, what: "a number of seconds above 0")
            guard timeout > 0 else {
                throw BatchInviteError.usage("--token-command-timeout must be above 0")
            }
            return .command(command, timeout: timeout)
        }
        if let path = arguments.value("--token-file") {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw BatchInviteError.usage("--token-file \(path): cannot read it")
            }
            return .file(path: path)
        }
        let name = arguments.value("--token-env") ?? "BATCH_INVITE_TOKEN"
        let token = (ProcessInfo.processInfo.environment[name] ?? "").trimmingCharacters(
            in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw BatchInviteError.usage(
                "no token: set the environment variable \(name) (or pass --token-env NAME, "
                    + "--token-file PATH, --token-command CMD or --oauth-token-url URL)")
        }
        redactor.add(token)
        return .fixed(token: token, name: "the environment variable \(name)")
    }

    /// Checks that the arguments name at most one token source, and no option of a source
    /// not chosen; whether it is OAuth client credentials (`--oauth-token-url`, or
    /// `--client-id` for a definition naming its token endpoint).
    private static func oneSource(
        _ arguments: Arguments, target: any Target, definition: DefinitionTarget?
    ) throws -> Bool {
        let hasEndpoint = definition?.definition.oauth != nil
        let oauthOption =
            arguments.has("--oauth-token-url")
            ? "--oauth-token-url"
            : hasEndpoint && arguments.has("--client-id") ? "--client-id" : nil
        let given =
            ["--token-env", "--token-file", "--token-command"].filter { arguments.has($0) }
            + (oauthOption.map { [$0] } ?? [])
        guard given.count <= 1 else {
            throw BatchInviteError.usage(
                "give one token source, not " + given.joined(separator: " and "))
        }
        let oauthOptions = [
            "--client-id", "--client-secret-env", "--client-secret-file", "--oauth-scope",
            "--oauth-client-auth",
        ]
        if oauthOption == nil, let stray = oauthOptions.first(where: arguments.has) {
            throw BatchInviteError.usage(
                "\(stray) needs "
                    + (hasEndpoint
                        ? "--client-id ID (target \(target.name) names the token URL) or " : "")
                    + "--oauth-token-url")
        }
        if arguments.has("--token-command-timeout") && !arguments.has("--token-command") {
            throw BatchInviteError.usage("--token-command-timeout needs --token-command")
        }
        return oauthOption != nil
    }

    /// The token URL and scope: `--oauth-token-url` or the definition's (its vars in
    /// place), `--oauth-scope` or the definition's.
    private static func endpoint(_ arguments: Arguments, _ definition: DefinitionTarget?) throws
        -> (url: String, scope: String?)
    {
        let defaults = arguments.has("--oauth-token-url") ? nil : try definition?.oauthEndpoint()
        return (
            arguments.value("--oauth-token-url") ?? defaults?.tokenURL ?? "",
            arguments.value("--oauth-scope") ?? definition?.definition.oauth?.scope
        )
    }

    /// OAuth client credentials from `endpoint`.
    private static func oauth(
        _ endpoint: (url: String, scope: String?), _ arguments: Arguments, redactor: Redactor,
        allowInsecure: Bool
    ) throws -> TokenSettings.OAuth {
        let tokenURL = try RunCommand.checkURL(
            endpoint.url, option: "--oauth-token-url", allowInsecure: allowInsecure,
            keepsPath: true)
        guard let clientID = arguments.value("--client-id"), !clientID.isEmpty else {
            throw BatchInviteError.usage("--oauth-token-url needs --client-id ID")
        }
        if let bad = controlCharacter(in: clientID) {
            throw BatchInviteError.usage(
                "--client-id \"\(TextBytes.shown(clientID))\" holds a control character (\(bad)); "
                    + "give the ID as the identity provider shows it")
        }
        let secret = try clientSecret(arguments)
        if let bad = controlCharacter(in: secret) {
            let place =
                arguments.value("--client-secret-env").map { "--client-secret-env \($0)" }
                ?? "--client-secret-file \(arguments.value("--client-secret-file") ?? "")"
            throw BatchInviteError.usage(
                "\(place): the client secret holds a control character (\(bad)); check how it "
                    + "was written there")
        }
        redactor.add(secret)
        var settings = TokenSettings.OAuth(
            tokenURL: tokenURL, clientID: clientID, clientSecret: secret)
        settings.scope = endpoint.scope
        settings.secretInBody = try arguments.choice("--oauth-client-auth") == "body"
        return settings
    }

    /// The OAuth client's secret, from `--client-secret-env` or `--client-secret-file`
    /// (never the command line).
    private static func clientSecret(_ arguments: Arguments) throws -> String {
        let secret: String
        switch (arguments.value("--client-secret-env"), arguments.value("--client-secret-file")) {
        case (let name?, nil):
            secret = (ProcessInfo.processInfo.environment[name] ?? "").trimmingCharacters(
                in: .whitespacesAndNewlines)
            guard !secret.isEmpty else {
                throw BatchInviteError.usage(
                    "--client-secret-env \(name): the environment variable is not set or empty")
            }
        case (nil, let path?):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw BatchInviteError.usage("--client-secret-file \(path): cannot read it")
            }
            secret = String(text.prefix { $0 != "\n" && $0 != "\r" })
                .trimmingCharacters(in: .whitespaces)
            guard !secret.isEmpty else {
                throw BatchInviteError.usage(
                    "--client-secret-file \(path): the first line is empty")
            }
        case (nil, nil):
            throw BatchInviteError.usage(
                "OAuth client credentials need the client secret: --client-secret-env NAME or "
                    + "--client-secret-file PATH (never on the command line)")
        case (_?, _?):
            throw BatchInviteError.usage(
                "give --client-secret-env or --client-secret-file, not both")
        }
        return secret
    }

    /// The first control character of `text`, as messages show it.
    private static func controlCharacter(in text: String) -> String? {
        text.unicodeScalars.first { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }.map {
            TextBytes.shown(String($0))
        }
    }
}
