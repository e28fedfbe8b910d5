/// Which proxy a request to the API goes through, decided once per run from the
/// environment the way libcurl and curl decide it:
/// - an `https://` base URL uses `https_proxy` or `HTTPS_PROXY`, an `http://` one
///   `http_proxy` (lower case only: `HTTP_PROXY` can be set by a web server's client, CGI's
///   httpoxy); either falls back to `all_proxy` or `ALL_PROXY`;
/// - `no_proxy` or `NO_PROXY` lists hosts that go direct: `*` for all, a name matches
///   itself and its subdomains (a leading dot is ignored), an IP address itself, and
///   `address/bits` a range;
/// - loopback (`localhost`, `127.0.0.0/8`, `::1`) is never proxied.
public struct ProxySettings: Sendable, Equatable {
    /// The proxy URL, or nil to connect directly.
    public var url: String?
    /// The environment variable it came from, for messages.
    public var source: String?

    public init(url: String?, source: String?) {
        self.url = url
        self.source = source
    }

    /// The proxy for requests to `host` over `scheme`, from `environment`.
    public static func resolve(scheme: String, host: String, environment: [String: String])
        -> ProxySettings
    {
        func value(_ names: [String]) -> (String, String)? {
            for name in names {
                if let text = environment[name]?.trimmed, !text.isEmpty { return (text, name) }
            }
            return nil
        }
        let names =
            scheme.lowercased() == "https"
            ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
            : ["http_proxy", "all_proxy", "ALL_PROXY"]
        guard let (url, source) = value(names) else { return ProxySettings(url: nil, source: nil) }
        if isLoopback(host) { return ProxySettings(url: nil, source: nil) }
        if let (list, _) = value(["no_proxy", "NO_PROXY"]), bypasses(host: host, noProxy: list) {
            return ProxySettings(url: nil, source: nil)
        }
        return ProxySettings(url: url, source: source)
    }

    /// The proxy URL with any user name and password replaced, for messages.
    public var displayURL: String? {
        url.map(Redactor.hidingUserInfo)
    }

    /// Whether `host` is a loopback name or address.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingBrackets.lowercased()
        if bare == "localhost" || bare.hasSuffix(".localhost") || bare == "::1" { return true }
        guard let address = IPv4(bare) else { return false }
        return address >> 24 == 127
    }

    /// Whether `noProxy` (comma- or blank-separated) lets `host` go direct.
    static func bypasses(host: String, noProxy: String) -> Bool {
        let name = host.trimmingBrackets.lowercased()
        let entries = noProxy.split { $0 == "," || $0 == " " || $0 == "\t" }
        for entry in entries.map({ $0.lowercased() }) {
            if entry == "*" { return true }
            if let slash = entry.firstIndex(of: "/"),
                let network = IPv4(String(entry[..<slash])),
                let bits = Int(entry[entry.index(after: slash)...]), (0...32).contains(bits),
                let address = IPv4(name)
            {
                let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
                if address & mask == network & mask { return true }
                continue
            }
            let pattern = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            let bare = pattern.trimmingBrackets
            if name == bare || name.hasSuffix("." + bare) { return true }
        }
        return false
    }

    /// An IPv4 address in dotted decimal, as a number.
    private static func IPv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }
}

extension String {
    fileprivate var trimmed: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }

    fileprivate var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
