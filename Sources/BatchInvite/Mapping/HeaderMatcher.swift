import Foundation

/// Decides which target field each column header (or JSON key) stands for.
///
/// - Forgiving: case, accents, spaces, `_`, `-` and `.` are ignored (`First Name`,
///   `first_name`, `firstName`, `PRÉNOM` and `prenom` are alike), and each field's aliases
///   count (`Vorname`, `Apellido`, `Correo`...).
/// - Annotated headers match on either part: `First name [givenName]` on `First name` or
///   on `givenName`; a trailing `Required`, `Optional` or `*` is ignored.
/// - `--map "Header Text=field"` names a column by its header, and `--map "#3=field"` by its
///   position (from 1), which tells apart repeated or empty headers. A `--map` wins over
///   aliases; one that names no column stops the command (exit 2) with the headers found.
///   `--map "Header=-"` leaves a column unread (no alias can take it), and `--map
///   "Name=full_name"` reads whole names into the target's first and last name fields
///   (`FullName` splits them).
public struct HeaderMatcher: Sendable {
    private let byAlias: [String: Int]
    private let mappings: [(header: Header, field: Int, text: String)]
    private let fieldNames: [String]
    /// The target's name fields a full name fills, if it has them.
    private let fullName: FullNameSpec?
    /// Headers a `--map "Header=-"` leaves unread (normalized): no alias takes them.
    private let unread: Set<String>
    /// A `--map`'s field for a column left unread (`-`), and for a full name.
    static let ignored = -1
    static let wholeName = -2

    /// How a `--map` names its column.
    private enum Header: Equatable {
        case name(String)
        case position(Int)
    }

    /// Builds the matcher for `target`'s fields plus the user's `--map` pairs; an unknown
    /// field name in a pair is a usage error that lists the target's fields.
    public init(target: any Target, mappings: [HeaderMapping]) throws {
        var aliases: [String: Int] = [:]
        for (index, field) in target.fields.enumerated() {
            for alias in [field.name] + field.aliases {
                aliases[Self.normalize(alias)] = index
            }
        }
        var parsed: [(Header, Int, String)] = []
        for mapping in mappings {
            let wanted = Self.normalize(mapping.field)
            let pseudo: Int? =
                mapping.field.trimmingCharacters(in: .whitespaces) == "-"
                ? Self.ignored : wanted == "fullname" ? Self.wholeName : nil
            if pseudo == Self.wholeName && target.fullName == nil {
                throw BatchInviteError.usage(
                    "--map \"\(mapping.header)=\(mapping.field)\": \(target.name) has no first and "
                        + "last name for a full name to fill (its fields: "
                        + target.fields.map(\.name).joined(separator: ", ") + ")")
            }
            guard
                let index = pseudo
                    ?? target.fields.firstIndex(where: { Self.normalize($0.name) == wanted })
            else {
                throw BatchInviteError.usage(
                    "--map \"\(mapping.header)=\(mapping.field)\": \(target.name) has no field "
                        + "\"\(mapping.field)\" (its fields: "
                        + target.fields.map(\.name).joined(separator: ", ")
                        + (target.fullName == nil ? "" : "; or full_name")
                        + "; or - to leave the column unread)")
            }
            let text = "\(mapping.header)=\(mapping.field)"
            if mapping.header.hasPrefix("#"), let position = Int(mapping.header.dropFirst()) {
                guard position >= 1 else {
                    throw BatchInviteError.usage(
                        "--map \"\(text)\": columns are numbered from 1 (\"#1=...\")")
                }
                parsed.append((.position(position), index, text))
            } else {
                parsed.append((.name(Self.normalize(mapping.header)), index, text))
            }
        }
        byAlias = aliases
        self.mappings = parsed
        fieldNames = target.fields.map(\.name)
        fullName = target.fullName
        unread = Set(
            parsed.compactMap { header, field, _ in
                guard field == Self.ignored, case .name(let name) = header else { return nil }
                return name
            })
    }

