/// The character encodings an input file may use. Everything downstream of the reader
/// sees UTF-8; `TextDecoder` converts the others on the way in.
public enum TextEncoding: Sendable, Equatable, CustomStringConvertible {
    case utf8
    case windows1252
    /// UTF-16; the byte order comes from the byte order mark, else from the first bytes.
    case utf16

    /// Parses an `--encoding` value: `utf-8`, `windows-1252` (or `cp1252`), `utf-16`.
    public init?(optionValue: String) {
        switch optionValue.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "windows-1252", "cp1252", "win-1252": self = .windows1252
        case "utf-16", "utf16": self = .utf16
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .utf8: return "utf-8"
        case .windows1252: return "windows-1252"
        case .utf16: return "utf-16"
        }
    }
}
