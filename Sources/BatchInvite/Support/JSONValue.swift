/// A JSON value as parsed from one line of a JSON Lines file. Numbers keep their text so
/// that large identifiers survive exactly.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number exactly as written (`1234`, `-1.5e3`).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in the order written; a repeated key appears twice.
    case object([JSONMember])

    /// The value's kind.
    public var kind: JSONKind {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .number: return .number
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }

    /// The name of the value's kind, for messages (`a string`, `an array`).
    public var kindDescription: String { kind.description }
}

/// The kinds of JSON values, named for messages.
public enum JSONKind: Sendable, CustomStringConvertible {
    case null, bool, number, string, array, object

    /// `null`, `a boolean`, `a number`, `a string`, `an array`, `an object`.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// One `"key": value` pair of a JSON object.
public struct JSONMember: Equatable, Sendable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A strict RFC 8259 parser for one JSON text held in bytes: whitespace around one value,
/// nothing else. Errors say what was expected and the column (1-based byte offset).
/// Raw invalid UTF-8 is an error; an escaped surrogate without its pair becomes U+FFFD, as
/// most parsers do, or is an error where the caller says so (`LoneSurrogates.refused`).
public struct JSONParser {
    /// Nesting deeper than this is refused rather than risking the stack.
    public static let maxDepth = 256

    /// What an escape of a surrogate without its pair (`"\ud800"`, `"\udc00"`, a high one
    /// followed by anything but a low one) stands for: RFC 8259 leaves it to the reader.
    public enum LoneSurrogates: Sendable {
        /// U+FFFD, the replacement character (answers from an API, files of our own).
        case replaced
        /// An error that names the key whose text holds it (records from a user's file,
        /// where U+FFFD would go on as if it were the person's name).
        case refused
    }

    private let bytes: UnsafeRawBufferPointer
    private let loneSurrogates: LoneSurrogates
    private var position = 0
    /// The key of the member whose value is being read (the innermost one), for messages.
    private var memberKey: String?
    /// Whether the string being read is a key.
    private var readingKey = false

