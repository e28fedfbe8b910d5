/// Text with placeholders (`/orgs/{{var.org}}/invitations`), parsed once when a definition
/// loads: a row's values are only ever placed through an encoding.
public struct TextTemplate: Sendable {
    public enum Part: Sendable, Equatable {
        case literal(String)
        /// A field's value, by index in the definition's fields.
        case field(Int)
        /// A `--var`'s value, by index in the definition's vars.
        case variable(Int)
    }

    public private(set) var parts: [Part]
    /// The text as written.
    public let source: String

    /// Parses `text`; the reason it cannot be when a placeholder is malformed or unknown.
    public static func parse(_ text: String, fields: [String], vars: [String]) -> Result<
        TextTemplate, TemplateProblem
    > {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex {
                parts.append(.literal(String(rest[..<open.lowerBound])))
            }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                return .failure(TemplateProblem("a {{ without its }}"))
            }
            let name = String(rest[open.upperBound..<close.lowerBound])
            if name.hasPrefix("var."), let index = vars.firstIndex(of: String(name.dropFirst(4))) {
                parts.append(.variable(index))
            } else if let index = fields.firstIndex(of: name) {
                parts.append(.field(index))
            } else {
                return .failure(
                    TemplateProblem(
                        "{{\(name)}} names no field or declared var (fields: "
                            + fields.joined(separator: ", ") + "; vars: "
                            + (vars.isEmpty
                                ? "none" : vars.map { "var." + $0 }.joined(separator: ", "))
                            + ")"))
            }
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return .success(TextTemplate(parts: parts, source: text))
    }

    /// The field placed when the template is that one placeholder alone.
    public var onlyField: Int? {
        if parts.count == 1, case .field(let index) = parts[0] { return index }
        return nil
    }

    /// The fields it places.
    public var fields: [Int] {
        parts.compactMap { if case .field(let index) = $0 { return index } else { return nil } }
    }

    /// The `--var`s it places.
    public var variables: [Int] {
        parts.compactMap { if case .variable(let index) = $0 { return index } else { return nil } }
    }

    /// Why `value` cannot be placed in a URL's path: a segment of it would be empty, `.` or
    /// `..`, which the client or the server resolves into another path (`/orgs/../users`
    /// is `/users`); nil when it can.
    public static func pathProblem(_ value: String) -> String? {
        switch value {
        case "": return "an empty value cannot be placed in the URL's path"
        case ".", "..": return "\"\(value)\" cannot be placed in the URL's path"
        default: return nil
        }
    }

    /// Whether it places a `--var`.
    public var hasVariables: Bool {
        parts.contains { if case .variable = $0 { return true } else { return false } }
    }

    /// The template with the vars' values in place (as literals), each through `encode`.
    func bound(_ values: [String], encode: (String) -> String = { $0 }) -> TextTemplate {
        var copy = self
        copy.parts = parts.map {
            if case .variable(let index) = $0 { return .literal(encode(values[index])) }
            return $0
        }
        return copy
    }

    /// The text with each field's value encoded by `encode` (literals as they are); nil
    /// when a field it places has no value.
    func render(_ values: [String?], encode: (String) -> String) -> String? {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .field(let index):
                guard let value = values[index] else { return nil }
                out += encode(value)
            case .variable:
                // Bound before any row is rendered; an unbound var places nothing.
                return nil
            }
        }
        return out
    }
}

/// Why a template cannot be parsed.
public struct TemplateProblem: Error, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}

/// A JSON body with placeholders: a string that is one placeholder alone becomes a JSON
/// value of its field's type (a whole number a number), any other string with
/// placeholders a JSON string. A member or element whose field is empty is left out.
public indirect enum JSONTemplate: Sendable {
    case literal(JSONValue)
    case value(TextTemplate.Part)
    case string(TextTemplate)
    case object([(key: String, value: JSONTemplate)])
    case array([JSONTemplate])

    /// The fields it places.
    var fields: [Int] {
        switch self {
        case .literal: return []
        case .value(let part): return TextTemplate(parts: [part], source: "").fields
        case .string(let template): return template.fields
        case .object(let members): return members.flatMap { $0.value.fields }
        case .array(let elements): return elements.flatMap(\.fields)
        }
    }

    /// The template with the vars' values in place.
    func bound(_ values: [String]) -> JSONTemplate {
        switch self {
        case .literal: return self
        case .value(.variable(let index)): return .literal(.string(values[index]))
        case .value: return self
        case .string(let template): return .string(template.bound(values))
        case .object(let members): return .object(members.map { ($0.key, $0.value.bound(values)) })
        case .array(let elements): return .array(elements.map { $0.bound(values) })
        }
    }
}

/// A JSON template made ready for rows once, when its target is bound: every constant
/// (keys, brackets, literal values) already JSON text, so a row only places its values.
/// A member or element whose field is empty is left out, as the template says.
struct JSONBody: Sendable {
    private enum Op: Sendable {
        /// Constant text: a bracket, a literal value.
        case text(Range<Int>)
        /// A member or element begins: a comma unless it is the first, then its key (none
        /// for an element). A value that cannot be placed takes them back.
        case begin(Range<Int>)
        /// A field's value, as a JSON number or string.
        case field(Int, numeric: Bool)
        /// A string with placeholders.
        case string(TextTemplate)
        /// A placeholder that places nothing (a var not bound).
        case nothing
    }

