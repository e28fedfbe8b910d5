/// The members of nested objects and arrays in JSON records, as dotted keys: Slack's
/// `{"profile": {"email": ...}}` gives `profile.email`, Firebase's `{"providerUserInfo":
/// [{"email": ...}]}` gives `providerUserInfo.0.email`. They are matched like any key
/// (`--map "profile.email=email"`), and a field that no key names by itself takes the
/// nested key whose last part names it (`profile.first_name` for `first_name`) when that is
/// the only one at the least depth; keys inside arrays (`identities.0.user_id`) only by a
/// `--map`, as an array holds several values.
enum NestedKeys {
    /// The elements of an array given keys of their own; the rest are left out.
    static let arrayElements = 10

    /// `record` with a member added for each value inside its objects and arrays (the
    /// objects and arrays themselves stay, as values of their kind).
    static func flattened(_ record: JSONLinesReader.Record) -> JSONLinesReader.Record {
        guard case .success(let members) = record.members,
            members.contains(where: { $0.value.kind == .object || $0.value.kind == .array })
        else { return record }
        var flat: [JSONMember] = []
        for member in members {
            append(member.key, member.value, to: &flat)
        }
        return JSONLinesReader.Record(line: record.line, members: .success(flat))
    }

    private static func append(_ key: String, _ value: JSONValue, to flat: inout [JSONMember]) {
        flat.append(JSONMember(key: key, value: value))
        switch value {
        case .object(let members):
            for member in members {
                append(key + "." + member.key, member.value, to: &flat)
            }
        case .array(let elements):
            for (index, element) in elements.prefix(arrayElements).enumerated() {
                append(key + "." + String(index), element, to: &flat)
            }
        default: break
        }
    }

    /// The keys that hold others (`profile` for `profile.email`).
    static func parents(among keys: [String]) -> Set<String> {
        var parents = Set<String>()
        for key in keys {
            var part = Substring(key)
            while let dot = part.lastIndex(of: ".") {
                part = part[..<dot]
                parents.insert(String(part))
            }
        }
        return parents
    }

    /// Gives each field that `assignment` left without a key (and no `--map` names) the
    /// nested key whose last part names it: the only one at the least depth, outside
    /// arrays, unless an option gives the field a value (`hasDefault`: a guess gives way to
    /// what the user said). Two at that depth stop with the `--map` to give for each.
    static func assignLeaves(
        _ keys: [String], matcher: HeaderMatcher, fieldNames: [String], hasDefault: [Bool],
        to assignment: inout HeaderMatcher.Assignment
    ) throws {
        let unused = Set(assignment.unused)
        let keyed = keys.map { $0.contains(".") && !$0.hasSuffix(".") }
        guard keyed.contains(true) else { return }
        let parents = parents(among: keys)
        var candidates = [[(column: Int, depth: Int)]](repeating: [], count: fieldNames.count)
        for column in keys.indices where keyed[column] && unused.contains(column) {
            let key = keys[column]
            guard !parents.contains(key) else { continue }
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            guard
                !parts.contains(where: {
                    !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber)
                }),
                let last = parts.last, let field = matcher.field(forHeader: String(last))
            else { continue }
            candidates[field].append((column, parts.count - 1))
        }
        var taken = Set<Int>()
        for field in fieldNames.indices
        where !assignment.covers(field) && !assignment.mapped[field] && !hasDefault[field] {
            let found = candidates[field].filter { !taken.contains($0.column) }
            guard let least = found.map(\.depth).min() else { continue }
            let shallowest = found.filter { $0.depth == least }
            guard shallowest.count == 1 else {
                let name = fieldNames[field]
                throw BatchInviteError.input(
                    "keys "
                        + shallowest.map {
                            "#\($0.column + 1) \"\(TextBytes.shown(keys[$0.column]))\""
                        }
                        .joined(separator: " and ")
                        + " \(shallowest.count == 2 ? "both" : "all") look like \(name); choose one with "
                        + shallowest.map {
                            "--map \"\(HeaderMatcher.mapName(keys[$0.column], position: $0.column))=\(name)\""
                        }.joined(separator: " or "))
            }
            let column = shallowest[0].column
            assignment.columnOfField[field] = column
            assignment.unused.removeAll { $0 == column }
            taken.insert(column)
        }
    }
}
