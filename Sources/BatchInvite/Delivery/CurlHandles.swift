// The easy handles and transfers of `CurlTransport`, which alone uses them; libcurl is
// imported here as well as in `Curl.swift` and `CurlTransport`'s own files, and nowhere
// else in Delivery.
private import CLibCurl
import Foundation

/// An easy handle with the options every request shares, reused from request to request.
final class EasyHandle {
    let easy: UnsafeMutableRawPointer
    /// libcurl's detailed message for the last failure (CURLOPT_ERRORBUFFER).
    let errors: UnsafeMutablePointer<CChar>
    /// What the handle's previous request set.
    var url = ""
    /// The header list last set (compared by address only).
    var headers: UnsafeMutableRawPointer?
    var method = ""

    init(configuration: CurlTransport.Configuration) {
        // curl_easy_init fails only when out of memory; nothing sensible is left then.
        guard let easy = clibcurl_easy_init(Curl.api) else {
            fatalError("out of memory (curl_easy_init)")
        }
        self.easy = easy
        errors = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errors[0] = 0
        clibcurl_setopt_pointer(Curl.api, easy, CURLOPT_ERRORBUFFER, errors)
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_NOSIGNAL, 1)
        clibcurl_setopt_string(Curl.api, easy, CURLOPT_PROTOCOLS_STR, "http,https")
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_FOLLOWLOCATION, 0)
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_TIMEOUT_MS, Int(configuration.timeout * 1000))
        clibcurl_setopt_long(
            Curl.api, easy, CURLOPT_CONNECTTIMEOUT_MS,
            Int(min(configuration.connectTimeout, configuration.timeout) * 1000))
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_PIPEWAIT, 1)
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        // Bodies are small: the smallest upload buffer libcurl allows (default 64 KiB a handle).
        clibcurl_setopt_long(Curl.api, easy, CURLOPT_UPLOAD_BUFFERSIZE, 16 << 10)
        clibcurl_setopt_string(Curl.api, easy, CURLOPT_PROXY, configuration.proxy.url ?? "")
        if let certificates = configuration.extraCertificates {
            var blob: [UInt8] = []
            if !configuration.onlyExtraCertificates, let bundle = Self.systemBundle(easy) {
                blob = bundle + [10]
            }
            blob += certificates
            blob.withUnsafeBytes {
                _ = clibcurl_setopt_ca_blob(Curl.api, easy, $0.baseAddress, $0.count)
            }
            if configuration.onlyExtraCertificates {
                clibcurl_setopt_string(Curl.api, easy, CURLOPT_CAPATH, nil)
            }
        }
        clibcurl_setopt_data_callback(Curl.api, easy, CURLOPT_HEADERFUNCTION) {
            data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }
        clibcurl_setopt_data_callback(Curl.api, easy, CURLOPT_WRITEFUNCTION) {
            data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            // Past the limit the transfer is ended (libcurl reports a write error, read as
            // an answer cut short): the rest of the body is never read.
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
                ? size * count : 0
        }
        clibcurl_setopt_prereq_callback(Curl.api, easy) { context, _, _, _, _ in
            guard let context else { return Int32(CURL_PREREQFUNC_ABORT) }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            transfer.sends += 1
            return transfer.sends > 1 ? Int32(CURL_PREREQFUNC_ABORT) : Int32(CURL_PREREQFUNC_OK)
        }
    }

    /// The system's CA bundle (libcurl's default CURLOPT_CAINFO), to trust besides `--cacert`.
    private static func systemBundle(_ easy: UnsafeMutableRawPointer) -> [UInt8]? {
        var path: UnsafeMutablePointer<CChar>?
        guard clibcurl_getinfo_string(Curl.api, easy, CURLINFO_CAINFO, &path) == CURLE_OK, let path,
            let data = FileManager.default.contents(atPath: String(cString: path))
        else { return nil }
        return Array(data)
    }
}

/// One request on its way: what is sent, what came back.
final class Transfer {
    let tag: Int
    let url: String
    /// The body, in memory of its own that outlives the transfer (libcurl does not copy it).
    let body: UnsafeMutableRawPointer
    let bodySize: Int
    let limit: Int
    var handle: EasyHandle?
    var headerBytes: [UInt8] = []
    var bodyBytes: [UInt8] = []
    var truncated = false
    /// Times libcurl was about to write the request (a second time is stopped).
    var sends = 0
    /// A header list of the request's own (`APIRequest.headers`), freed with the transfer.
    var ownHeaders: UnsafeMutableRawPointer?

    init(request: APIRequest, tag: Int, url: String, limit: Int) {
        self.tag = tag
        self.url = url
        self.limit = limit
        bodySize = request.body.count
        body = .allocate(byteCount: max(bodySize, 1), alignment: 1)
        request.body.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { body.copyMemory(from: base, byteCount: bytes.count) }
        }
    }

    deinit {
        body.deallocate()
        if let ownHeaders {
            clibcurl_slist_free_all(Curl.api, ownHeaders.assumingMemoryBound(to: curl_slist.self))
        }
    }

    /// One header line; a status line starts the headers afresh (after a `100 Continue`).
    func receiveHeader(_ line: UnsafeRawBufferPointer) {
        if line.starts(with: "HTTP/".utf8) {
            headerBytes.removeAll(keepingCapacity: true)
        } else if headerBytes.count + line.count <= 64 << 10 {
            headerBytes.append(contentsOf: line)
        }
    }

    /// Keeps body bytes up to the limit; false once it is passed.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bodyBytes.count + bytes.count <= limit else {
            bodyBytes.append(contentsOf: bytes.prefix(limit - bodyBytes.count))
            truncated = true
            return false
        }
        bodyBytes.append(contentsOf: bytes)
        return true
    }
}