    /// Which column feeds each field, and which columns feed none.
    public struct Assignment: Sendable {
        /// Per field, the column (from 0) it is read from; nil when none is.
        public var columnOfField: [Int?]
        /// Per field, whether a `--map` chose its column.
        public var mapped: [Bool]
        /// Columns no field is read from (those left unread by a `--map` excepted).
        public var unused: [Int]
        /// The column of whole names (`--map "Name=full_name"`), read into the first and the
        /// last name field: the first name's `columnOfField` is it.
        public var fullNameColumn: Int?
        /// The last name field a full name fills, when `fullNameColumn` is set.
        public var fullNameLast: Int?

        /// Whether field `field` gets its value from a column (a full name's included).
        public func covers(_ field: Int) -> Bool {
            columnOfField[field] != nil || (fullNameColumn != nil && fullNameLast == field)
        }
    }

    /// Assigns `headers` (in column order) to fields: `--map`s first, then aliases. Stops
    /// with exit 2 when a `--map` names no column, when two maps give one field, or when
    /// two columns look like the same field (unless `severalPerField`: JSON keys, where
    /// each record shows which it has); each message says what to pass.
    public func assign(
        _ headers: [String], what: String = "column", severalPerField: Bool = false
    ) throws -> Assignment {
        var columnOfField = [Int?](repeating: nil, count: fieldNames.count)
        var mapped = [Bool](repeating: false, count: fieldNames.count)
        var used = Set<Int>()
        var fullNameColumn: Int?
        let normalized = headers.map(Self.normalize)
        for mapping in mappings {
            let column = try self.column(
                of: mapping, in: headers, normalized: normalized, what: what)
            if mapping.field == Self.ignored {
                used.insert(column)
                continue
            }
            if mapping.field == Self.wholeName, let fullName {
                for field in [fullName.first, fullName.last] {
                    if let other = columnOfField[field], other != column {
                        throw BatchInviteError.usage(
                            "--map gives \(fieldNames[field]) twice: \(what) #\(other + 1) "
                                + "\"\(TextBytes.shown(headers[other]))\" and the full name in #\(column + 1) "
                                + "\"\(TextBytes.shown(headers[column]))\"")
                    }
                    mapped[field] = true
                }
                columnOfField[fullName.first] = column
                fullNameColumn = column
                used.insert(column)
                continue
            }
            if let other = columnOfField[mapping.field], other != column {
                throw BatchInviteError.usage(
                    "--map gives two \(what)s for \(fieldNames[mapping.field]): #\(other + 1) "
                        + "\"\(TextBytes.shown(headers[other]))\" and #\(column + 1) \"\(TextBytes.shown(headers[column]))\""
                )
            }
            columnOfField[mapping.field] = column
            mapped[mapping.field] = true
            used.insert(column)
        }
        try assignByAlias(
            headers, what: what, severalPerField: severalPerField, to: &columnOfField,
            mapped: mapped, used: &used)
        let unused = headers.indices.filter { !used.contains($0) }
        return Assignment(
            columnOfField: columnOfField, mapped: mapped, unused: unused,
            fullNameColumn: fullNameColumn,
            fullNameLast: fullNameColumn.flatMap { _ in fullName?.last })
    }

