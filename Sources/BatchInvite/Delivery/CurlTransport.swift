private import CLibCurl
import Foundation

/// Sends the targets' requests with libcurl's multi interface, driven by the thread that
/// calls `start` and `poll` (the dispatcher's event loop), which alone touches the multi
/// handle and its transfers; `wakeup` may come from any thread.
///
/// What it promises:
/// - connections to the API are kept alive and reused (HTTP/2 multiplexed when the server
///   offers it over TLS); no more than `concurrency` connections;
/// - `timeout` is a hard deadline for a whole attempt, the connection included;
/// - redirects are never followed (a 3xx is an answer like any other), so the token only
///   goes to the base URL's origin;
/// - a request libcurl would write a second time on its own (it does so on a reused
///   connection that closed before any answer) is stopped and reported as a lost answer:
///   every request the API sees was sent by a decision of the dispatcher;
/// - at most `answerLimit` bytes of a body are read; a longer answer is cut, not buffered;
/// - every libcurl error becomes a `TransportFailure` whose kind says whether the request
///   was written at all (`notSent`: retried freely) or may have arrived (`answerLost`).
public final class CurlTransport: Transport, @unchecked Sendable {
    // Safe to share: only `wakeup` is called from other threads, and it calls
    // curl_multi_wakeup, which libcurl makes safe for that; everything else is used by the
    // one thread that drives the transport.

    /// How requests are sent. Each property's default is the tool's.
    public struct Configuration: Sendable {
        /// The API's base URL (`https://app.sendoso.com`), without a trailing slash.
        public var baseURL: String
        /// The bearer token sent in `Authorization` (none when empty); `setToken` changes it.
        public var token: String
        /// The header the token goes in as `NAME: TOKEN`; nil (the default) for
        /// `Authorization: Bearer TOKEN`.
        public var tokenHeader: String?
        /// The word before the token in `tokenHeader` (`NAME: SCHEME TOKEN`); nil: none.
        public var tokenScheme: String?
        /// Requests in flight at most. Default 8.
        public var concurrency = 8
        /// The deadline of one attempt in seconds, connecting included. Default 30.
        public var timeout = 30.0
        /// The most connecting (TLS and proxy tunnel included) may take, in seconds; never
        /// more than `timeout`. Default 10.
        public var connectTimeout = 10.0
        /// PEM certificates of CAs trusted besides the system's (`--cacert`). Default none.
        public var extraCertificates: [UInt8]?
        /// Trust `extraCertificates` alone, not the system's CAs (`--cacert-only`).
        public var onlyExtraCertificates = false
        /// The proxy (`ProxySettings.resolve`). Default none.
        public var proxy = ProxySettings(url: nil, source: nil)
        /// Bytes of an answer's body read at most. Default 1 MiB.
        public var answerLimit = 1 << 20
        /// The `User-Agent` header.
        public var userAgent = "batch-invite/" + BatchInviteVersion.current

        public init(baseURL: String, token: String) {
            self.baseURL = baseURL
            self.token = token
        }
    }

    let configuration: Configuration
    private let multi: UnsafeMutableRawPointer
    /// Header lists shared by every transfer: with `Content-Type: application/json`, and
    /// without any Content-Type (libcurl would add a form type to an empty POST).
    private var jsonHeaders: UnsafeMutablePointer<curl_slist>
    private var plainHeaders: UnsafeMutablePointer<curl_slist>
    /// Lists of an earlier token, kept while transfers may still point at them.
    private var retiredHeaders: [UnsafeMutablePointer<curl_slist>] = []
    /// The token in the lists.
    private var token: String
    /// Easy handles not in use.
    private var idle: [EasyHandle] = []
    /// Wakes `poll` at a time finer than curl_multi_poll's milliseconds (the rate's timer).
    private let timer: Int32
    private var closed = false

