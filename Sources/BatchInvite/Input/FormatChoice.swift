/// The format a file is read in, and why. `--format` decides; else the file's first bytes
/// where they are plainly JSON (a JSON object, `{"`, or an array of objects, `[{`), and
/// the extension where it says something and the content does not contradict it; else
/// the content:
///
/// - JSON objects one a line are JSON Lines (`.json`, `.txt`, no extension; a `.csv` too,
///   with a note).
/// - One JSON document (an array of objects, or an object holding one, pretty-printed or
///   on one line) is `json`.
/// - Anything else is CSV (`.jsonl` and `.ndjson` stay JSON Lines); in a file whose
///   extension is not `.csv`, a header line with a tab is tab-separated.
///
/// What the content looks like is kept either way, so that an error reading the file in
/// another format can say which `--format` to give (`hint`).
public struct FormatChoice: Sendable, Equatable, CustomStringConvertible {
    /// Why the format is the one in force.
    public enum Reason: Sendable, Equatable {
        /// `--format`.
        case given
        /// The file name's extension (`.csv`).
        case byExtension(String)
        /// The first bytes, as described (`one JSON object per line`).
        case byContent(String)
    }

    /// The format to read the file in.
    public let format: InputFormat
    public let reason: Reason
    /// The format the first bytes look like, when they look like one (nil: empty, or
    /// neither JSON nor a header line with a delimiter).
    public let contentFormat: InputFormat?
    /// The delimiter the content decided (tab, for a text file whose header has tabs);
    /// nil leaves it to `--delimiter` and the detection.
    public let delimiter: UInt8?
    /// What the user is told before reading, when the content overrides the extension.
    public let note: String?

    /// Decides from `options` and the start of `input` (see `TextInput.startText`).
    public init(options: InputOptions, input: TextInput) {
        let (text, isWhole) = input.startText()
        self.init(options: options, start: text, isWhole: isWhole, displayName: input.displayName)
    }

    /// Decides from `options` and the start of the file's text (UTF-8, after skipped lines),
    /// `isWhole` when that is all of it.
    public init(options: InputOptions, start: [UInt8], isWhole: Bool, displayName: String) {
        let lower = options.path == "-" ? "" : options.path.lowercased()
        let fileName = lower.split(separator: "/").last ?? ""
        let suffix = fileName.lastIndex(of: ".").map { String(fileName[$0...]) } ?? ""
        let named: InputFormat? =
            [".jsonl", ".ndjson"].contains(suffix)
            ? .jsonl : [".csv", ".tsv"].contains(suffix) ? .csv : nil
        let content = start.withUnsafeBytes {
            Content(text: $0, isWhole: isWhole, expectsLines: named == .jsonl)
        }
        contentFormat = content.format
        var delimiter: UInt8?
        var note: String?
        if let given = options.format {
            format = given
            reason = .given
        } else if content.isJSON, let found = content.format {
            format = found
            if let named, named != found {
                reason = .byContent(content.description)
                note =
                    "note: \(displayName) holds \(content.description), not \(named.name): reading "
                    + "it as \(found.name); give --format \(named.rawValue) to read it as \(named.name)"
            } else {
                reason = named == nil ? .byContent(content.description) : .byExtension(suffix)
            }
        } else if let named {
            format = named
            reason = .byExtension(suffix)
        } else if suffix == ".json" && content.startsWithBracket {
            format = .json
            reason = .byContent("a JSON array")
        } else {
            format = .csv
            reason = .byContent(content.description)
            if suffix == ".json" && content.format != nil {
                note =
                    "note: \(displayName) does not start with { or [, so it is not JSON: reading it "
                    + "as CSV; give --format to read it otherwise"
            }
            if content.headerHasTab { delimiter = 9 }
        }
        self.delimiter = options.delimiter == nil ? delimiter : nil
        self.note = note
    }

    /// `jsonl (by content: one JSON object per line)`, for `inspect`.
    public var description: String {
        switch reason {
        case .given: return "\(format.rawValue) (given)"
        case .byExtension(let name): return "\(format.rawValue) (by extension: \(name))"
        case .byContent(let what): return "\(format.rawValue) (by content: \(what))"
        }
    }

    /// The advice to add to an error met reading the file as `format` when its content
    /// looks like another (`; the file looks like JSON Lines: give --format jsonl`); empty
    /// otherwise.
    public var hint: String {
        guard let other = contentFormat, other != format else { return "" }
        switch other {
        case .jsonl:
            return
                "; the file looks like JSON Lines (one JSON object per line): give --format jsonl"
        case .json:
            return "; the file looks like one JSON document (an array of objects, or an object "
                + "holding one): give --format json"
        case .csv: return "; the file looks like CSV: give --format csv"
        }
    }

