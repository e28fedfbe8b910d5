import BatchInvite
import Testing

@Suite struct ProxySettingsTests {
    @Test func httpsUsesHTTPSProxyAndHTTPOnlyTheLowerCaseVariable() {
        let environment = ["HTTPS_PROXY": "http://proxy:3128", "HTTP_PROXY": "http://evil:1"]
        #expect(
            ProxySettings.resolve(
                scheme: "https", host: "api.example.com", environment: environment)
                == ProxySettings(url: "http://proxy:3128", source: "HTTPS_PROXY"))
        #expect(
            ProxySettings.resolve(scheme: "http", host: "api.example.com", environment: environment)
                .url
                == nil)
        #expect(
            ProxySettings.resolve(
                scheme: "http", host: "api.example.com", environment: ["http_proxy": "http://p:1"]
            ).url == "http://p:1")
        #expect(
            ProxySettings.resolve(
                scheme: "https", host: "api.example.com", environment: ["ALL_PROXY": "http://all:1"]
            ) == ProxySettings(url: "http://all:1", source: "ALL_PROXY"))
    }

    @Test func noProxyMatchesNamesSubdomainsAddressesAndRanges() {
        func direct(_ host: String, _ list: String) -> Bool {
            ProxySettings.resolve(
                scheme: "https", host: host,
                environment: ["https_proxy": "http://proxy:3128", "NO_PROXY": list]
            ).url == nil
        }
        #expect(direct("api.example.com", "example.com"))
        #expect(direct("api.example.com", ".example.com"))
        #expect(direct("example.com", "other.org, example.com"))
        #expect(!direct("notexample.com", "example.com"))
        #expect(direct("10.1.2.3", "10.0.0.0/8"))
        #expect(!direct("11.1.2.3", "10.0.0.0/8"))
        #expect(direct("anything.org", "*"))
        #expect(!direct("api.example.com", ""))
    }

    @Test func loopbackIsNeverProxied() {
        for host in ["127.0.0.1", "127.8.9.10", "localhost", "api.localhost", "[::1]", "::1"] {
            #expect(
                ProxySettings.resolve(
                    scheme: "https", host: host, environment: ["https_proxy": "http://proxy:3128"]
                ).url == nil)
        }
    }

    @Test func aProxyPasswordIsNotShown() {
        let proxy = ProxySettings(url: "http://user:pa55@proxy:3128", source: "HTTPS_PROXY")
        #expect(proxy.displayURL == "http://[redacted]@proxy:3128")
    }
}

@Suite struct HTTPHeadersTests {
    @Test func theLastHeaderOfANameIsFoundWhateverItsCase() {
        let headers = HTTPHeaders(
            raw: Array("Content-Type: text/html\r\nRetry-After:  7 \r\nretry-after: 9\r\n\r\n".utf8)
        )
        #expect(headers["retry-after"] == "9")
        #expect(headers["CONTENT-TYPE"] == "text/html")
        #expect(headers["location"] == nil)
    }
}

@Suite struct RedactorTests {
    @Test func secretsAreReplacedWhereverTheyAppear() {
        let redactor = Redactor(secrets: ["tok-123456", "ab"])
        #expect(
            redactor.redact("Bearer tok-123456 was tok-123456")
                == "Bearer [redacted] was [redacted]")
        #expect(redactor.redact("about ab") == "about ab")
    }
}
