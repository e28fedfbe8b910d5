/// What Fixtures/people-files/expected.json says of one file.
struct PeopleFile: Decodable, Sendable {
    let file: String
    let target: String
    /// "values": the known row is read right; "refused": the file cannot be right for the
    /// target, and the tool must say which of `missing` it lacks.
    let outcome: String
    let missing: [String]?
    /// A header a stop must show as written (decoded right).
    let shown: String?
    /// Field to column: a header as written, `#N`, a dotted JSON path; `full_name` too.
    let mapping: [String: String]
    /// Other columns that are as right for a field.
    let alsoRight: [String: String]?

    enum CodingKeys: String, CodingKey {
        case file, target, outcome, missing, shown, mapping
        case alsoRight = "also_right"
    }
}

/// What Checkers/people_files.py read in one file with Python's csv and json modules.
struct PeopleFileFacts: Decodable, Sendable {
    struct KnownRow: Decodable, Sendable {
        let row: Int
        let expected: [String: String]
        let alsoRight: [String: String]

        enum CodingKeys: String, CodingKey {
            case row, expected
            case alsoRight = "also_right"
        }
    }
    let file: String
    /// The header's cells (a JSON file: the first record's keys).
    let headers: [String]
    let rows: Int
    let knownRow: KnownRow

    enum CodingKeys: String, CodingKey {
        case file, headers, rows
        case knownRow = "known_row"
    }
}

/// How a new user fared with one file.
struct PeopleFileOutcome: Codable, Equatable, Sendable {
    struct Round: Codable, Equatable, Sendable {
        let options: String
        let status: Int32
        let message: String
    }
    let file: String
    let target: String
    let expected: String
    var rounds: [Round] = []
    var options = ""
    var wouldSend = false
    /// as-is, by-advice, wrong-values or stopped.
    var outcome = ""
    var detail = ""

    enum CodingKeys: String, CodingKey {
        case file, target, expected, rounds, options, detail
        case wouldSend = "would_send"
        case outcome = "class"
    }
}