    /// Prepares the multi handle.
    public init(configuration: Configuration) throws {
        try Curl.load()
        guard let multi = clibcurl_multi_init(Curl.api) else {
            throw BatchInviteError.io("libcurl could not start (curl_multi_init failed)")
        }
        self.configuration = configuration
        self.multi = multi
        timer = clibcurl_timer_create()
        let concurrency = max(configuration.concurrency, 1)
        clibcurl_multi_setopt_long(Curl.api, multi, CURLMOPT_MAXCONNECTS, concurrency)
        clibcurl_multi_setopt_long(Curl.api, multi, CURLMOPT_MAX_HOST_CONNECTIONS, concurrency)
        clibcurl_multi_setopt_long(Curl.api, multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        token = configuration.token
        (jsonHeaders, plainHeaders) = Self.headerLists(configuration, token: configuration.token)
    }

    deinit {
        close()
        for list in [jsonHeaders, plainHeaders] + retiredHeaders {
            clibcurl_slist_free_all(Curl.api, list)
        }
    }

    /// The header lists every request shares, with `token` (none when empty).
    private static func headerLists(_ configuration: Configuration, token: String) -> (
        UnsafeMutablePointer<curl_slist>, UnsafeMutablePointer<curl_slist>
    ) {
        let common = commonLines(configuration, token: token)
        return (
            list(common + ["Content-Type: application/json"]), list(common + ["Content-Type:"])
        )
    }

    private static func commonLines(_ configuration: Configuration, token: String) -> [String] {
        // A token that could end the header and start another is never put in one (the
        // token keeper refuses it before this; requests then go without, and get a 401).
        let sendable = !token.isEmpty && AccessToken.headerProblem(in: token) == nil
        let line =
            configuration.tokenHeader.map {
                "\($0): " + (configuration.tokenScheme.map { $0 + " " } ?? "") + token
            } ?? "Authorization: Bearer " + token
        return (sendable ? [line] : []) + [
            "Accept: application/json", "User-Agent: " + configuration.userAgent, "Expect:",
        ]
    }

    /// Sends `token` with the requests started from now on (a renewed token); those in
    /// flight keep theirs.
    public func setToken(_ token: String) {
        self.token = token
        retiredHeaders += [jsonHeaders, plainHeaders]
        (jsonHeaders, plainHeaders) = Self.headerLists(configuration, token: token)
    }

    /// Sends one request and waits for its end (for a token endpoint or a check, on a
    /// transport of its own).
    public func exchange(_ request: APIRequest) -> TransportResult {
        var result: TransportResult?
        start(request, tag: 0)
        while result == nil {
            poll(timeout: 1) { _, ended in result = ended }
        }
        return result!
    }

    private static func list(_ lines: [String]) -> UnsafeMutablePointer<curl_slist> {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            list = clibcurl_slist_append(Curl.api, list, line)
        }
        // curl_slist_append fails only when out of memory; nothing sensible is left then.
        guard let list else { fatalError("out of memory building the request headers") }
        return list
    }

    // MARK: Sending

    public func start(_ request: APIRequest, tag: Int) {
        if let unsafe = Self.unsafePart(of: request) {
            // A control character would end the request line or a header line and start
            // another: such a request is never written.
            return refuse(
                tag,
                "the request's \(unsafe) holds a control character or a space; it was not sent")
        }
        let transfer = Transfer(
            request: request, tag: tag, url: configuration.baseURL + request.pathAndQuery,
            limit: configuration.answerLimit)
        let handle = idle.popLast() ?? EasyHandle(configuration: configuration)
        let easy = handle.easy
        transfer.handle = handle
        handle.errors[0] = 0
        let context = Unmanaged.passRetained(transfer).toOpaque()
        clibcurl_setopt_pointer(Curl.api, easy, CURLOPT_PRIVATE, context)
        clibcurl_setopt_pointer(Curl.api, easy, CURLOPT_WRITEDATA, context)
        clibcurl_setopt_pointer(Curl.api, easy, CURLOPT_HEADERDATA, context)
        clibcurl_setopt_pointer(Curl.api, easy, CURLOPT_PREREQDATA, context)
        setRequest(request, of: transfer, on: handle)
        if clibcurl_multi_add_handle(Curl.api, multi, easy) != CURLM_OK {
            refuse(tag, "libcurl refused the request (curl_multi_add_handle)")
            release(transfer, context: context)
        }
    }