    /// The column `mapping` names among `headers` (`normalized`, their normalized forms).
    private func column(
        of mapping: (header: Header, field: Int, text: String), in headers: [String],
        normalized: [String], what: String
    ) throws -> Int {
        switch mapping.header {
        case .position(let position):
            guard position <= headers.count else {
                throw BatchInviteError.usage(
                    "--map \"\(mapping.text)\": there are only \(headers.count) \(what)s "
                        + "(\(Self.list(headers)))")
            }
            return position - 1
        case .name(let name):
            // The whole header, else a part of an annotated one (`givenName` for
            // `First name [givenName]`).
            var matches = normalized.indices.filter { normalized[$0] == name }
            if matches.isEmpty {
                matches = headers.indices.filter { Self.parts(of: headers[$0]).contains(name) }
            }
            guard let first = matches.first else {
                var message =
                    "--map \"\(mapping.text)\": no \(what) is named so; the \(what)s are: "
                    + Self.list(headers)
                if let near = Self.closest(to: name, among: headers) {
                    message +=
                        "; did you mean \"\(TextBytes.shown(headers[near]))\"? (--map \"\(Self.mapName(headers[near], position: near))=\(fieldNames[mapping.field])\")"
                }
                throw BatchInviteError.usage(message)
            }
            guard matches.count == 1 else {
                throw BatchInviteError.usage(
                    "--map \"\(mapping.text)\": \(matches.count) \(what)s are named so ("
                        + matches.map { "#\($0 + 1)" }.joined(separator: ", ")
                        + "); name one by its position: --map \"#\(first + 1)=\(fieldNames[mapping.field])\""
                )
            }
            return first
        }
    }

    /// Assigns the columns not `used` yet to the fields without a column whose alias they
    /// are (none to a field a `--map` gave one); two columns for one field stop, unless
    /// `severalPerField`.
    private func assignByAlias(
        _ headers: [String], what: String, severalPerField: Bool, to columnOfField: inout [Int?],
        mapped: [Bool], used: inout Set<Int>
    ) throws {
        var byAliasColumn = [Int?](repeating: nil, count: fieldNames.count)
        for column in headers.indices where !used.contains(column) {
            guard let field = field(forHeader: headers[column]), !mapped[field] else { continue }
            if severalPerField {
                if byAliasColumn[field] == nil { byAliasColumn[field] = column }
                used.insert(column)
                continue
            }
            if let other = byAliasColumn[field] {
                let name = fieldNames[field]
                throw BatchInviteError.input(
                    "\(what)s #\(other + 1) \"\(TextBytes.shown(headers[other]))\" and #\(column + 1) "
                        + "\"\(TextBytes.shown(headers[column]))\" both look like \(name); choose one with "
                        + "--map \"#\(other + 1)=\(name)\" or --map \"#\(column + 1)=\(name)\"")
            }
            byAliasColumn[field] = column
        }
        for field in columnOfField.indices where columnOfField[field] == nil {
            if let column = byAliasColumn[field] {
                columnOfField[field] = column
                used.insert(column)
            }
        }
    }

    /// The column `name` names among `headers`, as a `--map` names one: `#N` by position,
    /// else by its header (matched without regard to case, accents and spaces, or a part
    /// of an annotated one). Exit 2 when none is, or several are, named so; `option` is the
    /// option's whole text, for the message.
    static func column(named name: String, in headers: [String], what: String, option: String)
        throws -> Int
    {
        if name.hasPrefix("#"), let position = Int(name.dropFirst()) {
            guard position >= 1, position <= headers.count else {
                throw BatchInviteError.usage(
                    "\(option): there is no \(what) #\(position) (the \(what)s are: "
                        + list(headers) + ")")
            }
            return position - 1
        }
        let wanted = normalize(name)
        var matches = headers.indices.filter { normalize(headers[$0]) == wanted }
        if matches.isEmpty {
            matches = headers.indices.filter { parts(of: headers[$0]).contains(wanted) }
        }
        guard let first = matches.first else {
            var message =
                "\(option): no \(what) is named \"\(name)\"; the \(what)s are: " + list(headers)
            if let near = closest(to: wanted, among: headers) {
                message += "; did you mean \"\(TextBytes.shown(headers[near]))\"?"
            }
            throw BatchInviteError.usage(message)
        }
        guard matches.count == 1 else {
            throw BatchInviteError.usage(
                "\(option): \(matches.count) \(what)s are named so ("
                    + matches.map { "#\($0 + 1)" }.joined(separator: ", ")
                    + "); name one by its position, #\(first + 1)")
        }
        return first
    }

    /// The field `header` stands for by its name or an alias (either part of an annotated
    /// header), if any.
    public func field(forHeader header: String) -> Int? {
        if !unread.isEmpty && unread.contains(Self.normalize(header)) { return nil }
        for candidate in Self.parts(of: header) {
            if let field = byAlias[candidate] { return field }
        }
        return nil
    }

