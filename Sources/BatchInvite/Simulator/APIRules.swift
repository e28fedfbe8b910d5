/// The simulator's own reading of what the two APIs accept (README, "The two APIs"),
/// written apart from the client's `FieldRules`: a client rule that is wrong is then not
/// wrong on both sides at once.
public enum APIRules {
    /// Sendoso's e-mail check as the simulator plays it: one `@`, a local part of letters,
    /// digits and ``.!#$%&'*+/=?^_`{|}~-``, a domain of dot-separated labels (letters,
    /// digits, inner hyphens) with at least one dot, nothing else.
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, text.utf8.count <= 254 else { return false }
        let localAllowed = Set(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
        guard parts[0].allSatisfy({ localAllowed.contains($0) }) else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// CyberArk's user IDs: a UUID, 8-4-4-4-12 hexadecimal digits, any case, no braces.
    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// A user ID as a list of known users (`simulate --users-file`) gives it: a UUID of
    /// ASCII hexadecimal digits, bare or in braces (`{...}`, the Windows way). The bare
    /// UUID, or nil when `text` is none.
    public static func listedUserID(_ text: String) -> String? {
        var id = Substring(text)
        if id.utf8.count >= 2, id.hasPrefix("{"), id.hasSuffix("}") {
            id = id.dropFirst().dropLast()
        }
        // 36 bytes in 36 characters: ASCII only (isUUID takes other hexadecimal digits).
        guard id.utf8.count == 36, isUUID(String(id)) else { return nil }
        return String(id)
    }
}
