import Foundation
import Testing

/// Files whose format their name does not tell (JSON Lines saved as `.json`, a JSON array,
/// an object holding the array, a `.txt` with tabs, a `.csv` that is JSON Lines): read as
/// what they hold, the nested members of JSON rows reachable as dotted keys, and every
/// error naming the file and the `--format` to give.
@Suite struct InputFormatTests {
    static let fixtures = Tool.packageRoot.appendingPathComponent(
        "Tests/EndToEndTests/Fixtures/formats")

    /// Copies a fixture into the tool's folder (so messages name it plainly).
    func fixture(_ tool: Tool, _ name: String) throws {
        let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
        try tool.write(name, Array(bytes))
    }

    /// The line of `inspect`'s output (one JSON object a line) for data row `row`.
    func inspected(_ output: String, row: Int) -> [String: Any]? {
        for line in output.split(separator: "\n") {
            guard
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8))
                    as? [String: Any],
                object["row"] as? Int == row
            else { continue }
            return object
        }
        return nil
    }

    static let people = """
        {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "role": "regular", "team_group_id": 7}
        {"first_name": "Alan", "last_name": "Turing", "email": "alan@example", "role": "manager", "team_group_id": 7}

        """

    // MARK: JSON Lines

    @Test func jsonLinesSavedAsJSONAreReadAsJSONLines() throws {
        let tool = try Tool()
        try tool.write("export.json", Self.people)
        let result = try tool.run([
            "validate", "export.json", "--target", "sendoso", "--report", "-",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\n1,1,ada@example.com,valid,"))
        #expect(result.stdout.contains("\n2,2,alan@example,invalid,"))
        #expect(result.stdout.hasSuffix("2 rows: 1 valid, 1 invalid, 0 duplicate\n"))
        let inspect = try tool.run(["inspect", "export.json"])
        #expect(inspect.status == 0)
        #expect(
            inspect.stderr
                == "format: jsonl (by content: one JSON object per line), encoding: utf-8, "
                + "0 blank records skipped\n")
    }

    @Test func aCSVFileHoldingJSONLinesIsReadAsJSONLinesWithANote() throws {
        let tool = try Tool()
        try tool.write("people.csv", Self.people)
        let result = try tool.run(["validate", "people.csv", "--target", "sendoso"])
        #expect(result.status == 1)
        #expect(result.stdout == "2 rows: 1 valid, 1 invalid, 0 duplicate\n")
        #expect(
            result.stderr.hasPrefix(
                "note: people.csv holds one JSON object per line, not CSV: reading it as JSON Lines; "
                    + "give --format csv to read it as CSV\n"))
    }

    // MARK: JSON documents

    @Test func aJSONArrayIsReadElementByElementNumberedFromOne() throws {
        let tool = try Tool()
        try tool.write(
            "people.json",
            """
            [
              {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
               "role": "regular", "team_group_id": 7},
              {
                "first_name": "Alan",
                "last_name": "Turing",
                "email": "alan@example",
                "role": "manager",
                "team_group_id": "7"
              },
              "Grace Hopper"
            ]

            """)
        let result = try tool.run([
            "validate", "people.json", "--target", "sendoso", "--report", "-",
        ])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == 5)
        #expect(lines[1].hasPrefix("1,2,ada@example.com,valid,"))
        #expect(lines[2].hasPrefix("2,4,alan@example,invalid,"))
        #expect(
            lines[3].hasPrefix("3,11,,invalid,,\"line 11: expected a JSON object, found a string\"")
        )
        #expect(lines[4] == "3 rows: 1 valid, 2 invalid, 0 duplicate")
        let inspect = try tool.run(["inspect", "people.json"])
        #expect(
            inspect.stderr
                == "format: json (by content: a JSON array), encoding: utf-8, 0 blank records skipped\n"
        )
    }

    @Test func anArrayUnderAMemberNamedForPeopleIsReadAndNamed() throws {
        let tool = try Tool()
        try fixture(tool, "keycloak_realm_import.json")
        let result = try tool.run([
            "inspect", "keycloak_realm_import.json", "--target", "sendoso", "--role", "regular",
            "--team-group-id", "1",
        ])
        #expect(result.status == 0)
        let alice = try #require(inspected(result.stdout, row: 1))
        #expect(alice["line"] as? Int == 8)
        #expect(alice["first_name"] as? String == "Alice")
        #expect(alice["last_name"] as? String == "Liddel")
        #expect(alice["email"] as? String == "alice@keycloak.org")
        #expect(result.stdout.split(separator: "\n").count == 4)
        #expect(
            result.stderr.hasPrefix(
                "note: keycloak_realm_import.json is one JSON object: reading the people in its "
                    + "member \"users\" (--json-array reads another)\n"))
        #expect(
            result.stderr.hasSuffix(
                "format: json (by content: one JSON object), the array \"users\", encoding: utf-8, "
                    + "0 blank records skipped\n"))
        // Firebase writes it on one line, with no line end: every row is on line 1.
        try fixture(tool, "firebase_auth_export_accounts.json")
        let firebase = try tool.run([
            "inspect", "firebase_auth_export_accounts.json", "--target", "cyberark-sms",
            "--map", "email=ID",
        ])
        #expect(inspected(firebase.stdout, row: 3)?["line"] as? Int == 1)
    }

    /// Each fixture's known row (the corpus's, checked by hand), read with no --format. The
    /// files without names are read for cyberark-sms with their e-mail as the ID: sendoso
    /// would stop for want of first and last names.
    @Test(
        arguments: [
            (
                "keycloak_realm_import.json", ["--role", "regular", "--team-group-id", "1"], 1,
                ["first_name": "Alice", "last_name": "Liddel", "email": "alice@keycloak.org"]
            ),
            (
                // Its team_id is Slack's workspace ID, no Sendoso team: left unread.
                "slack_export_users.json",
                ["--role", "regular", "--map", "team_id=-", "--team-group-id", "1"], 2,
                [
                    "first_name": "Harper", "last_name": "Farrow",
                    "email": "ava.penrose1@example.org",
                ]
            ),
            (
                "auth0_users_export.json", ["--target", "cyberark-sms", "--map", "email=ID"], 1,
                ["ID": "email@qq.com"]
            ),
            (
                "auth0_users_import.json", ["--target", "cyberark-sms", "--map", "email=ID"], 2,
                ["ID": "noah_penrose2@example.net"]
            ),
            (
                "firebase_auth_export_accounts.json",
                ["--target", "cyberark-sms", "--map", "email=ID"], 2,
                ["ID": "admin@test.com"]
            ),
            (
                "firebase_auth_export_accounts_library.json",
                ["--target", "cyberark-sms", "--map", "providerUserInfo.0.email=ID"], 1,
                ["ID": "admin@bsclibrary.net"]
            ),
        ] as [(String, [String], Int, [String: String])])
    func aFixturesKnownRowIsReadRight(
        file: String, options: [String], row: Int, values: [String: String]
    ) throws {
        let tool = try Tool()
        try fixture(tool, file)
        let result = try tool.run(["inspect", file] + options)
        #expect(result.status == 0, "\(result.stderr)")
        let found = try #require(inspected(result.stdout, row: row))
        for (field, value) in values {
            #expect(found[field] as? String == value, "\(file) row \(row) \(field)")
        }
    }

    @Test func aRunsJournalKeepsTheFormatDecidedSoTheInputIsReadAgainTheSameWay() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write(
            "people.json",
            "[\n"
                + (1...3).map {
                    "  {\"First Name\": \"A\", \"Last Name\": \"B\", \"Email\": \"p\($0)@example.com\"}"
                }.joined(separator: ",\n") + "\n]\n")
        let run = try runAgainst(
            simulator, tool, file: "people.json", ["--role", "regular", "--team-group-id", "1"])
        #expect(run.status == 0)
        #expect(try tool.read("report.csv.journal").contains("\"input_format\":\"json\""))
        let again = try tool.run([
            "report", "--journal", "report.csv.journal", "--report", "again.csv",
        ])
        #expect(again.status == 0)
        #expect(try tool.read("again.csv") == tool.read("report.csv"))
    }

    @Test func severalArraysNoneNamedForPeopleStopWithTheChoicesThatWork() throws {
        let tool = try Tool()
        try tool.write(
            "directory.json",
            """
            {"groups": [{"ID": "b2f0c5a8-3f4e-4d1a-9c3b-1e2f3a4b5c6d"}],
             "admins": [{"ID": "0b6f3a52-8d5e-4c1b-a7f9-2e4d6c8a0b1c"}, {"ID": "x"}]}
            """)
        let result = try tool.run(["validate", "directory.json", "--target", "cyberark-sms"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: directory.json is one JSON object with several arrays of "
                + "objects, none named like a list of people: \"groups\" (1 object), \"admins\" (2 objects); "
                + "give --json-array \"groups\" or --json-array \"admins\" to read one\n")
        let chosen = try tool.runShell(
            "'\(Tool.binary.path)' validate directory.json --target cyberark-sms --report - "
                + "--json-array \"admins\"")
        #expect(chosen.status == 1)
        #expect(chosen.stdout.hasSuffix("2 rows: 1 valid, 1 invalid, 0 duplicate\n"))
        // The only array of objects is read, whatever its name, in a second pass.
        try tool.write(
            "one.json",
            "{\"total\": 1, \"admins\": [{\"ID\": \"0b6f3a52-8d5e-4c1b-a7f9-2e4d6c8a0b1c\"}]}")
        let one = try tool.run(["validate", "one.json", "--target", "cyberark-sms"])
        #expect(one.status == 0)
        #expect(
            one.stderr.hasPrefix(
                "note: one.json is one JSON object: reading the people in its member \"admins\", "
                    + "its only array of objects\n"))
    }

    // MARK: Nested keys

    @Test func nestedMembersAreDottedKeysAndTheirLastPartMatchesAField() throws {
        let tool = try Tool()
        try fixture(tool, "slack_export_users.json")
        let result = try tool.run([
            "inspect", "slack_export_users.json", "--target", "sendoso", "--role", "regular",
            "--map", "team_id=-", "--team-group-id", "1",
        ])
        #expect(result.status == 0)
        let row = try #require(inspected(result.stdout, row: 2))
        #expect(row["first_name"] as? String == "Harper")
        #expect(row["last_name"] as? String == "Farrow")
        #expect(row["email"] as? String == "ava.penrose1@example.org")
        #expect(row["line"] as? Int == 58)
        // Keys inside arrays only by a --map: an array holds several values.
        try tool.write(
            "accounts.json",
            """
            {"users": [{"localId": "x1", "providerUserInfo": [{"providerId": "password", "email": "ada@example.com"}]}]}
            """)
        let arguments = ["accounts.json", "--target", "cyberark-sms"]
        let unmapped = try tool.run(["inspect"] + arguments)
        #expect(unmapped.status == 2)
        #expect(unmapped.stderr.contains("missing required key ID for cyberark-sms"))
        let mapped = try tool.run(
            ["inspect"] + arguments + ["--map", "providerUserInfo.0.email=ID"])
        #expect(mapped.status == 0)
        #expect(inspected(mapped.stdout, row: 1)?["ID"] as? String == "ada@example.com")
    }

    @Test func twoNestedKeysForOneFieldStopWithTheMapForEach() throws {
        let tool = try Tool()
        try tool.write(
            "people.jsonl",
            """
            {"id": 1, "office": {"email": "ada@office.example"}, "home": {"email": "ada@home.example"}, "name": {"first": "Ada", "last": "Lovelace"}}

            """)
        let arguments = "validate people.jsonl --target sendoso --role regular --team-group-id 1"
        let result = try tool.runShell("'\(Tool.binary.path)' \(arguments)")
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: people.jsonl: keys #3 \"office.email\" and #5 \"home.email\" both "
                + "look like email; choose one with --map \"office.email=email\" or --map \"home.email=email\"\n"
        )
        let advice = try #require(result.stderr.range(of: "--map \"home.email=email\""))
        let fixed = try tool.runShell(
            "'\(Tool.binary.path)' \(arguments) --report - \(result.stderr[advice])")
        #expect(fixed.status == 0)
        #expect(fixed.stdout.contains("\n1,1,ada@home.example,valid,"))
    }

    // MARK: Text

    @Test func aTextFileWhoseHeaderHasTabsIsTabSeparated() throws {
        let tool = try Tool()
        try tool.write(
            "staff.txt",
            "Last name (as in passport, with accents)\tFirst name (as in passport, with accents)\t"
                + "E-mail\r\n"
                + "Lovelace\tAda\tada@example.com\r\n")
        let result = try tool.run([
            "validate", "staff.txt", "--target", "sendoso", "--role", "regular", "--team-group-id",
            "1",
        ])
        #expect(result.status == 0)
        #expect(result.stdout == "1 row: 1 valid, 0 invalid, 0 duplicate\n")
        let inspect = try tool.run(["inspect", "staff.txt", "--raw"])
        #expect(
            inspect.stdout.hasPrefix(
                "[\"Last name (as in passport, with accents)\",\"First name (as in passport, with "
                    + "accents)\",\"E-mail\"]\n"))
        #expect(
            inspect.stderr
                == "format: csv (by content: a header line with tabs), encoding: utf-8, delimiter: tab, "
                + "0 blank records skipped\n")
    }

    // MARK: Errors

    @Test func anErrorNamesTheFileAndTheFormatItsContentLooksLike() throws {
        let tool = try Tool()
        try tool.write("people.json", Self.people)
        let result = try tool.run([
            "validate", "people.json", "--target", "sendoso", "--format", "csv",
        ])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: people.json: line 1: a quote inside an unquoted field (quote "
                + "the whole field and double the quote: \"a \"\"b\"\" c\"); the file looks like JSON "
                + "Lines (one JSON object per line): give --format jsonl\n")
        let fixed = try tool.run([
            "validate", "people.json", "--target", "sendoso", "--format", "jsonl",
        ])
        #expect(fixed.status == 1)
        #expect(fixed.stdout == "2 rows: 1 valid, 1 invalid, 0 duplicate\n")
    }

    @Test func aBrokenJSONDocumentStopsWithItsNameLineAndColumn() throws {
        let tool = try Tool()
        try tool.write(
            "people.json",
            "[\n  {\"ID\": \"0b6f3a52-8d5e-4c1b-a7f9-2e4d6c8a0b1c\"}\n  {\"ID\": \"x\"}\n]\n")
        let result = try tool.run(["validate", "people.json", "--target", "cyberark-sms"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: people.json: line 3, column 3: expected ',' or ']' after an "
                + "array element, found '{'\n")
    }
}
