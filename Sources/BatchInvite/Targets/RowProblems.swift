/// Why a row is invalid, written as the report shows it: UTF-8 bytes, one reason after
/// another with "; " between them (`email: "bob@" is not an email address; role: is empty,
/// it must be regular or manager`). Emptied and reused from row to row, so an invalid row
/// costs no allocation of its own.
public struct RowProblems: Sendable {
    /// The message so far.
    public private(set) var bytes: [UInt8] = []
    /// Where each reason starts in `bytes`.
    private var starts: [Int] = []

    public init() {}

    public var isEmpty: Bool { starts.isEmpty }

    /// The message as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Each reason on its own.
    public var reasons: [String] {
        starts.indices.map { index in
            let end = index + 1 < starts.count ? starts[index + 1] - 2 : bytes.count
            return String(decoding: bytes[starts[index]..<end], as: UTF8.self)
        }
    }

    /// Whether a reason is about `field` (starts with `field: `).
    public func concerns(_ field: String) -> Bool {
        let prefix = Array(field.utf8) + [0x3A, 0x20]
        return starts.contains { start in
            bytes.count - start >= prefix.count
                && bytes[start..<start + prefix.count].elementsEqual(prefix)
        }
    }

    public mutating func removeAll() {
        // Most rows have none: emptying an empty array still costs a call.
        guard !starts.isEmpty else { return }
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
    }

    /// Starts a reason about `field` (`field: `); an empty `field` starts one about none.
    public mutating func begin(_ field: String) {
        if !starts.isEmpty {
            bytes.append(0x3B)  // "; "
            bytes.append(0x20)
        }
        starts.append(bytes.count)
        if !field.isEmpty {
            bytes += field.utf8
            bytes.append(0x3A)  // ": "
            bytes.append(0x20)
        }
    }

    /// A whole reason, about no field in particular.
    public mutating func add(_ reason: String) {
        begin("")
        bytes += reason.utf8
    }

    /// A reason about `field` (`role: is empty`).
    public mutating func add(_ field: String, _ reason: StaticString) {
        begin(field)
        append(reason)
    }

    /// A reason about `field` that shows its value (`email: "bob@" is not an email
    /// address`).
    public mutating func add(
        _ field: String, _ value: UnsafeRawBufferPointer, _ reason: StaticString
    ) {
        begin(field)
        appendQuoted(value)
        bytes.append(0x20)
        append(reason)
    }

    /// Continues the current reason.
    public mutating func append(_ text: StaticString) {
        bytes.append(
            contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Continues the current reason.
    public mutating func append(_ text: String) {
        bytes += text.utf8
    }

    /// Continues the current reason with a number in decimal.
    public mutating func append(_ number: Int) {
        bytes += String(number).utf8
    }

    /// Continues the current reason with a value in double quotes, shown safely (see
    /// `TextBytes.appendShown`).
    public mutating func appendQuoted(_ value: UnsafeRawBufferPointer) {
        bytes.append(0x22)
        TextBytes.appendShown(value, to: &bytes)
        bytes.append(0x22)
    }
}
