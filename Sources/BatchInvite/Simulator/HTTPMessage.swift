/// One HTTP/1.1 request as the simulator's server read it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent: path and query (`/UserMgmt/SendSmsInvite?ID=...`).
    public var target: String
    /// Header names in lower case, in the order received.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// HTTP/1.0 without keep-alive, or `Connection: close`: answer, then close.
    public var wantsClose: Bool

    /// The first header named `name` (lower case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// The target's path, without the query.
    public var path: String {
        String(target.prefix { $0 != "?" })
    }

    /// The query's parameters, percent-decoded (`+` stays a plus).
    public var query: [String: String] {
        guard let mark = target.firstIndex(of: "?") else { return [:] }
        var result: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.percentDecoded(parts[0])
            if result[name] == nil {
                result[name] = parts.count > 1 ? Self.percentDecoded(parts[1]) : ""
            }
        }
        return result
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// An HTTP response to write back.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)] = []
    public var body: [UInt8] = []

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response.
    public static func json(
        _ status: Int, _ text: String, headers: [(name: String, value: String)] = []
    ) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "application/json")] + headers,
            body: Array(text.utf8))
    }

    /// The bytes on the wire; `close` adds `Connection: close`.
    func serialized(close: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(body.count)\r\n"
        if close { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        default: return "Status \(status)"
        }
    }
}

/// Reads HTTP/1.1 requests out of the bytes received so far on a connection.
enum HTTPRequestParser {
    /// The most header bytes accepted (request line and headers).
    static let maxHeaderBytes = 16 * 1024
    /// The largest body accepted.
    static let maxBodyBytes = 1 << 20

    enum Outcome {
        /// More bytes are needed; `expectsContinue` once the head asked for `100 Continue`.
        case needMore(expectsContinue: Bool)
        /// A whole request, and how many bytes of the buffer it took.
        case request(HTTPRequest, consumed: Int)
        /// The bytes are not an acceptable request: answer `status` and close.
        case failure(status: Int, message: String)
    }

    /// Reads the request at the start of `buffer`, if it has arrived whole.
    static func parse(_ buffer: UnsafeRawBufferPointer) -> Outcome {
        do throws(Refusal) {
            guard let headEnd = findHeadEnd(buffer) else {
                if buffer.count > maxHeaderBytes { throw .headTooLarge }
                return .needMore(expectsContinue: false)
            }
            if headEnd > maxHeaderBytes { throw .headTooLarge }
            let head = try Head(UnsafeRawBufferPointer(rebasing: buffer[0..<headEnd]))
            let length = try head.contentLength()
            let bodyStart = headEnd + 4
            guard buffer.count >= bodyStart + length else {
                return .needMore(expectsContinue: head.expectsContinue)
            }
            let request = head.request(body: Array(buffer[bodyStart..<bodyStart + length]))
            return .request(request, consumed: bodyStart + length)
        } catch {
            return .failure(status: error.status, message: error.message)
        }
    }

    /// Why the bytes are not an acceptable request: the status to answer and the message.
    private struct Refusal: Error {
        var status: Int
        var message: String

        static let headTooLarge = Refusal(
            status: 431, message: "request headers are over \(maxHeaderBytes / 1024) KiB")
    }

    /// A request's line and headers, read and checked.
    private struct Head {
        var method: String
        var target: String
        var version: Substring
        /// Names in lower case, in the order received.
        var headers: [(name: String, value: String)]

        /// Reads the bytes before the blank line.
        init(_ bytes: UnsafeRawBufferPointer) throws(Refusal) {
            guard let head = String(validating: bytes, as: UTF8.self) else {
                throw Refusal(status: 400, message: "the request head is not valid UTF-8")
            }
            var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let requestLine = lines.removeFirst().split(
                separator: " ", omittingEmptySubsequences: false)
            guard requestLine.count == 3, !requestLine[0].isEmpty,
                requestLine[0].allSatisfy({ $0.isLetter && $0.isUppercase }),
                requestLine[1].hasPrefix("/"),
                requestLine[2] == "HTTP/1.1" || requestLine[2] == "HTTP/1.0"
            else {
                throw Refusal(status: 400, message: "malformed request line")
            }
            (method, target, version) = (
                String(requestLine[0]), String(requestLine[1]), requestLine[2]
            )
            headers = []
            for line in lines where !line.isEmpty {
                guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                    !line[..<colon].contains(where: { $0 == " " || $0 == "\t" })
                else {
                    throw Refusal(status: 400, message: "malformed header line")
                }
                headers.append(
                    (
                        line[..<colon].lowercased(),
                        line[line.index(after: colon)...].trimmingCharacters(in: " \t")
                    ))
            }
        }

        /// The body's length: `Content-Length`, or 0 without one. Chunked bodies, conflicting
        /// or malformed lengths and bodies over `maxBodyBytes` are refused.
        func contentLength() throws(Refusal) -> Int {
            if headers.contains(where: { $0.name == "transfer-encoding" }) {
                throw Refusal(
                    status: 501, message: "Transfer-Encoding is not supported; send Content-Length")
            }
            let lengths = Set(headers.filter { $0.name == "content-length" }.map(\.value))
            guard lengths.count <= 1 else {
                throw Refusal(status: 400, message: "conflicting Content-Length headers")
            }
            var length = 0
            if let text = lengths.first {
                guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let value = Int(text) else {
                    throw Refusal(status: 400, message: "malformed Content-Length")
                }
                length = value
            }
            if length > maxBodyBytes {
                throw Refusal(status: 413, message: "the body is over \(maxBodyBytes >> 20) MiB")
            }
            return length
        }

        /// Whether the client waits for `100 Continue` before sending the body.
        var expectsContinue: Bool {
            headers.contains { $0.name == "expect" && $0.value.lowercased() == "100-continue" }
        }

        /// The request with `body`.
        func request(body: [UInt8]) -> HTTPRequest {
            let connection = headers.first { $0.name == "connection" }?.value.lowercased() ?? ""
            let wantsClose =
                connection.contains("close")
                || (version == "HTTP/1.0" && !connection.contains("keep-alive"))
            return HTTPRequest(
                method: method, target: target, headers: headers, body: body,
                wantsClose: wantsClose)
        }
    }

    /// The offset of the blank line (`\r\n\r\n`) ending the head, if it has arrived.
    private static func findHeadEnd(_ buffer: UnsafeRawBufferPointer) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var index = 0
        let limit = min(buffer.count - 4, maxHeaderBytes + 4)
        while index <= limit {
            if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13
                && buffer[index + 3] == 10
            {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