    /// Parses `bytes` as exactly one JSON value.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, loneSurrogates: LoneSurrogates = .replaced
    ) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, loneSurrogates: loneSurrogates)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position < bytes.count {
            throw parser.error("unexpected text after the JSON value")
        }
        return value
    }

    private init(bytes: UnsafeRawBufferPointer, loneSurrogates: LoneSurrogates) {
        self.bytes = bytes
        self.loneSurrogates = loneSurrogates
    }

    private func error(_ message: String) -> JSONParseError {
        JSONParseError(message: message, column: position + 1)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            position += 1
        }
    }

    private func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "the end of the line" }
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maxDepth else {
            throw error("nesting deeper than \(Self.maxDepth) levels")
        }
        guard let byte = current else {
            throw error("expected a JSON value, found the end of the line")
        }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        case 0xEF
        where position + 2 < bytes.count && bytes[position + 1] == 0xBB
            && bytes[position + 2] == 0xBF:
            throw error("unexpected byte order mark (U+FEFF) before the value")
        default: throw error("expected a JSON value, found \(describe(byte))")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = position
        for expected in UnsafeRawBufferPointer(
            start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        {
            guard current == expected else {
                position = start
                throw error("expected a JSON value, found \(describe(bytes[start]))")
            }
            position += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        position += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                throw error("expected a member name in double quotes, found \(describe(current))")
            }
            readingKey = true
            let key = try parseString()
            readingKey = false
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw error("expected ':' after the member name, found \(describe(current))")
            }
            position += 1
            skipWhitespace()
            let outer = memberKey
            memberKey = key
            members.append(JSONMember(key: key, value: try parseValue(depth: depth + 1)))
            memberKey = outer
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default:
                throw error(
                    "expected ',' or '}' after an object member, found \(describe(current))")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default:
                throw error(
                    "expected ',' or ']' after an array element, found \(describe(current))")
            }
        }
    }

    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = position
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.position
            while let byte = parser.current, byte >= 0x30 && byte <= 0x39 { parser.position += 1 }
            return parser.position - from
        }
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
            if let byte = current, byte >= 0x30 && byte <= 0x39 {
                throw error("a number may not start with 0")
            }
        } else if digits(&self) == 0 {
            throw error("expected digits in the number, found \(describe(current))")
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard digits(&self) > 0 else { throw error("expected digits after the decimal point") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits(&self) > 0 else { throw error("expected digits in the exponent") }
        }
        return String(
            decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        let opening = position
        position += 1
        let start = position
        // Fast path: no escapes, ASCII or valid UTF-8 checked at the end.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"),
            byte >= 0x20
        {
            position += 1
        }
        guard let stop = current else {
            position = opening
            throw error("unterminated string")
        }
        if stop == UInt8(ascii: "\"") {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
            position += 1
            guard TextBytes.isValidUTF8(raw) else {
                position = start
                throw error("the string is not valid UTF-8")
            }
            return String(decoding: raw, as: UTF8.self)
        }
        var scalars = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while true {
            guard let byte = current else {
                position = opening
                throw error("unterminated string")
            }
            if byte == UInt8(ascii: "\"") {
                position += 1
                break
            }
            if byte < 0x20 {
                throw error(
                    "control character \(describe(byte)) inside a string (write it as \\u escape)")
            }
            if byte != UInt8(ascii: "\\") {
                scalars.append(byte)
                position += 1
                continue
            }
            position += 1
            if let letter = current, let byte = Self.unescaped(letter) {
                scalars.append(byte)
            } else if current == UInt8(ascii: "u") {
                position += 1
                let scalar = try parseUnicodeEscape()
                scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                continue
            } else {
                throw error("invalid escape \\\(describe(current)) in a string")
            }
            position += 1
        }
        guard scalars.withUnsafeBytes({ TextBytes.isValidUTF8($0) }) else {
            position = start
            throw error("the string is not valid UTF-8")
        }
        return String(decoding: scalars, as: UTF8.self)
    }

    /// Reads the four hex digits after `\u` (and a low surrogate's escape after a high one).
    private mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let first = try hex4()
        if UTF16.isLeadSurrogate(first), current == UInt8(ascii: "\\"), position + 1 < bytes.count,
            bytes[position + 1] == UInt8(ascii: "u")
        {
            let save = position
            position += 2
            let second = try hex4()
            if UTF16.isTrailSurrogate(second) {
                let value = 0x10000 + (UInt32(first - 0xD800) << 10) + UInt32(second - 0xDC00)
                return Unicode.Scalar(value) ?? "\u{FFFD}"
            }
            position = save
        }
        if let scalar = Unicode.Scalar(UInt32(first)) { return scalar }
        guard loneSurrogates == .replaced else {
            throw loneSurrogate(escape: position - 6)
        }
        return "\u{FFFD}"
    }

    /// The error for the unpaired surrogate escape at `escape`: `the text of key
    /// "first_name" holds an unpaired surrogate escape (\ud800)`.
    private func loneSurrogate(escape: Int) -> JSONParseError {
        let sequence = String(
            decoding: UnsafeRawBufferPointer(rebasing: bytes[escape..<(escape + 6)]), as: UTF8.self)
        let place =
            readingKey
            ? "a key" : memberKey.map { "the text of key \"\(TextBytes.shown($0))\"" } ?? "a string"
        return JSONParseError(
            message: "\(place) holds an unpaired surrogate escape (\(sequence))", column: escape + 1
        )
    }

    private mutating func hex4() throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Self.hexValue(byte) else {
                throw error("expected four hex digits after \\u, found \(describe(current))")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// The byte a one-letter escape (`\\n`, `\\"`, ...) stands for; nil for `u` and for
    /// letters that are not escapes.
    static func unescaped(_ letter: UInt8) -> UInt8? {
        switch letter {
        case 0x22, 0x5C, 0x2F: return letter
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return nil
        }
    }

    /// A hexadecimal digit's value.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

/// Why a line is not JSON, and where.
public struct JSONParseError: Error, Equatable, CustomStringConvertible {
    public let message: String
    /// 1-based byte offset in the line.
    public let column: Int

    public var description: String { "\(message) at column \(column)" }
}

extension JSONValue {
    /// The member named `key` of an object (the last one, if repeated); nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// The elements of an array; nil for other values.
    public var elements: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// A string's text or a number as written; nil for other values.
    public var text: String? {
        switch self {
        case .string(let text), .number(let text): return text
        default: return nil
        }
    }

    /// The value as compact JSON text (`JSONWriter.value`).
    public var encoded: String {
        var json = JSONWriter()
        json.value(self)
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
