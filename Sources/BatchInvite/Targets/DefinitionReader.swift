/// One fault of a target definition: where (a JSON pointer) and what is expected there.
public struct DefinitionProblem: Sendable, Equatable, CustomStringConvertible {
    public let pointer: String
    public let message: String

    public var description: String { "\(pointer.isEmpty ? "(the document)" : pointer): \(message)" }
}

/// Reads the members of a definition's JSON, collecting every problem with its pointer
/// rather than stopping at the first.
struct DefinitionReader {
    private(set) var problems: [DefinitionProblem] = []

    mutating func fail(_ pointer: String, _ message: String) {
        problems.append(DefinitionProblem(pointer: pointer, message: message))
    }

    /// `/a/b` for member `key` of the value at `pointer`.
    static func child(_ pointer: String, _ key: String) -> String {
        pointer + "/"
            + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(
                of: "/", with: "~1")
    }

    /// The members of an object, each key once; nil (with a problem) when `value` is not
    /// an object, lacks one of `required` or has a key not in `allowed`.
    mutating func object(
        _ value: JSONValue?, _ pointer: String, allowed: [String], required: [String] = []
    ) -> [String: JSONValue]? {
        guard case .object(let members)? = value else {
            fail(pointer, "expected an object, found \(value?.kindDescription ?? "nothing")")
            return nil
        }
        var result: [String: JSONValue] = [:]
        for member in members {
            if result[member.key] != nil {
                fail(Self.child(pointer, member.key), "given twice")
            } else if !allowed.contains(member.key) {
                fail(
                    Self.child(pointer, member.key),
                    "unknown member; expected one of " + allowed.joined(separator: ", "))
            }
            result[member.key] = member.value
        }
        for key in required where result[key] == nil {
            fail(Self.child(pointer, key), "missing; it is required")
        }
        return result
    }

    /// A string (non-empty unless `emptyAllowed`), or nil with a problem (none when absent
    /// and not required).
    mutating func string(
        _ value: JSONValue?, _ pointer: String, emptyAllowed: Bool = false
    ) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value else {
            fail(pointer, "expected a string, found \(value.kindDescription)")
            return nil
        }
        if text.isEmpty && !emptyAllowed {
            fail(pointer, "expected a non-empty string")
            return nil
        }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            fail(pointer, "expected text without control characters")
            return nil
        }
        return text
    }

    mutating func bool(_ value: JSONValue?, _ pointer: String) -> Bool? {
        guard let value else { return nil }
        guard case .bool(let flag) = value else {
            fail(pointer, "expected true or false, found \(value.kindDescription)")
            return nil
        }
        return flag
    }

    /// A number in `range`.
    mutating func number(
        _ value: JSONValue?, _ pointer: String, in range: ClosedRange<Double>
    ) -> Double? {
        guard let value else { return nil }
        guard case .number(let text) = value, let number = Double(text), range.contains(number)
        else {
            fail(pointer, "expected a number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    /// A whole number in `range`.
    mutating func integer(
        _ value: JSONValue?, _ pointer: String, in range: ClosedRange<Int64>
    ) -> Int64? {
        guard let value else { return nil }
        guard case .number(let text) = value, let number = Int64(text), range.contains(number)
        else {
            fail(
                pointer, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    /// An array of strings (each checked as `string`).
    mutating func strings(_ value: JSONValue?, _ pointer: String) -> [String]? {
        guard let value else { return nil }
        guard case .array(let elements) = value else {
            fail(pointer, "expected an array of strings, found \(value.kindDescription)")
            return nil
        }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            if let text = string(element, pointer + "/\(index)") { result.append(text) }
        }
        return result
    }

    /// An array of HTTP statuses from `range`.
    mutating func statuses(
        _ value: JSONValue?, _ pointer: String, in range: ClosedRange<Int64>
    ) -> [Int]? {
        guard let value else { return nil }
        guard case .array(let elements) = value else {
            fail(pointer, "expected an array of HTTP statuses, found \(value.kindDescription)")
            return nil
        }
        return elements.enumerated().compactMap { index, element in
            integer(element, pointer + "/\(index)", in: range).map { Int($0) }
        }
    }

    /// A JSON pointer into an answer (`/errors/*/message`); `*` only when `wildcard`.
    mutating func pointer(_ value: JSONValue?, _ at: String, wildcard: Bool) -> JSONPointer? {
        guard let text = string(value, at, emptyAllowed: true) else { return nil }
        guard let parsed = JSONPointer(text) else {
            fail(at, "expected a JSON pointer such as /message (empty, or starting with /)")
            return nil
        }
        if parsed.hasWildcard && !wildcard {
            fail(at, "expected a JSON pointer without * (a test reads one value)")
            return nil
        }
        return parsed
    }

    /// An array of JSON pointers.
    mutating func pointers(_ value: JSONValue?, _ at: String) -> [JSONPointer]? {
        guard let value else { return nil }
        guard case .array(let elements) = value else {
            fail(at, "expected an array of JSON pointers, found \(value.kindDescription)")
            return nil
        }
        return elements.enumerated().compactMap { index, element in
            pointer(element, at + "/\(index)", wildcard: true)
        }
    }

    /// Whether `name` is an HTTP header name (an RFC 9110 token).
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                    || "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
    }
}