    /// A header's names to match: the whole of it, the text outside brackets and
    /// parentheses (without a trailing `Required`, `Optional` or `*`), and each bracketed
    /// part; normalized.
    static func parts(of header: String) -> [String] {
        var outside = ""
        var inside: [String] = []
        var current = ""
        var depth = 0
        for character in header {
            switch character {
            case "[", "(":
                if depth == 0 {
                    outside += " "
                    current = ""
                } else {
                    current.append(character)
                }
                depth += 1
            case "]", ")":
                depth = max(depth - 1, 0)
                if depth == 0 { inside.append(current) } else { current.append(character) }
            default:
                if depth == 0 { outside.append(character) } else { current.append(character) }
            }
        }
        var words = outside.split(whereSeparator: \.isWhitespace).map(String.init)
        while let last = words.last?.lowercased(),
            ["required", "optional", "*", "(required)", "(optional)"].contains(last)
        {
            words.removeLast()
        }
        var result = [normalize(header)]
        for part in [words.joined(separator: " ")] + inside {
            let normalized = normalize(part)
            if !normalized.isEmpty && !result.contains(normalized) { result.append(normalized) }
        }
        return result
    }

    /// Header text reduced to what matters: lower case, without accents, white space,
    /// `_`, `-`, `.` and a byte order mark.
    public static func normalize(_ header: String) -> String {
        let folded = header.folding(
            options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        return String(
            String.UnicodeScalarView(
                folded.lowercased().unicodeScalars.filter {
                    !$0.properties.isWhitespace && $0 != "_" && $0 != "-" && $0 != "."
                        && $0 != "\u{FEFF}"
                }))
    }

    /// How a `--map` should name `header` (at `position`, from 0): by its text when that is
    /// plain, else by position.
    static func mapName(_ header: String, position: Int) -> String {
        // Plain: safe inside double quotes in a shell, and not taken for a position.
        let allowed = Set(" []()._-/@&+,:;'")
        let plain =
            !header.isEmpty && !header.hasPrefix("#") && !header.hasPrefix(" ")
            && !header.hasSuffix(" ")
            && header.allSatisfy { $0.isLetter || $0.isNumber || allowed.contains($0) }
        return plain ? header : "#\(position + 1)"
    }

    /// The headers, quoted and shown safely, for messages.
    static func list(_ headers: [String]) -> String {
        headers.enumerated().map { "#\($0.offset + 1) \"\(TextBytes.shown($0.element))\"" }
            .joined(separator: ", ")
    }

    /// The header among `candidates` nearest to `name` (normalized), if one is `near` it.
    static func closest(to name: String, among candidates: [String]) -> Int? {
        var best: (index: Int, distance: Int)?
        for (index, header) in candidates.enumerated() {
            let normalized = normalize(header)
            guard near(normalized, name) else { continue }
            let distance = editDistance(Array(normalized.utf8), Array(name.utf8))
            if distance < (best?.distance ?? .max) { best = (index, distance) }
        }
        return best?.index
    }

    /// Whether two normalized names are a slip of the keyboard apart: one edit for names
    /// of four to eight letters (`emial`, `Emial_alt`), two for longer ones, none for
    /// shorter ones (`0` is not `id`, `username` is not `surname`).
    static func near(_ a: String, _ b: String) -> Bool {
        let shorter = min(a.count, b.count)
        let allowed = shorter >= 9 ? 2 : shorter >= 4 ? 1 : 0
        return editDistance(Array(a.utf8), Array(b.utf8)) <= allowed
    }

    /// The edit distance between two byte strings: insertions, deletions, substitutions
    /// and swaps of neighbours (`emial` is one edit from `email`) count one each.
    public static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var row = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                row[j] = Swift.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    row[j] = Swift.min(row[j], before[j - 2] + 1)
                }
            }
            before = previous
            previous = row
        }
        return previous[b.count]
    }
}
