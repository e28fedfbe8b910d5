private import CLibCurl
import Foundation

/// Connection checks of `CurlTransport` that send no request: for `run --dry-run
/// --check-connection` and for naming a certificate that is not trusted.
extension CurlTransport {
    /// Connects to the base URL's host as a request would (proxy, TLS and its certificate
    /// checks included) and sends nothing; nil when that worked, else why not.
    public func checkConnection() -> TransportFailure? {
        let handle = EasyHandle(configuration: configuration)
        let easy = handle.easy
        defer {
            clibcurl_easy_cleanup(Curl.api, easy)
            handle.errors.deallocate()
        }
        let transfer = Transfer(
            request: APIRequest(method: "GET", pathAndQuery: "", body: [], contentType: nil),
            tag: 0, url: configuration.baseURL, limit: 0)
        transfer.handle = handle
        clibcurl_setopt_pointer(
            Curl.api, easy, CURLOPT_PREREQDATA, Unmanaged.passUnretained(transfer).toOpaque())
        clibcurl_setopt_string(Curl.api, easy, CURLOPT_URL, configuration.baseURL)
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_CONNECT_ONLY, 1)
        let code = clibcurl_easy_perform(Curl.api, easy)
        defer { withExtendedLifetime(transfer) {} }
        return code == CURLE_OK
            ? nil : failure(rawCode: code.rawValue, transfer: transfer, easy: easy)
    }

    /// The certificate the server at the base URL presents, for a message about one that
    /// is not trusted: subject, issuer and end of validity of the first in its chain. Makes
    /// the TLS handshake without checking the certificate and sends nothing over it (no
    /// request, no token). Nil for http:// or when it cannot be read.
    public func describeServerCertificate() -> String? {
        guard configuration.baseURL.lowercased().hasPrefix("https://"),
            let easy = clibcurl_easy_init(Curl.api)
        else { return nil }
        defer { clibcurl_easy_cleanup(Curl.api, easy) }
        clibcurl_setopt_string(Curl.api, easy, CURLOPT_URL, configuration.baseURL)
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_CONNECT_ONLY, 1)
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_SSL_VERIFYPEER, 0)
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_SSL_VERIFYHOST, 0)
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_CERTINFO, 1)
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_NOSIGNAL, 1)
        clibcurl_setopt_long(
            Curl.api, easy, CURLOPT_TIMEOUT_MS, Int(configuration.connectTimeout * 1000))
        clibcurl_setopt_string(Curl.api, easy, CURLOPT_PROXY, configuration.proxy.url ?? "")
        var pointer: UnsafeMutableRawPointer?
        guard clibcurl_easy_perform(Curl.api, easy) == CURLE_OK,
            clibcurl_getinfo_pointer(Curl.api, easy, CURLINFO_CERTINFO, &pointer) == CURLE_OK,
            let info = pointer?.assumingMemoryBound(to: curl_certinfo.self)
        else { return nil }
        var fields: [String: String] = [:]
        var node = clibcurl_certificate(info, 0)
        while let current = node {
            if let data = current.pointee.data {
                let line = String(cString: data)
                if let colon = line.firstIndex(of: ":") {
                    fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
                }
            }
            node = current.pointee.next
        }
        guard let subject = fields["Subject"] else { return nil }
        var text = "subject \(subject)"
        if let issuer = fields["Issuer"] { text += ", issued by \(issuer)" }
        if let end = fields["Expire date"] { text += ", valid until \(end)" }
        return text
    }
}
