import Foundation
import Testing

/// JSON Lines records that read two ways: a key given twice, an escape that stands for no
/// character. `validate`, `inspect` and `run` agree on them, whether a line comes before
/// line 1,000 (read by the JSON parser while the keys are decided) or after (read by the
/// scanner of common lines).
@Suite struct AmbiguousRecordTests {
    /// A record of the five Sendoso fields (names and other members as written in JSON),
    /// then the `extra` members.
    static func line(
        email: String, first: String = "\"Ada\"", last: String = "\"Lovelace\"",
        _ extra: [(String, String)] = []
    ) -> String {
        let fields =
            [
                ("\"first_name\"", first), ("\"last_name\"", last), ("\"email\"", "\"\(email)\""),
                ("\"role\"", "\"regular\""), ("\"team_group_id\"", "1234"),
            ] + extra
        return "{" + fields.map { "\($0.0):\($0.1)" }.joined(separator: ",") + "}"
    }

    /// The file: `cases` (each a line and the message its row must have, nil for a valid
    /// row), 1,000 ordinary lines, then the same cases again (with `again` in their
    /// addresses, so that no row is a duplicate of another).
    static func file(_ cases: [(line: (String) -> String, message: String?)]) -> (
        text: String, expected: [(line: Int, message: String?)]
    ) {
        var lines: [String] = []
        var expected: [(line: Int, message: String?)] = []
        for suffix in ["first", "again"] {
            for (index, item) in cases.enumerated() {
                lines.append(item.line("case\(index)-\(suffix)@example.com"))
                expected.append((lines.count, item.message))
            }
            if suffix == "first" {
                for index in 0..<1000 { lines.append(line(email: "filler\(index)@example.com")) }
            }
        }
        return (lines.joined(separator: "\n") + "\n", expected)
    }

    /// The report's message of each expected line, from `validate`, `inspect` and `run`,
    /// each checked against the expectation; the rows `run` sent, by e-mail.
    func checkEveryCommand(
        _ tool: Tool, _ expected: [(line: Int, message: String?)], _ simulator: SimulatorProcess
    ) throws {
        let validated = try tool.run([
            "validate", "people.jsonl", "--target", "sendoso", "--report", "validate.csv",
        ])
        #expect(validated.status == 1, "\(validated.stderr)")
        let validateRows = Dictionary(
            uniqueKeysWithValues: try reportRows(tool, "validate.csv").map {
                (Int($0["line"] ?? "") ?? 0, $0)
            })
        for (line, message) in expected {
            let row = validateRows[line]
            #expect(row?["status"] == (message == nil ? "valid" : "invalid"), "line \(line)")
            #expect(row?["message"] == (message ?? ""), "line \(line)")
        }

        let inspected = try tool.run(["inspect", "people.jsonl", "--target", "sendoso"])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        var problems: [Int: String] = [:]
        for text in inspected.stdout.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            if let line = object?["line"] as? Int, let problem = object?["problem"] as? String {
                problems[line] = problem
            }
        }
        for (line, message) in expected {
            #expect(problems[line] == message, "inspect, line \(line)")
        }

        let run = try runAgainst(
            simulator, tool, file: "people.jsonl", ["--rate", "0", "--concurrency", "16"])
        #expect(run.status == 1, "\(run.stderr)")
        let runRows = Dictionary(
            uniqueKeysWithValues: try reportRows(tool).map { (Int($0["line"] ?? "") ?? 0, $0) })
        for (line, message) in expected {
            let row = runRows[line]
            #expect(row?["status"] == (message == nil ? "invited" : "invalid"), "run, line \(line)")
            if let message { #expect(row?["message"] == message, "run, line \(line)") }
        }
        simulator.stop()
        let sent = Set(try simulator.logEntries().compactMap { $0["key"] as? String })
        for (line, message) in expected {
            let key = validateRows[line]?["key"] ?? ""
            #expect(sent.contains(key) == (message == nil), "run, line \(line): \(key)")
        }
    }

