/// Decides which target field a column header (or JSON key) stands for, forgivingly:
/// case, spaces, `_` and `-` are ignored, each field's aliases count, and `--map
/// "Header Text=field"` adds anything else (and wins over an alias).
public struct HeaderMatcher: Sendable {
    private let byNormalizedName: [String: Int]
    private let explicit: [String: Int]
    private let fieldNames: [String]

    /// Builds the matcher for `target`'s fields plus the user's `--map` pairs; an unknown
    /// field name in a pair is a usage error that lists the target's fields.
    public init(target: any Target, mappings: [HeaderMapping]) throws {
        var names: [String: Int] = [:]
        for (index, field) in target.fields.enumerated() {
            for alias in [field.name] + field.aliases {
                names[Self.normalize(alias)] = index
            }
        }
        var explicit: [String: Int] = [:]
        for mapping in mappings {
            let header = mapping.header
            let fieldName = mapping.field
            guard
                let index = target.fields.firstIndex(where: {
                    Self.normalize($0.name) == Self.normalize(fieldName)
                })
            else {
                throw BatchInviteError.usage(
                    "--map \"\(header)=\(fieldName)\": \(target.name) has no field \"\(fieldName)\" "
                        + "(its fields: \(target.fields.map(\.name).joined(separator: ", ")))")
            }
            explicit[Self.normalize(header)] = index
        }
        byNormalizedName = names
        self.explicit = explicit
        fieldNames = target.fields.map(\.name)
    }

    /// The field `header` stands for, and whether a `--map` said so.
    public func field(forHeader header: String) -> (index: Int, explicit: Bool)? {
        let key = Self.normalize(header)
        if let index = explicit[key] { return (index, true) }
        if let index = byNormalizedName[key] { return (index, false) }
        return nil
    }

    /// Header text reduced to what matters: lower case, without white space, `_` and `-`.
    public static func normalize(_ header: String) -> String {
        String(
            String.UnicodeScalarView(
                header.lowercased().unicodeScalars.filter {
                    !$0.properties.isWhitespace && $0 != "_" && $0 != "-" && $0 != "\u{FEFF}"
                }))
    }

    /// The header among `candidates` closest to any name of field `index` (at most two
    /// edits away), for "did you mean" hints.
    public func closestHeader(to index: Int, among candidates: [String], target: any Target)
        -> String?
    {
        let names = ([target.fields[index].name] + target.fields[index].aliases).map(Self.normalize)
        var best: (header: String, distance: Int)?
        for header in candidates {
            let normalized = Self.normalize(header)
            guard !normalized.isEmpty else { continue }
            for name in names {
                let distance = Self.editDistance(Array(normalized.utf8), Array(name.utf8))
                if distance <= 2 && distance < (best?.distance ?? .max) {
                    best = (header, distance)
                }
            }
        }
        return best?.header
    }

    /// The Levenshtein distance between two byte strings.
    public static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var row = [i + 1]
            for (j, y) in b.enumerated() {
                row.append(
                    Swift.min(previous[j + 1] + 1, row[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = row
        }
        return previous[b.count]
    }
}