    /// Reports the request of `tag` as not sent, for a reason of ours.
    private func refuse(_ tag: Int, _ detail: String) {
        finished.append(
            (tag, .failed(TransportFailure(kind: .notSent, cause: .local, detail: detail))))
    }

    /// Sets `handle`'s URL, headers, method and body for `request`; what is the same as
    /// for the handle's previous request is not set again (libcurl parses a URL each time
    /// it is set).
    private func setRequest(_ request: APIRequest, of transfer: Transfer, on handle: EasyHandle) {
        let easy = handle.easy
        if handle.url != transfer.url {
            clibcurl_setopt_string(Curl.api, easy, CURLOPT_URL, transfer.url)
            handle.url = transfer.url
        }
        var headers = request.contentType == nil ? plainHeaders : jsonHeaders
        if !request.headers.isEmpty
            || (request.contentType != nil && request.contentType != "application/json")
        {
            // A list of the transfer's own, freed with it.
            let own = ownHeaders(of: request)
            transfer.ownHeaders = UnsafeMutableRawPointer(own)
            headers = own
        }
        if handle.headers != UnsafeMutableRawPointer(headers) {
            clibcurl_setopt_pointer(Curl.api, easy, CURLOPT_HTTPHEADER, headers)
            handle.headers = UnsafeMutableRawPointer(headers)
        }
        if handle.method != request.method {
            clibcurl_setopt_string(
                Curl.api, easy, CURLOPT_CUSTOMREQUEST,
                request.method == "GET" || request.method == "POST" ? nil : request.method)
            if request.method == "GET" { clibcurl_setopt_long(Curl.api, easy, CURLOPT_HTTPGET, 1) }
            handle.method = request.method
        }
        if request.method != "GET" {
            clibcurl_setopt_offset(
                Curl.api, easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(transfer.bodySize))
            clibcurl_setopt_pointer(Curl.api, easy, CURLOPT_POSTFIELDS, transfer.body)
        }
    }

    /// The header list of a request with headers or a Content-Type of its own: a header
    /// of the request's own (an API's `Accept`) replaces the common one.
    private func ownHeaders(of request: APIRequest) -> UnsafeMutablePointer<curl_slist> {
        let names = Set(request.headers.map { $0.prefix { $0 != ":" }.lowercased() })
        return Self.list(
            Self.commonLines(configuration, token: token).filter {
                !names.contains($0.prefix { $0 != ":" }.lowercased())
            }
                + [request.contentType.map { "Content-Type: \($0)" } ?? "Content-Type:"]
                + request.headers)
    }

    /// The part of `request` that cannot be written as it is: a path with a control
    /// character or a space, or a header with a control character (tab aside).
    private static func unsafePart(of request: APIRequest) -> String? {
        // A byte loop over the UTF-8 storage: this runs for every request.
        func holds(_ text: String, space: Bool) -> Bool {
            var text = text
            return text.withUTF8 { bytes in
                for byte in bytes
                where byte < 0x20 && byte != 0x09 || byte == 0x7F || (space && byte == 0x20) {
                    return true
                }
                return false
            }
        }
        if holds(request.pathAndQuery, space: true) { return "path" }
        if let type = request.contentType, holds(type, space: false) {
            return "Content-Type header"
        }
        for line in request.headers where holds(line, space: false) {
            return TextBytes.shown(String(line.prefix { $0 != ":" }), limit: 40) + " header"
        }
        return nil
    }

