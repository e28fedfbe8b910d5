import Foundation

/// A JSON value as the simulator reads it: by Foundation's `JSONSerialization`, not by the
/// client's reader, so that a mistake in the one is not made again by the other and hidden.
///
/// A body is read as a strict RFC 8259 reader reads it (`strictText(_:)`): one JSON text in
/// UTF-8, any value at the top, the last of repeated keys, an escaped surrogate without its
/// pair as U+FFFD; anything else is not JSON.
struct SimulatorJSON {
    /// What `JSONSerialization` made: a dictionary, an array, a string, an `NSNumber`
    /// (booleans too) or `NSNull`.
    private let value: Any

    /// The value of `bytes`, or nil when they are not one JSON text.
    init?(_ bytes: [UInt8]) {
        guard let text = Self.strictText(bytes),
            let value = try? JSONSerialization.jsonObject(
                with: Data(text), options: .fragmentsAllowed)
        else { return nil }
        self.value = value
    }

    private init(value: Any) {
        self.value = value
    }

    /// The member named `key` of an object (the last one when the key is repeated); nil
    /// for other values and missing members.
    subscript(key: String) -> SimulatorJSON? {
        guard let object = value as? [String: Any], let member = object[key] else { return nil }
        return SimulatorJSON(value: member)
    }

    /// Whether the value is an object.
    var isObject: Bool { value is [String: Any] }

    /// A string's text; nil for other values.
    var string: String? { value as? String }

    /// A number written as a whole number (no fraction, no exponent) that an `Int64`
    /// holds; nil for other numbers, for booleans and for other values.
    var wholeNumber: Int64? {
        guard let number = value as? NSNumber else { return nil }
        // Foundation makes a boolean a number of type "c" (char), and a number written
        // with a fraction or an exponent (or too long for an integer) a "d" (double).
        let type = String(cString: number.objCType)
        guard type != "c", type != "d", type != "f" else { return nil }
        return value as? Int64
    }
}