    @Test func aKeyGivenTwiceMakesItsRecordInvalidHoweverItIsWritten() throws {
        // "prénom" (first_name) with é as one character, then as e and a combining accent.
        let composed = "pr\u{E9}nom"
        let decomposed = "pre\u{301}nom"
        let (text, expected) = Self.file([
            // The issue's example: the second address used to be sent.
            (
                { Self.line(email: $0, [("\"email\"", "\"b-\($0)\"")]) },
                "key \"email\" appears twice"
            ),
            (
                { Self.line(email: $0, [(#""em\u0061il""#, "\"b-\($0)\"")]) },
                "key \"email\" appears twice"
            ),
            (
                {
                    "{\"\(composed)\":\"Ada\",\"\(decomposed)\":\"Eve\",\"last_name\":\"L\","
                        + "\"email\":\"\($0)\",\"role\":\"regular\",\"team_group_id\":1}"
                },
                "key \"\(decomposed)\" appears twice (written two ways that are the same text)"
            ),
            // A key the target does not use: the record is as ambiguous to whoever reads it.
            (
                { Self.line(email: $0, [("\"dept\"", "\"sales\""), ("\"dept\"", "\"hr\"")]) },
                "key \"dept\" appears twice"
            ),
            (
                {
                    Self.line(
                        email: $0, [("\"caf\u{E9}\"", "\"x\""), ("\"cafe\u{301}\"", "\"y\"")])
                },
                "key \"cafe\u{301}\" appears twice (written two ways that are the same text)"
            ),
            // The same keys in the same order as the line before: still refused.
            (
                { Self.line(email: $0, [("\"dept\"", "\"it\""), ("\"dept\"", "\"ops\"")]) },
                "key \"dept\" appears twice"
            ),
            // Two keys for one field are a problem of their own, as before.
            (
                { Self.line(email: $0, [("\"Email\"", "\"b-\($0)\"")]) },
                "email: given twice, as \"email\" and \"Email\""
            ),
            // Keys that differ only in case, or keys that are not repeated, are fine.
            ({ Self.line(email: $0, [("\"dept\"", "\"it\""), ("\"Dept\"", "\"ops\"")]) }, nil),
            ({ Self.line(email: $0) }, nil),
        ])
        let tool = try Tool()
        try tool.write("people.jsonl", text)
        // inspect --raw shows the record as it is written, both members.
        let raw = try tool.run(["inspect", "people.jsonl", "--raw"])
        #expect(raw.status == 0)
        #expect(
            raw.stdout.hasPrefix(
                #"{"first_name":"Ada","last_name":"Lovelace","email":"case0-first@example.com","#
                    + #""role":"regular","team_group_id":1234,"email":"b-case0-first@example.com"}"#
                    + "\n"))
        let simulator = try SimulatorProcess(["--token", "secret"])
        try checkEveryCommand(tool, expected, simulator)
    }

    @Test func anUnpairedSurrogateEscapeMakesItsRecordInvalid() throws {
        /// The message for line `line` whose first escape `escape` is where the text breaks.
        func message(_ place: String, _ escape: String) -> (String, Int) -> String {
            { text, line in
                let column =
                    text.utf8.count - text[text.range(of: escape)!.lowerBound...].utf8.count
                return "line \(line): \(place) holds an unpaired surrogate escape (\(escape)) at "
                    + "column \(column + 1)"
            }
        }
        let cases: [((String) -> String, ((String, Int) -> String)?)] = [
            // The issue's example: the name went out with U+FFFD in it.
            (
                { Self.line(email: $0, first: #""Jos\ud800""#) },
                message("the text of key \"first_name\"", #"\ud800"#)
            ),
            (
                { Self.line(email: $0, last: #""L\udc00""#) },
                message("the text of key \"last_name\"", #"\udc00"#)
            ),
            (
                { Self.line(email: $0, first: #""A\ud800\u0041""#) },
                message("the text of key \"first_name\"", #"\ud800"#)
            ),
            (
                { Self.line(email: $0, first: #""A\ude00\ud83d""#) },
                message("the text of key \"first_name\"", #"\ude00"#)
            ),
            (
                { Self.line(email: $0, first: #""A\ud800\ud800""#) },
                message("the text of key \"first_name\"", #"\ud800"#)
            ),
            ({ Self.line(email: $0, [(#""x\ud800""#, "1")]) }, message("a key", #"\ud800"#)),
            (
                { Self.line(email: $0, [("\"notes\"", #"["ok", "\udfff"]"#)]) },
                message("the text of key \"notes\"", #"\udfff"#)
            ),
            // A pair is one character, and stays valid.
            ({ Self.line(email: $0, first: #""Jos\ud83d\ude00""#) }, nil),
        ]
        let (text, places) = Self.file(cases.map { item in (item.0, nil) })
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var expected: [(line: Int, message: String?)] = []
        for (index, place) in places.enumerated() {
            let wording = cases[index % cases.count].1
            expected.append((place.line, wording.map { $0(lines[place.line - 1], place.line) }))
        }
        let tool = try Tool()
        try tool.write("people.jsonl", text)
        // inspect --raw says the same of the line, on standard error, instead of the record.
        let raw = try tool.run(["inspect", "people.jsonl", "--raw"])
        #expect(raw.status == 0)
        for case (_, let message?) in expected {
            #expect(raw.stderr.contains(message + "\n"), "\(message)")
        }
        #expect(!raw.stdout.contains("\u{FFFD}"))
        #expect(raw.stdout.contains("Jos\u{1F600}"))
        let simulator = try SimulatorProcess(["--token", "secret"])
        try checkEveryCommand(tool, expected, simulator)
    }
}