    /// Waits under 100 ms are kept to the microsecond (a timer descriptor joins the
    /// poll: a rate of 50/s cannot afford to lose half a millisecond a request), longer
    /// ones to the millisecond.
    public func poll(timeout: Double, finished report: (Int, TransportResult) -> Void) {
        perform()
        if finished.isEmpty {
            let milliseconds = max(0, min(timeout, 3600)) * 1000
            if milliseconds > 0 && milliseconds < 100 && timer >= 0
                && clibcurl_timer_arm(timer, Int64(milliseconds * 1_000_000)) == 0
            {
                var wait = curl_waitfd(fd: timer, events: Int16(CURL_WAIT_POLLIN), revents: 0)
                clibcurl_multi_poll(
                    Curl.api, multi, &wait, 1, Int32(milliseconds.rounded(.up)) + 1, nil)
            } else {
                clibcurl_multi_poll(Curl.api, multi, nil, 0, Int32(milliseconds.rounded(.up)), nil)
            }
            perform()
        }
        let ended = finished
        finished.removeAll(keepingCapacity: true)
        for (tag, result) in ended {
            report(tag, result)
        }
    }

    public func wakeup() {
        clibcurl_multi_wakeup(Curl.api, multi)
    }

    /// Frees libcurl's handles. Call once nothing is in flight; the transport is not used
    /// afterwards.
    public func close() {
        guard !closed else { return }
        closed = true
        for handle in idle {
            clibcurl_easy_cleanup(Curl.api, handle.easy)
            handle.errors.deallocate()
        }
        idle.removeAll()
        clibcurl_multi_cleanup(Curl.api, multi)
        if timer >= 0 { Glibc.close(timer) }
    }

    // MARK: Driving libcurl

    /// Requests that ended and are not yet reported.
    private var finished: [(Int, TransportResult)] = []

    /// Lets libcurl do what it can without waiting, and collects the requests that ended.
    private func perform() {
        var running: Int32 = 0
        clibcurl_multi_perform(Curl.api, multi, &running)
        var left: Int32 = 0
        while let message = clibcurl_multi_info_read(Curl.api, multi, &left) {
            guard clibcurl_message_is_done(message) != 0,
                let easy = clibcurl_message_handle(message)
            else { continue }
            end(easy: easy, code: clibcurl_message_result(message))
        }
    }

    private func end(easy: UnsafeMutableRawPointer, code: CURLcode) {
        var pointer: UnsafeMutableRawPointer?
        clibcurl_getinfo_pointer(Curl.api, easy, CURLINFO_PRIVATE, &pointer)
        clibcurl_multi_remove_handle(Curl.api, multi, easy)
        guard let pointer else { return }
        let transfer = Unmanaged<Transfer>.fromOpaque(pointer).takeUnretainedValue()
        var status = 0
        clibcurl_getinfo_long(Curl.api, easy, CURLINFO_RESPONSE_CODE, &status)
        let result: TransportResult
        if code == CURLE_OK || (code == CURLE_WRITE_ERROR && transfer.truncated), status > 0 {
            result = .answered(
                HTTPAnswer(
                    status: status, headers: HTTPHeaders(raw: transfer.headerBytes),
                    body: transfer.bodyBytes, truncated: transfer.truncated))
        } else {
            result = .failed(failure(rawCode: code.rawValue, transfer: transfer, easy: easy))
        }
        finished.append((transfer.tag, result))
        release(transfer, context: pointer)
    }

    /// Puts a transfer's handle back in the pool and drops libcurl's reference to it.
    private func release(_ transfer: Transfer, context: UnsafeMutableRawPointer) {
        if let handle = transfer.handle {
            // The transfer's own header list goes with it: the handle must set one again.
            if transfer.ownHeaders != nil { handle.headers = nil }
            idle.append(handle)
            transfer.handle = nil
        }
        Unmanaged<Transfer>.fromOpaque(context).release()
    }
}