    private var ops: [Op] = []
    private var constants: [UInt8] = []

    /// `numeric` says which fields are sent as numbers.
    init(_ template: JSONTemplate, numeric: [Bool]) {
        add(template, numeric)
    }

    private mutating func constant(_ bytes: [UInt8]) -> Range<Int> {
        constants += bytes
        return (constants.count - bytes.count)..<constants.count
    }

    private mutating func add(_ template: JSONTemplate, _ numeric: [Bool]) {
        switch template {
        case .literal(let value): ops.append(.text(constant(Array(value.encoded.utf8))))
        case .value(.field(let index)): ops.append(.field(index, numeric: numeric[index]))
        case .value(.literal(let text)):
            var bytes: [UInt8] = []
            TextBytes.appendJSONString(text, to: &bytes)
            ops.append(.text(constant(bytes)))
        case .value(.variable): ops.append(.nothing)
        case .string(let text): ops.append(.string(text))
        case .object(let members):
            ops.append(.text(constant([UInt8(ascii: "{")])))
            for member in members {
                var key: [UInt8] = []
                TextBytes.appendJSONString(member.key, to: &key)
                ops.append(.begin(constant(key + [UInt8(ascii: ":")])))
                add(member.value, numeric)
            }
            ops.append(.text(constant([UInt8(ascii: "}")])))
        case .array(let elements):
            ops.append(.text(constant([UInt8(ascii: "[")])))
            for element in elements {
                ops.append(.begin(constant([])))
                add(element, numeric)
            }
            ops.append(.text(constant([UInt8(ascii: "]")])))
        }
    }

    /// Appends the JSON text with `values` (each field's value as sent, nil when empty)
    /// in place.
    func render(_ values: [String?], to out: inout [UInt8]) {
        // Where the member or element being placed began: taken back to when its value
        // cannot be placed. Only a placeholder can fail, and it is always a member's or an
        // element's whole value (or the whole body).
        var mark = out.count
        let start = out.count
        for op in ops {
            switch op {
            case .text(let range): out += constants[range]
            case .begin(let key):
                mark = out.count
                if out.count > start, out[out.count - 1] != UInt8(ascii: "{"),
                    out[out.count - 1] != UInt8(ascii: "[")
                {
                    out.append(UInt8(ascii: ","))
                }
                out += constants[key]
            case .field(let index, let numeric):
                guard let value = values[index] else {
                    out.removeSubrange(mark...)
                    continue
                }
                if numeric {
                    out += value.utf8
                } else {
                    TextBytes.appendJSONString(value, to: &out)
                }
            case .string(let template):
                guard let text = template.render(values, encode: { $0 }) else {
                    out.removeSubrange(mark...)
                    continue
                }
                TextBytes.appendJSONString(text, to: &out)
            case .nothing: out.removeSubrange(mark...)
            }
        }
    }
}

/// A JSON pointer (RFC 6901) into an answer's body, where a `*` token stands for every
/// element of an array (`/errors/*/message`).
public struct JSONPointer: Sendable, Equatable {
    public let tokens: [String]
    /// As written.
    public let source: String

    /// Parses `text`; nil unless it is empty or starts with `/`.
    public init?(_ text: String) {
        guard text.isEmpty || text.hasPrefix("/") else { return nil }
        source = text
        tokens =
            text.isEmpty
            ? []
            : text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(
                    of: "~0", with: "~")
            }
    }

    /// Whether it has a `*` token.
    public var hasWildcard: Bool { tokens.contains("*") }

    /// The values it points to in `document`, in order (none when nothing is there).
    public func values(in document: JSONValue) -> [JSONValue] {
        var found: [JSONValue] = []
        visit(document) {
            found.append($0)
            return false
        }
        return found
    }

    /// The first value it points to in `document`.
    public func first(in document: JSONValue) -> JSONValue? {
        var found: JSONValue?
        visit(document) {
            found = $0
            return true
        }
        return found
    }

    /// Calls `body` with each value it points to in `document`, in order, until `body`
    /// returns true (every answer is read this way: no list is made).
    public func visit(_ document: JSONValue, _ body: (JSONValue) -> Bool) {
        _ = visit(document, from: 0, body)
    }

    private func visit(_ value: JSONValue, from position: Int, _ body: (JSONValue) -> Bool)
        -> Bool
    {
        guard position < tokens.count else { return body(value) }
        let token = tokens[position]
        switch value {
        case .object:
            guard let member = value[token] else { return false }
            return visit(member, from: position + 1, body)
        case .array(let elements):
            if token == "*" {
                for element in elements where visit(element, from: position + 1, body) {
                    return true
                }
                return false
            }
            guard let index = Int(token), index >= 0, index < elements.count,
                token == String(index)
            else { return false }
            return visit(elements[index], from: position + 1, body)
        default:
            return false
        }
    }
}

/// Percent-encoding of a value placed in a URL: every byte but the unreserved ones
/// (`A-Z a-z 0-9 - . _ ~`) as `%HH`, so a value can neither end its path segment or query
/// parameter nor carry a control character.
public enum PercentEncoding {
    public static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
