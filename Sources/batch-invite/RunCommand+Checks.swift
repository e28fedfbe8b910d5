import BatchInvite
import Foundation

/// What `run` checks in its URLs, paths and certificate files.
extension RunCommand {
    /// The PEM certificates of `--cacert FILE`; exit 2 when unreadable or without one.
    static func readCertificates(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BatchInviteError.usage("--cacert \(path): cannot read it")
        }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw BatchInviteError.usage(
                "--cacert \(path): no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)")
        }
        return Array(data)
    }

    /// An http(s) URL that secrets go to (`--base-url`, `--oauth-token-url`); exit 2, with
    /// what to do, for anything in it that would be kept or sent otherwise than meant:
    /// user information (a password would be kept in the journal and shown, where the
    /// token options keep secrets out of both), a fragment (never sent: requests would go
    /// elsewhere than written), a query (each request adds its own path and query), a
    /// space, control or non-ASCII character (percent-encode it). https is required
    /// except on loopback: a token, or a client secret, never travels unencrypted over a
    /// network. The base URL loses a trailing slash.
    static func checkURL(
        _ text: String, option: String, allowInsecure: Bool, keepsPath: Bool = false
    ) throws -> String {
        let example =
            option == "--oauth-token-url"
            ? "https://abc1234.id.cyberark.cloud/oauth2/platformtoken" : "https://app.sendoso.com"
        let hidden = Redactor.hidingUserInfo(text)
        guard let schemeEnd = text.range(of: "://"),
            ["http", "https"].contains(text[..<schemeEnd.lowerBound].lowercased())
        else {
            throw BatchInviteError.usage(
                "\(shown(option, hidden)) is not an http(s) URL like \(example)")
        }
        if let problem = urlCharacterProblem(text) {
            throw BatchInviteError.usage(
                "\(shown(option, hidden)) holds \(problem); a URL is written in visible ASCII "
                    + "(percent-encode the rest)")
        }
        try checkNothingKeptOrLost(text, option: option, afterScheme: text[schemeEnd.upperBound...])
        guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
            throw BatchInviteError.usage(
                "\(shown(option, text)) is not an http(s) URL like \(example)")
        }
        if url.scheme?.lowercased() == "http" && !allowInsecure
            && !ConnectionSettings.isLoopback(host)
        {
            throw BatchInviteError.usage(
                "\(shown(option, text)) uses http:// to a remote host: secrets would travel "
                    + "unencrypted; use https:// (or --allow-insecure-http if you must)")
        }
        return !keepsPath && text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// `url` as a message shows the value of `option`.
    private static func shown(_ option: String, _ url: some StringProtocol) -> String {
        "\(option) \"\(TextBytes.shown(String(url), limit: 200))\""
    }

    /// Exit 2 for what in the URL `text` would be kept or shown (user information) or
    /// never sent (a fragment, a query: the requests' own go there).
    private static func checkNothingKeptOrLost(
        _ text: String, option: String, afterScheme: Substring
    ) throws {
        let tokenURL = option == "--oauth-token-url"
        let authority = afterScheme.prefix { !"/?#".contains($0) }
        if authority.contains("@") {
            let instead =
                tokenURL
                ? "give the client's ID and secret with --client-id ID and --client-secret-env "
                    + "NAME or --client-secret-file PATH"
                : "give the token with --token-env NAME, --token-file PATH, --token-command CMD "
                    + "or --oauth-token-url URL"
            throw BatchInviteError.usage(
                "\(shown(option, Redactor.hidingUserInfo(text))) holds a user name or password "
                    + "(before @): "
                    + (tokenURL
                        ? "it would be sent besides the client's credentials and shown in messages"
                        : "it would be kept in the journal and shown by status")
                    + "; remove it, and \(instead)")
        }
        if let hash = text.firstIndex(of: "#") {
            throw BatchInviteError.usage(
                "\(shown(option, text[..<hash] + "#…")) has a fragment (the part after #), which "
                    + "is never sent: requests would go to \(text[..<hash]); remove it")
        }
        if let question = text.firstIndex(of: "?") {
            let why =
                tokenURL
                ? "the token request's parameters go in its form body"
                : "each request adds its own path and query to the base URL"
            throw BatchInviteError.usage(
                "\(shown(option, text[..<question] + "?…")) has a query (the part after ?): "
                    + "\(why), and a key in it would be kept and shown; remove it (a token or "
                    + "secret goes in the options for it, never in a URL)")
        }
    }

    /// A request path (`--path`, `--check-path`), appended to the base URL as it is: it
    /// starts with `/` and holds no fragment, no query (a target adds its own: cyberark-sms
    /// `?ID=`), no space, control or non-ASCII character (a CR LF would end the request
    /// line and start a header). Exit 2 otherwise.
    static func checkPath(_ text: String, option: String) throws -> String {
        guard text.hasPrefix("/") else {
            throw BatchInviteError.usage("\(option) must start with /")
        }
        if let problem = urlCharacterProblem(text) {
            throw BatchInviteError.usage(
                "\(option) \"\(TextBytes.shown(text))\" holds \(problem); a path is written in "
                    + "visible ASCII (percent-encode the rest)")
        }
        if let hash = text.firstIndex(of: "#") {
            throw BatchInviteError.usage(
                "\(option) \"\(TextBytes.shown(text[..<hash] + "#…"))\" has a fragment (the part "
                    + "after #), which is never sent: requests would go to \(text[..<hash]); remove it"
            )
        }
        if let question = text.firstIndex(of: "?") {
            throw BatchInviteError.usage(
                "\(option) \"\(TextBytes.shown(text[..<question] + "?…"))\" has a query (the part "
                    + "after ?): a request's query is the target's own; remove it")
        }
        return text
    }

    /// The first character a URL cannot hold as it is, in words, or nil.
    private static func urlCharacterProblem(_ text: String) -> String? {
        guard let bad = text.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value >= 0x7F })
        else { return nil }
        switch bad.value {
        case 0x20: return "a space"
        case 0..<0x20, 0x7F...0x9F:
            return "a control character (\(TextBytes.shown(String(bad))))"
        default: return "a character that is not ASCII (\(String(bad)))"
        }
    }
}