    /// `error` as the user reads it: an input error names the file (`people.json: line 1:
    /// ...`), and ends with `hint`.
    public func explaining(_ error: BatchInviteError, file: String) -> BatchInviteError {
        guard case .input(let message) = error else { return error }
        let named = message.hasPrefix(file) ? message : "\(file): \(message)"
        return .input(named + hint)
    }

    /// The names that usually hold the people's array in a JSON object (`{"users": [...]}`
    /// from Firebase and Keycloak, `members` from Slack's API, `value` from Microsoft
    /// Graph, `Resources` from SCIM), compared in lower case.
    static let arrayNames: Set<String> = [
        "users", "members", "people", "persons", "contacts", "employees", "accounts", "staff",
        "profiles", "data", "records", "items", "results", "entries", "rows", "value",
        "resources",
    ]

    /// What the first bytes of a file look like.
    private struct Content {
        /// The format they suggest; nil when they suggest none.
        var format: InputFormat?
        /// Plainly JSON: `{"`, `{}`, `[{`, `[]`, `[[`.
        var isJSON = false
        /// The first byte is `[` (JSON, or a CSV header such as `[ID],[Name]`).
        var startsWithBracket = false
        /// The first line holds a tab outside quotes.
        var headerHasTab = false
        var description = "empty"

        /// `expectsLines`: the extension says JSON Lines, so a file of one line is one
        /// record unless its array of objects has one of `arrayNames`.
        init(text: UnsafeRawBufferPointer, isWhole: Bool, expectsLines: Bool) {
            let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            guard let first = text.firstIndex(where: { !isSpace($0) }) else { return }
            let next = text[(first + 1)...].first(where: { !isSpace($0) })
            switch text[first] {
            case UInt8(ascii: "{") where next == nil || next == 0x22 || next == UInt8(ascii: "}"):
                isJSON = true
                let rest = UnsafeRawBufferPointer(rebasing: text[first...])
                if Self.holdsObjectLines(rest, isWhole: isWhole, expectsLines: expectsLines) {
                    format = .jsonl
                    description = "one JSON object per line"
                } else {
                    format = .json
                    description = "one JSON object"
                }
                return
            case UInt8(ascii: "["):
                startsWithBracket = true
                if next == nil
                    || [UInt8(ascii: "{"), UInt8(ascii: "]"), UInt8(ascii: "[")]
                        .contains(next!)
                {
                    isJSON = true
                    format = .json
                    description = "a JSON array"
                    return
                }
            default: break
            }
            var inQuotes = false
            var delimiters = 0
            for byte in text[first...] {
                if byte == 0x22 {
                    inQuotes.toggle()
                } else if !inQuotes && (byte == 0x0A || byte == 0x0D) {
                    break
                } else if !inQuotes
                    && [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")]
                        .contains(byte)
                {
                    delimiters += 1
                    if byte == 9 { headerHasTab = true }
                }
            }
            if delimiters > 0 { format = .csv }
            description = headerHasTab ? "a header line with tabs" : "text, not JSON"
        }

        /// Whether text starting with `{` is JSON objects one a line rather than one
        /// document: its first line is a whole object (unless it is the whole file and holds
        /// an array of objects: `{"users": [{...}]}` on one line), or, its first line broken,
        /// most of its first lines are.
        static func holdsObjectLines(
            _ text: UnsafeRawBufferPointer, isWhole: Bool, expectsLines: Bool
        ) -> Bool {
            var lines: [UnsafeRawBufferPointer] = []
            var start = 0
            while lines.count < 20 && start < text.count {
                guard let end = text[start...].firstIndex(of: 0x0A) else {
                    if isWhole { lines.append(UnsafeRawBufferPointer(rebasing: text[start...])) }
                    break
                }
                let line = UnsafeRawBufferPointer(rebasing: text[start..<end])
                if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                    lines.append(line)
                }
                start = end + 1
            }
            // The first line runs past the bytes read: one document on one line.
            guard let first = lines.first else { return false }
            let object: [JSONMember]?
            if case .object(let members) = try? JSONParser.parse(first) {
                object = members
            } else {
                object = nil
            }
            if let object, lines.count == 1 && isWhole {
                return !object.contains { member in
                    guard case .array(let elements) = member.value,
                        case .object = elements.first
                    else { return false }
                    return !expectsLines
                        || FormatChoice.arrayNames.contains(member.key.lowercased())
                }
            }
            if object != nil { return true }
            let objects = lines.filter {
                if case .object = try? JSONParser.parse($0) { return true }
                return false
            }.count
            return lines.count >= 2 && objects * 2 > lines.count
        }
    }
}

extension InputFormat {
    /// The format's name in sentences: `CSV`, `JSON Lines`, `JSON`.
    public var name: String {
        switch self {
        case .csv: return "CSV"
        case .jsonl: return "JSON Lines"
        case .json: return "JSON"
        }
    }
}
