import Foundation
import Testing

/// A header match is a proposal; the values decide (README, "Files from other tools"):
/// columns whose values are something else stop the command before any row is read, with
/// one command line that works as printed; whole names are split; `--where` leaves rows
/// out; rows shorter than the header have empty trailing cells.
@Suite struct ColumnJudgmentTests {
    /// The command line the advice offers ("run: batch-invite ..."), as arguments.
    static func advisedArguments(_ stderr: String) -> [String]? {
        guard let start = stderr.range(of: "run: batch-invite ") else { return nil }
        var line = String(stderr[start.upperBound...].prefix { $0 != "\n" })
        if let alternatives = line.range(of: " (or: ") {
            line = String(line[..<alternatives.lowerBound])
        }
        return shellWords(line)
    }

    /// Splits a command line as a POSIX shell would (double quotes with backslash escapes).
    static func shellWords(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quoted = false
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                inWord = true
            } else if character == " " && !quoted {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// `inspect`'s rows as dictionaries.
    static func inspected(_ tool: Tool, _ arguments: [String]) throws -> [[String: Any]] {
        let result = try tool.run(["inspect"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try result.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test func aColumnNamedLikeAFieldWhoseValuesAreSomethingElseStopsWithAdviceThatWorks()
        throws
    {
        let tool = try Tool()
        var csv = "First Name,Last Name,Email,Role,Team ID\n"
        let titles = [
            "Chief Executive Officer", "Sales Manager", "Software Engineer", "Accountant",
            "Head of People", "Designer", "Data Analyst", "Office Manager", "Recruiter", "CTO",
        ]
        for (index, title) in titles.enumerated() {
            csv += "Person,N\(index),p\(index)@example.com,\(title),1234\n"
        }
        try tool.write("people.csv", csv)
        let first = try tool.run(["validate", "people.csv", "--target", "sendoso"])
        #expect(first.status == 2)
        #expect(
            first.stderr.contains(
                "column #4 \"Role\" holds job titles (\"Chief Executive Officer\", \"Sales Manager\", \"Software Engineer\", ...), not a sendoso role (regular or manager)"
            ), "\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tool.path("people.report.csv")))
        // --role alone only fills empty cells: still stopped.
        let withRole = try tool.run([
            "validate", "people.csv", "--target", "sendoso", "--role", "regular",
        ])
        #expect(withRole.status == 2)
        let advised = try #require(Self.advisedArguments(first.stderr))
        #expect(
            advised == [
                "validate", "people.csv", "--target", "sendoso", "--map", "Role=-", "--role",
                "regular",
            ])
        let followed = try tool.run(advised)
        #expect(followed.status == 0, "\(followed.stderr)")
        #expect(followed.stdout == "10 rows: 10 valid, 0 invalid, 0 duplicate\n")
        let rows = try Self.inspected(tool, Array(advised.dropFirst()))
        #expect(rows.allSatisfy { $0["role"] as? String == "regular" })
    }

    @Test func everyColumnInQuestionIsNamedAndOneCommandLineFixesThemAll() throws {
        let tool = try Tool()
        // A German sheet: "Rolle" holds jobs, "Team" team names, the e-mail is "Kontakt".
        var csv = "Vorname;Nachname;Kontakt;Rolle;Team\n"
        for index in 0..<8 {
            csv += "Anna;Schmidt\(index);anna\(index)@example.de;Buchhalterin;Vertrieb Nord\n"
        }
        try tool.write("team.csv", csv)
        let first = try tool.run(["validate", "team.csv", "--target", "sendoso"])
        #expect(first.status == 2)
        #expect(first.stderr.contains("\"Rolle\" holds job titles"))
        #expect(first.stderr.contains("\"Team\" holds names of teams or groups"))
        #expect(first.stderr.contains("missing required column email"))
        let advised = try #require(Self.advisedArguments(first.stderr))
        #expect(
            advised == [
                "validate", "team.csv", "--target", "sendoso", "--map", "Rolle=-", "--map",
                "Team=-",
                "--map", "Kontakt=email", "--role", "regular", "--team-group-id", "TEAM_ID",
            ])
        // TEAM_ID is the user's to give (the tool cannot know it); with it, the line works.
        let followed = try tool.run(advised.map { $0 == "TEAM_ID" ? "42" : $0 })
        #expect(followed.status == 0, "\(followed.stderr)")
    }

    @Test func aFewBadValuesOrAOneRowFileStayInvalidRows() throws {
        let tool = try Tool()
        var csv = "First Name,Last Name,Email,Role,Team ID\n"
        for index in 0..<10 {
            csv +=
                "A,B\(index),a\(index)@example.com,\(index < 3 ? "Sales Manager" : "manager"),7\n"
        }
        try tool.write("few.csv", csv)
        let few = try tool.run(["validate", "few.csv", "--target", "sendoso"])
        #expect(few.status == 1)
        #expect(few.stdout == "10 rows: 7 valid, 3 invalid, 0 duplicate\n")
        try tool.write("one.csv", "First Name,Last Name,Email,Role,Team ID\nA,B,a@x.io,CEO,7\n")
        let one = try tool.run(["validate", "one.csv", "--target", "sendoso"])
        #expect(one.status == 1)
        #expect(
            try tool.read("one.report.csv").contains("role: \"\"CEO\"\" must be regular or manager")
        )
    }

    @Test func aMappedColumnIsObeyedWithAWarningAndLastNamesAreNeverJudgedByTheirWords() throws {
        let tool = try Tool()
        var csv = "Given,Family,Mail,Job,Team\n"
        let families = [
            "van der Berg", "García López", "de la Cruz", "Nguyễn Văn", "ter Horst", "Lee",
        ]
        for (index, family) in families.enumerated() {
            csv += "Ana,\(family),ana\(index)@example.com,Sales Manager,9\n"
        }
        try tool.write("mapped.csv", csv)
        let result = try tool.run([
            "validate", "mapped.csv", "--target", "sendoso", "--map", "Given=first_name", "--map",
            "Family=last_name", "--map", "Job=role",
        ])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "warning: column \"Job\" given for role by --map: 6 of its first 6 values will not do"
            ))
        let report = try tool.read("mapped.report.csv")
        #expect(!report.contains("last_name"))
        #expect(report.components(separatedBy: "role: ").count == 7)
    }

    @Test func aFirstNameColumnOfWholeNamesIsAFullNameAndItsMapSplitsThem() throws {
        let tool = try Tool()
        // A Brazilian sheet: "Nome" holds whole names.
        var csv = "Nome;E-mail;Empresa\n"
        let names = [
            "Atila Xavier", "Bruno Costa", "Carla Dias", "Diego Souza", "Eva Lima", "Fábio Rocha",
        ]
        for (index, name) in names.enumerated() {
            csv += "\(name);p\(index)@example.com.br;Acme\n"
        }
        try tool.write("contatos.csv", csv)
        let first = try tool.run(["validate", "contatos.csv", "--target", "sendoso"])
        #expect(first.status == 2)
        #expect(
            first.stderr.contains(
                "column #1 \"Nome\" holds full names (\"Atila Xavier\", \"Bruno Costa\", \"Carla Dias\", ...)"
            ), "\(first.stderr)")
        let advised = try #require(Self.advisedArguments(first.stderr))
        #expect(advised.contains("Nome=full_name"))
        let rows = try Self.inspected(
            tool,
            Array(advised.dropFirst()).map { $0 == "TEAM_ID" ? "5" : $0 })
        let row = try #require(rows.first)
        #expect(row["first_name"] as? String == "Atila")
        #expect(row["last_name"] as? String == "Xavier")
    }

    @Test func aFullNameColumnIsOfferedWhenNoNameColumnIsThere() throws {
        let tool = try Tool()
        var csv = "Name,Email Address,Member ID\n"
        for index in 0..<6 { csv += "Apurv Gupta\(index),apurv\(index)@example.com,U0\(index)\n" }
        try tool.write("members.csv", csv)
        let first = try tool.run(["validate", "members.csv", "--target", "sendoso"])
        #expect(first.status == 2)
        let advised = try #require(Self.advisedArguments(first.stderr))
        #expect(advised.contains("Name=full_name"), "\(first.stderr)")
    }

    @Test(arguments: [
        ("Ada Lovelace", "Ada", "Lovelace", ""),
        ("Ada King Lovelace", "Ada King", "Lovelace", ""),
        ("Lovelace, Ada", "Ada", "Lovelace", ""),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven", ""),
        ("Maria de la Cruz", "Maria", "de la Cruz", ""),
        ("Martin Luther King, Jr.", "Martin Luther", "King, Jr.", ""),
        ("Зарипов Дамир Ришатович", "Дамир", "Зарипов", ""),
        ("박효식", "", "", "full name \"박효식\" cannot be split"),
        ("  Grace   Hopper ", "Grace", "Hopper", ""),
        ("Cher", "", "", "full name \"Cher\" has no last name"),
        ("山田太郎", "", "", "full name \"山田太郎\" cannot be split"),
    ])
    func aFullNameIsSplitTheWayNamesAreWritten(
        name: String, first: String, last: String, problem: String
    ) throws {
        let tool = try Tool()
        try tool.write("n.csv", "Name,Email\n\"\(name)\",x@example.com\n")
        let rows = try Self.inspected(
            tool, ["n.csv", "--map", "Name=full_name", "--role", "regular", "--team-group-id", "1"])
        let row = try #require(rows.first)
        if problem.isEmpty {
            #expect(row["first_name"] as? String == first)
            #expect(row["last_name"] as? String == last)
            #expect(row["problem"] == nil)
        } else {
            #expect((row["problem"] as? String)?.hasPrefix(problem) == true, "\(rows)")
        }
    }

    @Test func aColumnMappedToADashIsNotRead() throws {
        let tool = try Tool()
        try tool.write(
            "x.csv", "First Name,Last Name,Email,Role,Team ID\nA,B,a@x.io,Boss,3\n")
        let rows = try Self.inspected(
            tool, ["x.csv", "--map", "Role=-", "--role", "manager"])
        #expect(try #require(rows.first)["role"] as? String == "manager")
        // An unknown field names the dash and full_name among the choices.
        let wrong = try tool.run(["validate", "x.csv", "--target", "sendoso", "--map", "Role=job"])
        #expect(
            wrong.status == 2
                && wrong.stderr.contains("or full_name; or - to leave the column unread"))
    }

    @Test func rowsShorterThanTheHeaderHaveEmptyTrailingCells() throws {
        let tool = try Tool()
        // An Outlook export leaves the empty cells at the end of a row off.
        let header =
            ["First Name", "Last Name", "E-mail Address", "Role", "Team ID"]
            + (1...87).map { "Extra \($0)" }
        var csv = header.joined(separator: ",") + "\r\n"
        csv +=
            "Ada,Lovelace,ada@example.com,regular,12" + String(repeating: ",", count: 84) + "\r\n"
        csv += "Bob,Smith,bob@example.com" + "\r\n"
        try tool.write("outlook.csv", csv)
        let result = try tool.run(["validate", "outlook.csv", "--target", "sendoso"])
        #expect(result.stdout == "2 rows: 1 valid, 1 invalid, 0 duplicate\n")
        let report = try tool.read("outlook.report.csv")
        #expect(
            report.contains(
                "2,3,bob@example.com,invalid,,\"role: is empty, it must be regular or manager; team_group_id: is empty\""
            ))
        // More non-empty cells than the header is still invalid.
        try tool.write("long.csv", "a,b\n1,2,3\n")
        let long = try tool.run([
            "inspect", "long.csv", "--target", "cyberark-sms", "--map", "a=ID",
        ])
        #expect(long.stdout.contains("\"problem\":\"row has 3 fields, the header has 2\""))
    }

    @Test func whereLeavesRowsOutAsSkippedNeverSentAndDoneForTheExitCode() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try tool.write(
            "members.csv",
            """
            First Name,Last Name,Email,Role,Team ID,Status,Bot
            Ann,A,ann@example.com,regular,1,active,no
            Bob,B,bob@example.com,regular,1,deactivated,no
            Cy,C,cy@example.com,regular,1,active,yes
            Dee,D,bob@example.com,regular,1, ACTIVE ,no
            Eve,E,eve@example.com,regular,1,invited,no

            """)
        let arguments = [
            "--where", "Status=active,invited", "--where", "Bot!=yes",
        ]
        let validated = try tool.run(
            ["validate", "members.csv", "--target", "sendoso"] + arguments)
        #expect(validated.status == 0, "\(validated.stderr)")
        #expect(
            validated.stdout == "5 rows: 3 valid, 0 invalid, 0 duplicate, 2 skipped (--where)\n")
        let run = try runAgainst(simulator, tool, file: "members.csv", arguments + ["--rate", "0"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try reportRows(tool)
        #expect(
            rows.map { $0["status"] } == ["invited", "skipped", "skipped", "invited", "invited"])
        #expect(
            rows[1]["message"]
                == "skipped: Status is \"deactivated\" (--where \"Status=active,invited\")")
        #expect(rows[2]["message"] == "skipped: Bot is \"yes\" (--where \"Bot!=yes\")")
        simulator.stop()
        // Row 4 shares row 2's address, but row 2 was left out: row 4 is no duplicate.
        let sent = try simulator.logEntries().compactMap { $0["key"] as? String }.sorted()
        #expect(sent == ["ann@example.com", "bob@example.com", "eve@example.com"])
        let summary = try tool.run(["status", "--journal", "report.csv.journal"])
        #expect(summary.status == 0 && summary.stdout.contains("2 skipped"))
        // Another --where is another run: its journal is refused.
        let simulator2 = try SimulatorProcess(["--token", "secret"])
        let other = try runAgainst(
            simulator2, tool, file: "members.csv", ["--where", "Status=active"])
        #expect(other.status == 2 && other.stderr.contains("--where \"Status=active,invited\""))
        // A --where that names no column stops before anything is read.
        let wrong = try tool.run([
            "validate", "members.csv", "--target", "sendoso", "--where", "Stat=active",
        ])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("--where \"Stat=active\": no column is named \"Stat\""))
    }

    @Test func whereReadsJSONBooleansAndKeys() throws {
        let tool = try Tool()
        try tool.write(
            "users.jsonl",
            """
            {"first_name":"Ann","last_name":"A","email":"ann@example.com","deleted":false,"is_bot":false}
            {"first_name":"Bot","last_name":"B","email":"bot@example.com","deleted":false,"is_bot":true}
            {"first_name":"Cy","last_name":"C","email":"cy@example.com","deleted":true,"is_bot":false}

            """)
        let result = try tool.run([
            "validate", "users.jsonl", "--target", "sendoso", "--role", "regular",
            "--team-group-id", "1", "--where", "is_bot!=true", "--where", "deleted=false",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "3 rows: 1 valid, 0 invalid, 0 duplicate, 2 skipped (--where)\n")
    }
}
