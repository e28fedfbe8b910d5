/// Writes JSON text into bytes: objects and arrays, their members and elements in the order
/// they are given, with the commas between them and strings escaped
/// (`TextBytes.appendJSONString`); nothing else is added (no space; a newline only by
/// `endLine`). The journal, the ledger, the JSON Lines report, the JSON summary and the
/// commands' JSON output are all written by it.
///
/// Member names given as `StaticString` are the tool's own and written as they are
/// (plain ASCII, nothing to escape); names given as `String` are escaped.
///
/// The bytes are the writer's own and kept from one use to the next: `reset` empties them
/// and keeps their memory, so a writer that writes one record after another allocates
/// nothing once it has grown to the largest.
public struct JSONWriter {
    /// What was written.
    public private(set) var bytes: [UInt8] = []
    /// Whether a value was just written (the next member or element needs a comma).
    private var afterValue = false

    public init() {}

    /// The bytes of one object, written by `body` between its braces.
    public static func object(_ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        body(&writer)
        writer.endObject()
        return writer.bytes
    }

    /// Empties the writer, keeping its memory.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        afterValue = false
    }

    /// Starts an object (a value: after a key, as an array's element, or alone).
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        afterValue = false
    }

    /// Ends the object being written.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        afterValue = true
    }

    /// Starts an array (a value: after a key, as an array's element, or alone).
    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        afterValue = false
    }

    /// Ends the array being written.
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        afterValue = true
    }

    /// Ends a JSON Lines line: a newline, after which a new value starts.
    public mutating func endLine() {
        bytes.append(UInt8(ascii: "\n"))
        afterValue = false
    }

    /// Starts member `name` of the object being written; its value comes next.
    public mutating func key(_ name: StaticString) {
        if afterValue { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterValue = false
    }

    /// Starts member `name` (any text: escaped) of the object being written.
    public mutating func key(_ name: String) {
        if afterValue { bytes.append(UInt8(ascii: ",")) }
        TextBytes.appendJSONString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterValue = false
    }

    /// A string value.
    public mutating func string(_ text: String) {
        separate()
        TextBytes.appendJSONString(text, to: &bytes)
        afterValue = true
    }

    /// An integer value.
    public mutating func integer(_ value: Int) {
        separate()
        TextBytes.appendInteger(value, to: &bytes)
        afterValue = true
    }

    /// A number already written as JSON text (`12.500`).
    public mutating func number(_ text: String) {
        separate()
        bytes.append(contentsOf: text.utf8)
        afterValue = true
    }

    /// `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
        afterValue = true
    }

    /// `null`.
    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        afterValue = true
    }

    /// A value as it was read (`JSONParser`) or built, written compactly.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let text): number(text)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let members):
            beginObject()
            for member in members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    /// A member whose value is a string.
    public mutating func member(_ name: StaticString, _ text: String) {
        key(name)
        string(text)
    }

    /// A string member, `null` when `text` is nil.
    public mutating func member(_ name: StaticString, _ text: String?) {
        key(name)
        if let text { string(text) } else { null() }
    }

    /// A member whose value is an integer.
    public mutating func member(_ name: StaticString, _ value: Int) {
        key(name)
        integer(value)
    }

    /// An integer member, `null` when `value` is nil.
    public mutating func member(_ name: StaticString, _ value: Int?) {
        key(name)
        if let value { integer(value) } else { null() }
    }

    /// A member whose value is `true` or `false`.
    public mutating func member(_ name: StaticString, _ flag: Bool) {
        key(name)
        bool(flag)
    }

    /// A member whose value is a number already written as JSON text.
    public mutating func member(_ name: StaticString, number text: String) {
        key(name)
        number(text)
    }

    /// A comma before a value that is an array's next element.
    private mutating func separate() {
        if afterValue { bytes.append(UInt8(ascii: ",")) }
    }
}
