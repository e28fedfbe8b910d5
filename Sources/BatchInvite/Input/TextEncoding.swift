/// The character encodings an input file may use. Everything downstream of the reader
/// sees UTF-8; `TextDecoder` converts the others on the way in.
public enum TextEncoding: Sendable, Hashable, CustomStringConvertible {
    case utf8
    case windows1252
    /// UTF-16; the byte order comes from the byte order mark, else from the first bytes.
    case utf16
    /// Any other encoding the C library's iconv(3) knows, by its canonical name (see
    /// `init(optionValue:)`): `shift_jis`, `cp932`, `gb18030`, `big5`, `cp949`,
    /// `windows-1251`, `iso-8859-15`, `koi8-r`...
    case iconv(String)

    /// Parses an `--encoding` value: `utf-8`, `windows-1252` (or `cp1252`), `utf-16`, or
    /// any name iconv knows, in any case. Nil when iconv does not know it (or the name
    /// asks iconv to drop or replace what it cannot convert, as `//IGNORE` does).
    ///
    /// The name is made canonical, so that a journal's record of it compares equal however
    /// it was spelt: lower case, and the usual aliases of the common encodings folded
    /// (`sjis` is `shift_jis`, `uhc` is `cp949`, `cp1251` is `windows-1251`, `latin9` is
    /// `iso-8859-15`).
    public init?(optionValue: String) {
        var name = optionValue.lowercased()
        // As `iconv -l` lists them.
        if name.hasSuffix("//") { name.removeLast(2) }
        switch name {
        case "utf-8", "utf8": self = .utf8
        case "windows-1252", "cp1252", "win-1252": self = .windows1252
        case "utf-16", "utf16": self = .utf16
        default:
            guard !name.isEmpty, name.utf8.count <= 64,
                name.utf8.allSatisfy({ Self.nameBytes.contains($0) })
            else { return nil }
            let canonical = Self.canonical(name)
            guard IconvConverter.knows(canonical) else { return nil }
            self = .iconv(canonical)
        }
    }

    public var description: String {
        switch self {
        case .utf8: return "utf-8"
        case .windows1252: return "windows-1252"
        case .utf16: return "utf-16"
        case .iconv(let name): return name
        }
    }

    /// Whether the encoding writes the ASCII characters as ASCII bytes, so that the first
    /// bytes of a file can be looked at as they are (for a workbook's signature, control
    /// bytes). UTF-16, UTF-32 and EBCDIC do not.
    var isASCIICompatible: Bool {
        switch self {
        case .utf8, .windows1252: return true
        case .utf16: return false
        case .iconv(let name):
            guard let converter = IconvConverter(from: name) else { return false }
            let probe = Array("Az09,;\"\n".utf8)
            var out: [UInt8] = []
            probe.withUnsafeBytes { _ = converter.convert($0, isFinal: true, into: &out) }
            return out == probe
        }
    }

    /// Characters of an encoding's name (no `/`: iconv reads `//IGNORE` and `//TRANSLIT`
    /// after one as orders to drop or replace bytes it cannot convert).
    private static let nameBytes = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.:+()".utf8)

    /// The name most people know an encoding by, for the aliases of the common ones.
    private static func canonical(_ name: String) -> String {
        var name = name
        for (prefix, replacement) in [("iso8859-", "iso-8859-"), ("iso_8859-", "iso-8859-")]
        where name.hasPrefix(prefix) {
            name = replacement + name.dropFirst(prefix.count)
        }
        if let range = name.range(of: ":"), name.hasPrefix("iso-8859-") {
            name = String(name[..<range.lowerBound])  // iso_8859-1:1987
        }
        if name.hasPrefix("cp125"), name.count == 6 { return "windows-" + name.dropFirst(2) }
        if name.hasPrefix("win-125"), name.count == 8 { return "windows-" + name.dropFirst(4) }
        let latin = [
            "latin1": "1", "latin2": "2", "latin3": "3", "latin4": "4", "latin5": "9",
            "latin6": "10", "latin7": "13", "latin8": "14", "latin9": "15", "latin10": "16",
            "l1": "1", "l2": "2", "l3": "3", "l4": "4", "l5": "9", "l6": "10", "l7": "13",
            "l8": "14", "latin-9": "15",
        ]
        if let part = latin[name] { return "iso-8859-" + part }
        let aliases = [
            "sjis": "shift_jis", "shift-jis": "shift_jis", "ms_kanji": "shift_jis",
            "csshiftjis": "shift_jis", "windows-31j": "cp932", "ms932": "cp932",
            "ibm-943": "cp932", "eucjp": "euc-jp", "ujis": "euc-jp", "gb2312": "euc-cn",
            "euccn": "euc-cn", "cp936": "gbk", "ms936": "gbk", "windows-936": "gbk",
            "cp950": "big5", "big-5": "big5", "big-five": "big5", "csbig5": "big5",
            "big5hkscs": "big5-hkscs", "euckr": "euc-kr", "uhc": "cp949", "windows-949": "cp949",
            "koi8r": "koi8-r", "koi8u": "koi8-u", "euctw": "euc-tw", "ibm866": "cp866",
        ]
        return aliases[name] ?? name
    }
}
