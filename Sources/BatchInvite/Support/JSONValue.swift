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
