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

    @Test func aSecretIsFoundInEveryFormAnEchoWritesItIn() {
        let redactor = Redactor(secrets: ["s3cr3t+/= &x", "tök/ən😀"])
        let forms = [
            "s3cr3t+/= &x",  // as it is
            "s3cr3t%2B%2F%3D+%26x",  // form-encoded, as sent
            "s3cr3t%2b%2f%3d%20%26x",  // percent-encoded, lower case, space as %20
            "s3cr3t+%2F= %26x",  // partly encoded
            #"s3cr3t+\/= &x"#,  // JSON, / escaped (PHP)
            #"s3cr3t\u002B/= \u0026x"#,  // JSON, .NET's escapes
            #"s3cr3t\u002b\u002f\u003d\u0020\u0026x"#,  // every punctuation escaped
            #"s3cr3t\u002b\/=+&x"#,  // a mixture
            #"s3cr3t%2B%2F%3D\u002B%26x"#,  // form-encoded, then JSON-escaped (.NET)
            #"s3cr3t\u00252B\u00252F%3D+%26x"#,  // form-encoded, then every % escaped
            #"t\u00f6k\/\u0259n\ud83d\ude00"#,  // non-ASCII as \uXXXX, a surrogate pair
            "t%C3%B6k%2F%C9%99n%F0%9F%98%80",  // UTF-8 percent-encoded
        ]
        for form in forms {
            #expect(redactor.redact("<\(form)>") == "<[redacted]>", "\(form)")
            #expect(
                redactor.redact(Array("<\(form)>".utf8)) == Array("<[redacted]>".utf8), "\(form)")
        }
        // A piece of one is no form of it.
        #expect(redactor.redact("s3cr3t+/= &") == "s3cr3t+/= &")
        #expect(redactor.redact(#"s3cr3t\u002b/"#) == #"s3cr3t\u002b/"#)
    }

    @Test func overlappingSecretsBecomeOneMarkAndAMarkIsNeverTakenApart() {
        let redactor = Redactor(secrets: ["abcdef", "defghi", "dact"])
        #expect(redactor.redact("xabcdefghiy") == "x[redacted]y")
        // "dact" is inside the mark: every match is found in the text as given.
        #expect(redactor.redact("a dact and abcdef") == "a [redacted] and [redacted]")
    }

    @Test func theBasicCredentialsOfAnOAuthClientAreASecretOfTheRun() {
        let redactor = Redactor()
        let source = OAuthClientCredentials(
            settings: .init(
                tokenURL: "https://id.example.com/oauth2/token", clientID: "cid",
                clientSecret: "s3cr3t+/= &x",
                transport: CurlTransport.Configuration(baseURL: "", token: "")),
            redactor: redactor)
        #expect(source.name == "the token endpoint https://id.example.com/oauth2/token")
        #expect(
            redactor.redact("Authorization: Basic Y2lkOnMzY3IzdCUyQiUyRiUzRCslMjZ4")
                == "Authorization: Basic [redacted]")
        #expect(redactor.redact("client_secret=s3cr3t%2B%2F%3D+%26x") == "client_secret=[redacted]")
    }
}
