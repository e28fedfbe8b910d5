/// An HTTP request as a target builds it: method, path with query, body.
public struct APIRequest: Sendable, Equatable {
    public var method: String
    /// Path and query, appended to the base URL (`/api/v3/users`).
    public var pathAndQuery: String
    /// The body (a slice: a row's request lends it from its payload without a copy).
    public var body: ArraySlice<UInt8>
    /// Content-Type of the body, if there is one.
    public var contentType: String?
    /// Header lines of this request's own (`Name: value`), besides the transport's.
    public var headers: [String]

    public init(
        method: String, pathAndQuery: String, body: [UInt8], contentType: String?,
        headers: [String] = []
    ) {
        self.method = method
        self.pathAndQuery = pathAndQuery
        self.body = body[...]
        self.contentType = contentType
        self.headers = headers
    }
}

/// What an API's answer means for a row, as far as the target can tell.
public enum Answer: Sendable, Equatable {
    /// The invitation was made; Sendoso adds its invitation status and expiry.
    case invited(message: String, invitationStatus: String, expiresAt: String)
    /// The API refused this row; final. The API's message, verbatim.
    case refused(message: String)
    /// The API refused it because the person already has an invitation: nothing more to do.
    case alreadyInvited(message: String)
    /// The answer does not say whether the API acted (a success status whose body, where
    /// the API puts its verdict, cannot be read): the row is in doubt, like a lost answer.
    case unclear(message: String)
}

/// An answer's header lines as they came (`Name: value`, CRLF-separated), looked up by name
/// without building a dictionary: most answers never need a header.
public struct HTTPHeaders: Sendable, Equatable {
    private var bytes: [UInt8]

    /// Header lines as received, status line excluded.
    public init(raw: [UInt8] = []) {
        bytes = raw
    }

    /// Headers from name-value pairs (tests, fakes).
    public init(_ pairs: [(String, String)]) {
        bytes = Array(pairs.map { "\($0.0): \($0.1)\r\n" }.joined().utf8)
    }

    /// The value of the last header named `name` (case-insensitive), trimmed.
    public subscript(name: String) -> String? {
        let wanted = Array(name.lowercased().utf8)
        var found: String?
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            if let colon = bytes[start..<end].firstIndex(of: UInt8(ascii: ":")),
                colon - start == wanted.count,
                zip(bytes[start..<colon], wanted).allSatisfy({ Self.lower($0) == $1 })
            {
                var valueStart = colon + 1
                var valueEnd = end
                while valueStart < valueEnd && Self.isBlank(bytes[valueStart]) { valueStart += 1 }
                while valueEnd > valueStart && Self.isBlank(bytes[valueEnd - 1]) { valueEnd -= 1 }
                found = String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)
            }
            start = end + 1
        }
        return found
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 9 || byte == 13 || byte == 10
    }
}
