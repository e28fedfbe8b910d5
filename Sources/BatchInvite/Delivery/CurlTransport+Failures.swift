private import CLibCurl

/// How `CurlTransport` words the failures of libcurl: what each error code means for the
/// request (never sent, answer lost, our own error) and the message and name it is given.
extension CurlTransport {
    /// The failure a libcurl error code (`CURLcode`'s raw value) means for `transfer`.
    func failure(rawCode: UInt32, transfer: Transfer, easy: UnsafeMutableRawPointer)
        -> TransportFailure
    {
        let code = CURLcode(rawValue: rawCode)
        let sent = transfer.sends > 0
        let curlText =
            transfer.handle.map { String(cString: $0.errors) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? String(cString: clibcurl_easy_strerror(Curl.api, code))
        var proxyAnswer = 0
        clibcurl_getinfo_long(Curl.api, easy, CURLINFO_HTTP_CONNECTCODE, &proxyAnswer)
        let (cause, detail) = classify(
            code, sent: sent, sentTwice: transfer.sends > 1, curlText: curlText,
            proxyAnswer: proxyAnswer)
        return TransportFailure(
            kind: sent ? .answerLost : .notSent, cause: cause, detail: detail,
            code: Self.name(of: code))
    }

    /// The one place libcurl's error codes become the run's failure classes: `code` for a
    /// request that was written (`sent`) or not, with libcurl's words for it and the
    /// proxy's answer to the tunnel (0: none).
    private func classify(
        _ code: CURLcode, sent: Bool, sentTwice: Bool, curlText: String, proxyAnswer: Int
    ) -> (TransportFailure.Cause, String) {
        let proxy = configuration.proxy.displayURL.map {
            "the proxy \($0) (from \(configuration.proxy.source ?? "the environment"))"
        }
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST:
            return (.unknownHost, "host not found (\(curlText))")
        case CURLE_COULDNT_RESOLVE_PROXY:
            return (.proxy, "\(proxy ?? "the proxy"): host not found (\(curlText))")
        case CURLE_COULDNT_CONNECT:
            return proxy.map { (.proxy, "\($0) could not be reached (\(curlText))") }
                ?? (.refused, "connection refused (\(curlText))")
        case CURLE_OPERATION_TIMEDOUT:
            return sent
                ? (.timeout, "timed out after \(Self.seconds(configuration.timeout))")
                : (.connectTimeout, "no connection within the deadline (\(curlText))")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE:
            return (.untrustedCertificate, "TLS certificate not trusted (\(curlText))")
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CIPHER, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_USE_SSL_FAILED:
            return (.tlsHandshake, "TLS handshake failed (\(curlText))")
        case CURLE_WEIRD_SERVER_REPLY where sent, CURLE_BAD_CONTENT_ENCODING where sent,
            CURLE_UNSUPPORTED_PROTOCOL where sent:
            return (.badAnswer, "the answer was not HTTP (\(curlText))")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_OUT_OF_MEMORY:
            return (.local, "\(curlText)")
        case CURLE_ABORTED_BY_CALLBACK where sentTwice:
            return (
                .connectionLost, "the connection closed after the request was sent, with no answer"
            )
        default:
            if !sent && proxyAnswer != 0 && proxyAnswer != 200 {
                return (.proxy, "\(proxy ?? "the proxy") refused the tunnel (HTTP \(proxyAnswer))")
            }
            return sent
                ? (.connectionLost, "connection lost after the request was sent (\(curlText))")
                : (.refused, "connection failed before the request was sent (\(curlText))")
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// libcurl's name for the codes a user is likely to meet, else its number.
    private static func name(of code: CURLcode) -> String {
        let names: [(CURLcode, String)] = [
            (CURLE_COULDNT_RESOLVE_HOST, "CURLE_COULDNT_RESOLVE_HOST"),
            (CURLE_COULDNT_RESOLVE_PROXY, "CURLE_COULDNT_RESOLVE_PROXY"),
            (CURLE_COULDNT_CONNECT, "CURLE_COULDNT_CONNECT"),
            (CURLE_OPERATION_TIMEDOUT, "CURLE_OPERATION_TIMEDOUT"),
            (CURLE_PEER_FAILED_VERIFICATION, "CURLE_PEER_FAILED_VERIFICATION"),
            (CURLE_SSL_CONNECT_ERROR, "CURLE_SSL_CONNECT_ERROR"),
            (CURLE_SEND_ERROR, "CURLE_SEND_ERROR"), (CURLE_RECV_ERROR, "CURLE_RECV_ERROR"),
            (CURLE_GOT_NOTHING, "CURLE_GOT_NOTHING"), (CURLE_PARTIAL_FILE, "CURLE_PARTIAL_FILE"),
            (CURLE_HTTP2, "CURLE_HTTP2"), (CURLE_HTTP2_STREAM, "CURLE_HTTP2_STREAM"),
            (CURLE_WEIRD_SERVER_REPLY, "CURLE_WEIRD_SERVER_REPLY"),
            (CURLE_ABORTED_BY_CALLBACK, "CURLE_ABORTED_BY_CALLBACK"),
        ]
        return names.first { $0.0 == code }?.1 ?? "CURLcode \(code.rawValue)"
    }
}
