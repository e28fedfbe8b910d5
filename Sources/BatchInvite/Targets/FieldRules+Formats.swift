/// The checks a target definition may name besides the built-ins' own: a whole number in a
/// range, a phone number in E.164 form, a web address.
extension FieldRules {
    /// Decimal digits (an optional leading `-` when `range` allows negatives) with a value
    /// in `range`.
    public static func checkInteger(
        _ value: UnsafeRawBufferPointer, in range: ClosedRange<Int64>, field: String,
        problems: inout RowProblems
    ) {
        if value.isEmpty { return problems.add(field, "is empty") }
        guard let number = integer(value), range.contains(number) else {
            problems.begin(field)
            problems.appendQuoted(value)
            problems.append(
                " must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return
        }
    }

    /// The whole number `value` writes in decimal (`-` allowed first, leading zeros too);
    /// nil when it is not one or does not fit in 64 bits.
    public static func integer(_ value: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        let negative = value.first == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < value.count else { return nil }
        var number: Int64 = 0
        while index < value.count {
            let byte = value[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (times, o1) = number.multipliedReportingOverflow(by: 10)
            let digit = Int64(byte - 0x30)
            let (sum, o2) =
                negative
                ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            number = sum
            index += 1
        }
        return number
    }

    /// A phone number in E.164 form: `+`, then 8 to 15 digits, the first not 0; spaces,
    /// hyphens, dots and parentheses between the digits are allowed (as people write
    /// numbers) and left out of `canonicalPhone`.
    public static func checkPhone(
        _ value: UnsafeRawBufferPointer, field: String, problems: inout RowProblems
    ) {
        if value.isEmpty { return problems.add(field, "is empty") }
        if canonicalPhone(value) == nil {
            problems.add(
                field, value,
                "is not a phone number in E.164 form (+, the country code and number, 8 to 15 digits, e.g. +14155550100)"
            )
        }
    }

    /// The number as E.164 writes it (`+14155550100`); nil when it is not one.
    public static func canonicalPhone(_ value: UnsafeRawBufferPointer) -> String? {
        guard value.first == UInt8(ascii: "+") else { return nil }
        var digits: [UInt8] = [UInt8(ascii: "+")]
        for byte in value.dropFirst() {
            switch byte {
            case 0x30...0x39: digits.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("),
                UInt8(ascii: ")"):
                continue
            default: return nil
            }
        }
        guard digits.count >= 9, digits.count <= 16, digits[1] != UInt8(ascii: "0") else {
            return nil
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// An absolute `https://` or `http://` address with a host: printable ASCII, no spaces,
    /// at most 2048 characters.
    public static func checkURL(
        _ value: UnsafeRawBufferPointer, field: String, problems: inout RowProblems
    ) {
        if value.isEmpty { return problems.add(field, "is empty") }
        if value.count > 2048 { return tooLongURL(value.count, field: field, problems: &problems) }
        let lower = value.prefix(8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let scheme =
            lower.starts(with: Array("https://".utf8))
            ? 8 : lower.starts(with: Array("http://".utf8)) ? 7 : 0
        let printable = value.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        let hostEnd =
            value.dropFirst(scheme).firstIndex {
                $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
            } ?? value.count
        guard scheme > 0, printable, hostEnd > scheme else {
            problems.add(
                field, value, "is not a web address (https://host/..., without spaces)")
            return
        }
    }

    private static func tooLongURL(_ count: Int, field: String, problems: inout RowProblems) {
        problems.begin(field)
        problems.append("is \(count) characters long, at most 2048 are allowed")
    }
}
