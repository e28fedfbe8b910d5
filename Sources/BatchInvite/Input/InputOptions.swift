import Foundation

/// How to read an input file: the options shared by `validate`, `inspect` and `run`.
public struct InputOptions: Sendable, Equatable {
    /// The file to read; `-` is standard input.
    public var path: String
    /// The format; nil decides from the file's first bytes and its extension
    /// (`FormatChoice`).
    public var format: InputFormat?
    /// The array of people in a JSON document, as the dotted path of the members that lead
    /// to it (`users`, `data.users`); nil finds it (`JSONDocumentReader`).
    public var jsonArray: String?
    /// The CSV delimiter; nil detects it from the header line (`,` `;` tab `|`).
    public var delimiter: UInt8?
    /// The file's encoding; a byte order mark overrides it. Nil guesses it from the first
    /// 64 KiB (see `TextInput`).
    public var encoding: TextEncoding?
    /// Lines before the header to skip (a preamble); nil skips a Microsoft Entra
    /// template's `version:` line alone.
    public var skipLines: Int?
    /// `--map "Header Text=field"` pairs, in the order given.
    public var mappings: [HeaderMapping] = []
    /// Values for fields whose cell is empty or whose column is missing, by field name
    /// (`--role`, `--team-group-id`).
    public var defaults: [String: String] = [:]
    /// `--where` conditions every row must meet to be sent (the others are `skipped`).
    public var filters: [RowFilter] = []

    public init(path: String) {
        self.path = path
    }

    /// The format given, else the one the extension says (before the content is seen:
    /// `FormatChoice` decides the one in force).
    public var resolvedFormat: InputFormat {
        format ?? InputFormat(path: path)
    }

    /// The delimiter in force before detection: the one given, or tab for `.tsv`.
    public var resolvedDelimiter: UInt8? {
        delimiter ?? (path.lowercased().hasSuffix(".tsv") ? 9 : nil)
    }
}

/// One `--map "Header Text=field"` pair.
public struct HeaderMapping: Sendable, Equatable {
    public var header: String
    public var field: String

    public init(header: String, field: String) {
        self.header = header
        self.field = field
    }
}

/// One `--where "COLUMN=VALUE"` (or `COLUMN!=VALUE`): a row is read only when its cell in
/// the column (by header text matched like `--map`'s, or `#N`) is one of the values (or is
/// none of them). Values compare trimmed and whatever their case; a comma separates
/// several; an empty value is an empty cell.
public struct RowFilter: Sendable, Equatable, CustomStringConvertible {
    public var column: String
    public var negated: Bool
    public var values: [String]

    public init(column: String, negated: Bool, values: [String]) {
        self.column = column
        self.negated = negated
        self.values = values
    }

    /// Parses `COLUMN=VALUE[,VALUE...]` or `COLUMN!=...`; nil when it is neither.
    public init?(_ text: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        var columnEnd = equals
        negated = false
        if text[text.index(before: equals)] == "!" {
            columnEnd = text.index(before: equals)
            negated = true
        }
        column = String(text[..<columnEnd])
        guard !column.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        values = text[text.index(after: equals)...].split(
            separator: ",", omittingEmptySubsequences: false
        ).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// As given: `Status!=deactivated,bot`.
    public var description: String {
        column + (negated ? "!=" : "=") + values.joined(separator: ",")
    }

    /// Whether a cell (its text) lets the row through.
    public func admits(_ cell: String) -> Bool {
        let value = cell.trimmingCharacters(in: .whitespaces)
        let matches = values.contains {
            $0.compare(value, options: .caseInsensitive) == .orderedSame
        }
        return matches != negated
    }
}

/// The input formats.
public enum InputFormat: String, Sendable {
    case csv
    case jsonl
    /// One JSON document: an array of objects, or an object holding one.
    case json

    /// The format a file name suggests: JSON Lines for `.jsonl`/`.ndjson`, else CSV.
    public init(path: String) {
        let lower = path.lowercased()
        self = lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") ? .jsonl : .csv
    }
}
