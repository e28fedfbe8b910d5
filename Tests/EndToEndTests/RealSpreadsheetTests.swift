import Foundation
import Testing

/// The files admins really have (Fixtures/spreadsheets, and larger ones made here): read
/// right, or refused with advice that works when followed. Advice is followed as printed:
/// the text is cut from the message and handed to /bin/sh.
@Suite struct RealSpreadsheetTests {
    static let fixtures = Tool.packageRoot.appendingPathComponent(
        "Tests/EndToEndTests/Fixtures/spreadsheets")

    /// Copies a fixture into the tool's folder (so messages name it plainly).
    @discardableResult
    func fixture(_ tool: Tool, _ name: String) throws -> String {
        let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
        return try tool.write(name, Array(bytes))
    }

    /// The last text in `message` matching `pattern` (advice ends a message); records an
    /// issue when none does.
    func advice(_ pattern: String, in message: String) throws -> String {
        guard let match = message.matches(of: try Regex(pattern)).last else {
            Issue.record("no advice matching \(pattern) in: \(message)")
            return ""
        }
        return String(message[match.range])
    }

    /// Runs `batch-invite ARGUMENTS ADVICE` through the shell, the advice as printed.
    func follow(_ tool: Tool, _ arguments: String, _ advice: String) throws -> ToolResult {
        try tool.runShell("'\(Tool.binary.path)' \(arguments) \(advice)")
    }

    /// Runs the command line an error printed ("to read it so, run: batch-invite ...")
    /// through the shell as printed, its placeholders replaced and `then` added.
    func followPrinted(
        _ tool: Tool, _ message: String, _ placeholders: [String: String] = [:], then: String = ""
    ) throws -> ToolResult {
        guard let start = message.range(of: "to read it so, run: batch-invite ") else {
            Issue.record("no command line in: \(message)")
            return ToolResult(status: -1, stdout: "", stderr: "")
        }
        var line = String(message[start.upperBound...].prefix { $0 != "\n" })
        if let alternatives = line.range(of: " (or: ") {
            line = String(line[..<alternatives.lowerBound])
        }
        for (placeholder, value) in placeholders {
            line = line.replacingOccurrences(of: placeholder, with: value)
        }
        return try tool.runShell("'\(Tool.binary.path)' \(line) \(then)")
    }

    // MARK: --map

    @Test func aMapNamingNoColumnStopsWithTheHeadersFoundAndANearMatchThatWorks() throws {
        let tool = try Tool()
        try fixture(tool, "typo-map.csv")
        let typo = try tool.run([
            "validate", "typo-map.csv", "--target", "sendoso", "--map", "Emial_alt=email",
        ])
        #expect(typo.status == 2)
        #expect(
            typo.stderr
                == "batch-invite validate: --map \"Emial_alt=email\": no column is named so; the columns are: "
                + "#1 \"First Name\", #2 \"Last Name\", #3 \"Email\", #4 \"Email_alt\", #5 \"Role\", #6 \"Team\"; "
                + "did you mean \"Email_alt\"? (--map \"Email_alt=email\")\n")
        #expect(!FileManager.default.fileExists(atPath: tool.path("typo-map.report.csv")))
        let fixed = try follow(
            tool, "validate typo-map.csv --target sendoso --report -",
            try advice(#"--map "[^"]*""#, in: typo.stderr))
        #expect(fixed.status == 0)
        #expect(fixed.stdout.contains("\n1,2,ada@new.example,valid,"))
        #expect(fixed.stdout.contains("\n2,3,alan@new.example,valid,"))
    }

    @Test func aMapNamingNoJSONKeyStopsToo() throws {
        let tool = try Tool()
        try fixture(tool, "foreign-de.jsonl")
        let result = try tool.run([
            "validate", "foreign-de.jsonl", "--target", "sendoso", "--map", "Mail=email",
        ])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: --map \"Mail=email\": no key is named so; the keys are: "
                + "#1 \"Vorname\", #2 \"Nachname\", #3 \"E-Mail\", #4 \"Rolle\", #5 \"Team\"; "
                + "did you mean \"E-Mail\"? (--map \"E-Mail=email\")\n")
    }

    @Test func repeatedHeadersAreChosenByPositionAsTheAdviceSays() throws {
        let tool = try Tool()
        try fixture(tool, "repeated-headers.csv")
        let first = try tool.run(["validate", "repeated-headers.csv", "--target", "sendoso"])
        #expect(first.status == 2)
        #expect(
            first.stderr
                == "batch-invite validate: repeated-headers.csv: columns #3 \"email\" and #5 \"email\" both look like email; "
                + "choose one with --map \"#3=email\" or --map \"#5=email\"\n")
        let home = try follow(
            tool, "validate repeated-headers.csv --target sendoso --report -",
            try advice(##"--map "#5=email""##, in: first.stderr))
        #expect(home.status == 1)
        #expect(home.stdout.contains("\n1,2,ada.l@home.example,valid,"))
        #expect(home.stdout.hasSuffix("3 rows: 2 valid, 1 invalid, 0 duplicate\n"))
        // By name, the advice is the position.
        let byName = try tool.run([
            "validate", "repeated-headers.csv", "--target", "sendoso", "--map", "email=email",
        ])
        #expect(byName.status == 2)
        #expect(
            byName.stderr
                == "batch-invite validate: --map \"email=email\": 2 columns are named so (#3, #5); "
                + "name one by its position: --map \"#3=email\"\n")
        let work = try follow(
            tool, "validate repeated-headers.csv --target sendoso --report -",
            try advice(##"--map "#3=email""##, in: byName.stderr))
        #expect(work.status == 0)
        #expect(work.stdout.contains("\n1,2,ada@work.example,valid,"))
    }

    // MARK: Headers from other tools and languages

    @Test func anEntraTemplateIsReadAfterItsVersionLineWithTheFilesOwnLineNumbers() throws {
        let tool = try Tool()
        try fixture(tool, "entra-bulk-create.csv")
        let first = try tool.run(["validate", "entra-bulk-create.csv", "--target", "sendoso"])
        #expect(first.status == 2)
        let lines = first.stderr.split(separator: "\n")
        #expect(
            String(lines.first ?? "")
                == "note: entra-bulk-create.csv: skipping line 1 \"version:v1.0,,,,,,,\", the version line of a "
                + "Microsoft Entra template (--skip-lines 0 reads it as the header)")
        let expected = [
            "batch-invite validate: entra-bulk-create.csv: missing required columns email, role, ",
            "team_group_id for sendoso; the columns are: #1 \"Name [displayName] Required\", ",
            "#2 \"User name [userPrincipalName] Required\", ",
            "#3 \"Initial password [passwordProfile] Required\", ",
            "#4 \"Block sign in (Yes/No) [accountEnabled] Required\", #5 \"First name [givenName]\", ",
            "#6 \"Last name [surname]\", #7 \"Job title [jobTitle]\", #8 \"Department [department]\"; ",
            "sendoso needs: first_name, last_name, email, role, team_group_id; to read it so, run: ",
            "batch-invite validate entra-bulk-create.csv --target sendoso ",
            "--map \"User name [userPrincipalName] Required=email\" --role regular ",
            "--team-group-id TEAM_ID (or: --role manager instead of --role regular; ",
            "replace TEAM_ID with the team_group_id every row is to get)",
        ].joined()
        #expect(lines.last.map(String.init) == expected)
        let fixed = try followPrinted(tool, first.stderr, ["TEAM_ID": "7"], then: "--report -")
        #expect(fixed.status == 0)
        #expect(
            fixed.stdout == """
                row,line,key,status,http_status,message,invitation_status,expires_at,attempts
                1,3,chris.green@contoso.com,valid,,,,,
                2,4,ada.lovelace@contoso.com,valid,,,,,
                3,5,zoe.unal@contoso.com,valid,,,,,
                4,6,grace.hopper@contoso.com,valid,,,,,
                4 rows: 4 valid, 0 invalid, 0 duplicate

                """)
        // Either part of an annotated header names it.
        let bracket = try tool.run([
            "validate", "entra-bulk-create.csv", "--target", "sendoso", "--map",
            "userPrincipalName=email", "--role", "regular", "--team-group-id", "7",
        ])
        #expect(bracket.status == 0)
        // Read as the header, the version line gets advice that leads back.
        let asHeader = try tool.run([
            "validate", "entra-bulk-create.csv", "--target", "sendoso", "--skip-lines", "0",
        ])
        #expect(asHeader.status == 2)
        #expect(
            asHeader.stderr.hasSuffix(
                "line 2 looks like the header: give --skip-lines 1 to skip the line before it\n"))
        #expect(!asHeader.stderr.contains("--delimiter"))
    }

    @Test func headersInOtherLanguagesMatchWithoutOptions() throws {
        let tool = try Tool()
        for name in ["foreign-fr.csv", "foreign-es.csv", "foreign-de.jsonl"] {
            try fixture(tool, name)
            let result = try tool.run(["validate", name, "--target", "sendoso", "--report", "-"])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(result.stdout.hasSuffix("2 rows: 2 valid, 0 invalid, 0 duplicate\n"), "\(name)")
            #expect(!result.stderr.contains("UTF-8"), "\(name): \(result.stderr)")
        }
        let inspect = try tool.run(["inspect", "foreign-es.csv", "--target", "sendoso"])
        #expect(inspect.stdout.contains(#""first_name":"José","last_name":"Núñez""#))
    }

    @Test func aFrenchFileWithoutAnEmailColumnIsNotOfferedUserNameAsASurname() throws {
        let tool = try Tool()
        try fixture(tool, "foreign-fr-username.csv")
        let result = try tool.run([
            "validate", "foreign-fr-username.csv", "--target", "sendoso", "--role", "regular",
            "--team-group-id", "2",
        ])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: foreign-fr-username.csv: missing required column email for sendoso; "
                + "the columns are: #1 \"Nom\", #2 \"Prénom\", #3 \"Poste\", #4 \"UserName\", #5 \"Service\"; "
                + "sendoso needs: first_name, last_name, email, role, team_group_id; no column seems to "
                + "hold email: add it to the file, or name the column that holds it with a --map\n")
    }

    @Test func aColumnHeadedByANumberIsNeverOfferedButAColumnOfUUIDsIs() throws {
        let tool = try Tool()
        try fixture(tool, "cyberark-numbered.csv")
        let numbered = try tool.run([
            "validate", "cyberark-numbered.csv", "--target", "cyberark-sms",
        ])
        #expect(numbered.status == 2)
        #expect(
            numbered.stderr
                == "batch-invite validate: cyberark-numbered.csv: missing required column ID for cyberark-sms; "
                + "the columns are: #1 \"0\", #2 \"Display Name\", #3 \"Mobile\"; cyberark-sms needs: ID; "
                + "no column seems to hold ID: add it to the file, or name the column that holds it with a "
                + "--map\n"
        )
        try fixture(tool, "cyberark-unnamed.csv")
        let unnamed = try tool.run(["validate", "cyberark-unnamed.csv", "--target", "cyberark-sms"])
        #expect(unnamed.status == 2)
        #expect(
            unnamed.stderr.hasSuffix(
                "; to read it so, run: batch-invite validate cyberark-unnamed.csv --target cyberark-sms --map \"#1=ID\"\n"
            ))
        let fixed = try followPrinted(tool, unnamed.stderr, then: "--report -")
        #expect(fixed.status == 0)
        #expect(fixed.stdout.hasSuffix("3 rows: 3 valid, 0 invalid, 0 duplicate\n"))
    }

    // MARK: Preambles and delimiters

    @Test func aTitleBeforeTheHeaderGetsSkipLinesAdviceThatWorks() throws {
        let tool = try Tool()
        try fixture(tool, "preamble-report.csv")
        let first = try tool.run(["validate", "preamble-report.csv", "--target", "sendoso"])
        #expect(first.status == 2)
        #expect(
            first.stderr
                == "batch-invite validate: preamble-report.csv: missing required columns first_name, last_name, "
                + "email, role, team_group_id for sendoso; the columns are: #1 \"Employee export\"; sendoso needs: "
                + "first_name, last_name, email, role, team_group_id; line 4 looks like the header: give "
                + "--skip-lines 3 to skip the 3 lines before it\n")
        let fixed = try follow(
            tool, "validate preamble-report.csv --target sendoso --report -",
            try advice("--skip-lines [0-9]+", in: first.stderr))
        #expect(fixed.status == 0)
        #expect(
            fixed.stdout == """
                row,line,key,status,http_status,message,invitation_status,expires_at,attempts
                1,5,ada@example.com,valid,,,,,
                2,6,alan@example.com,valid,,,,,
                2 rows: 2 valid, 0 invalid, 0 duplicate

                """)
    }

    @Test func aColonSeparatedFileGetsDelimiterAdviceThatWorks() throws {
        let tool = try Tool()
        try fixture(tool, "colon-separated.txt")
        let first = try tool.run(["validate", "colon-separated.txt", "--target", "sendoso"])
        #expect(first.status == 2)
        #expect(
            first.stderr.hasSuffix(
                "the columns are: #1 \"first:last:email:role:team\"; sendoso needs: first_name, last_name, "
                    + "email, role, team_group_id; the header is a single column: if the file is separated by "
                    + "':', give --delimiter ':'\n"))
        let fixed = try follow(
            tool, "validate colon-separated.txt --target sendoso --report -",
            try advice("--delimiter ':'", in: first.stderr))
        #expect(fixed.status == 0)
        #expect(fixed.stdout.hasSuffix("2 rows: 2 valid, 0 invalid, 0 duplicate\n"))
    }

    @Test func brokenQuotingSaysWhereTheFieldBegan() throws {
        let tool = try Tool()
        try fixture(tool, "broken-quote.csv")
        let result = try tool.run(["validate", "broken-quote.csv", "--target", "sendoso"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: broken-quote.csv: line 4: text after the closing quote of a quoted field that began "
                + "on line 3 (a quote inside a quoted field must be doubled: \"\")\n")
    }

    // MARK: Encodings

    @Test func aWindows1252ExportIsReadWholeWithOneWarning() throws {
        let tool = try Tool()
        try fixture(tool, "hr-export-de.tsv")
        let options = ["--target", "sendoso", "--role", "regular", "--team-group-id", "7"]
        let guessed = try tool.run(["validate", "hr-export-de.tsv", "--report", "-"] + options)
        #expect(guessed.status == 1)
        #expect(guessed.stdout.hasSuffix("94 rows: 82 valid, 3 invalid, 9 duplicate\n"))
        #expect(
            guessed.stdout.contains("\n10,11,p007@firma.example,duplicate,,same email as row 7,"))
        #expect(
            String(guessed.stderr.split(separator: "\n").first ?? "")
                == "warning: hr-export-de.tsv is not UTF-8 (line 2 has byte 0xE4 in \"B\\xe4cker\", "
                + "\"Bäcker\" in windows-1252); reading it as windows-1252; give --encoding to read it otherwise"
        )
        let given = try tool.run(
            ["validate", "hr-export-de.tsv", "--report", "-", "--encoding", "windows-1252"]
                + options)
        #expect(given.stdout == guessed.stdout)
        #expect(!given.stderr.contains("windows-1252"))
        // Read as UTF-8 on purpose, the rows with umlauts are invalid and hide duplicates.
        let wrong = try tool.run(
            ["validate", "hr-export-de.tsv", "--report", "-", "--encoding", "utf-8"] + options)
        #expect(wrong.stdout.hasSuffix("94 rows: 15 valid, 79 invalid, 0 duplicate\n"))
        #expect(
            wrong.stderr.contains(
                "warning: hr-export-de.tsv: 79 rows are not valid UTF-8 (the first on line 2); if the file "
                    + "is in windows-1252, give --encoding windows-1252\n"))
        let inspect = try tool.run(["inspect", "hr-export-de.tsv"] + options)
        #expect(inspect.stdout.contains(#""first_name":"Jürgen","last_name":"Fuchs""#))
        #expect(
            inspect.stderr.hasSuffix(
                "format: csv (by extension: .tsv), encoding: windows-1252 (guessed), delimiter: tab, "
                    + "0 blank records skipped\n"
            ))
    }

    @Test func aWindows1252HeaderReadAsUTF8SaysWhichEncodingToGive() throws {
        let tool = try Tool()
        try tool.write(
            "fr.csv",
            Array("Pr".utf8) + [0xE9] + Array("nom,Nom,Courriel\nJos".utf8) + [0xE9]
                + Array(",N,jose@x.io\n".utf8))
        let result = try tool.run([
            "validate", "fr.csv", "--target", "sendoso", "--encoding", "utf-8",
        ])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: fr.csv: line 1: the header is not valid utf-8 text (column #1 "
                + "\"Pr\\xe9nom\"); if the file is in windows-1252, give --encoding windows-1252\n")
        let fixed = try tool.run([
            "validate", "fr.csv", "--target", "sendoso", "--encoding", "windows-1252", "--role",
            "regular", "--team-group-id", "1", "--report", "-",
        ])
        #expect(fixed.status == 0)
        #expect(fixed.stdout.contains("\n1,2,jose@x.io,valid,"))
    }

    /// A file of 3,000 ASCII rows (over 64 KiB) and then one row in windows-1252.
    func lateWindows1252(_ tool: Tool) throws {
        var bytes = Array("First Name,Last Name,Email,Role,Team\n".utf8)
        for index in 1...3000 {
            bytes += Array("Ann,Lee,ann\(index)@example.com,regular,1\n".utf8)
        }
        bytes +=
            Array("Jos".utf8) + [0xE9] + Array(",N".utf8) + [0xFA, 0xF1]
            + Array("ez,jose@example.com,regular,1\n".utf8)
        #expect(bytes.count > 64 * 1024 + 1000)
        try tool.write("late.csv", bytes)
    }

    @Test func validateCountsNonUTF8RowsPastTheFirst64KiBAndTheAdviceWorks() throws {
        let tool = try Tool()
        try lateWindows1252(tool)
        let first = try tool.run(["validate", "late.csv", "--target", "sendoso", "--report", "-"])
        #expect(first.status == 1)
        #expect(first.stdout.hasSuffix("3001 rows: 3000 valid, 1 invalid, 0 duplicate\n"))
        #expect(
            first.stderr
                == "warning: late.csv: 1 row is not valid UTF-8 (the first on line 3002); if the file is in "
                + "windows-1252, give --encoding windows-1252\n")
        let fixed = try follow(
            tool, "validate late.csv --target sendoso --report -",
            try advice("--encoding windows-1252", in: first.stderr))
        #expect(fixed.status == 0)
        let inspect = try tool.run([
            "inspect", "late.csv", "--target", "sendoso", "--encoding", "windows-1252",
        ])
        #expect(inspect.stdout.contains(#""first_name":"José","last_name":"Núñez""#))
    }

    @Test func runStopsBeforeSendingAtANonUTF8LinePastTheFirst64KiB() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try lateWindows1252(tool)
        let first = try runAgainst(simulator, tool, file: "late.csv", ["--rate", "0"])
        #expect(first.status == 2)
        #expect(
            first.stderr
                == "batch-invite run: late.csv: line 3002 is not valid utf-8 text, though the file's first "
                + "64 KiB are; nothing was sent. If the file is in windows-1252, give --encoding windows-1252; "
                + "with --encoding utf-8 such rows are reported invalid and the others sent\n")
        #expect(!FileManager.default.fileExists(atPath: tool.path("report.csv")))
        let fixed = try runAgainst(
            simulator, tool, file: "late.csv",
            ["--rate", "0", try advice("--encoding windows-1252", in: first.stderr)]
                .flatMap { $0.split(separator: " ").map(String.init) })
        #expect(fixed.status == 0)
        #expect(fixed.stdout.hasPrefix("3001 rows: 3001 invited,"))
        simulator.stop()
        let log = try simulator.logEntries()
        #expect(log.count == 3001)
        #expect(log.contains { $0["key"] as? String == "jose@example.com" })
        #expect(try tool.read("report.csv.journal").contains(#""input_encoding":"windows-1252""#))
    }

    @Test func aResumeReadsTheFileAsTheJournalSaysAndRefusesAnotherEncoding() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try fixture(tool, "entra-bulk-create.csv")
        let options = [
            "--rate", "0", "--map", "userPrincipalName=email", "--role", "regular",
            "--team-group-id", "7",
        ]
        let first = try runAgainst(simulator, tool, file: "entra-bulk-create.csv", options)
        #expect(first.status == 0)
        let journal = try tool.read("report.csv.journal")
        #expect(journal.contains(#""input_encoding":"utf-8","input_skip_lines":1,"#))
        #expect(try reportRows(tool).map { $0["line"] } == ["3", "4", "5", "6"])
        let again = try runAgainst(simulator, tool, file: "entra-bulk-create.csv", options)
        #expect(again.status == 0)
        #expect(again.stdout.contains("(4 already done by an earlier run)"))
        let other = try runAgainst(
            simulator, tool, file: "entra-bulk-create.csv", options + ["--skip-lines", "0"])
        #expect(other.status == 2)
        #expect(other.stderr.contains("belongs to another run (--skip-lines 1)"))
        simulator.stop()
        #expect(try simulator.logEntries().count == 4)
    }

    @Test func utf16WithoutAByteOrderMarkIsToldByItsZeroBytes() throws {
        let tool = try Tool()
        try fixture(tool, "export-utf16le-nobom.csv")
        let result = try tool.run([
            "validate", "export-utf16le-nobom.csv", "--target", "sendoso", "--report", "-",
        ])
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("4 rows: 4 valid, 0 invalid, 0 duplicate\n"))
        #expect(
            result.stderr
                == "note: export-utf16le-nobom.csv has no byte order mark but reads as UTF-16 (little-endian); "
                + "give --encoding to read it otherwise\n")
        let inspect = try tool.run(["inspect", "export-utf16le-nobom.csv", "--target", "sendoso"])
        #expect(inspect.stdout.contains(#""first_name":"Σοφία","last_name":"Παπαδοπούλου""#))
    }

    @Test func utf32IsRefusedWithoutPrintingItsZeroBytes() throws {
        let tool = try Tool()
        var withMark: [UInt8] = [0xFF, 0xFE, 0, 0]
        var withoutMark: [UInt8] = []
        for scalar in "ID\n3f2504e0-4f89-11d3-9a0c-0305e82c3301\n".unicodeScalars {
            let bytes = withUnsafeBytes(of: scalar.value.littleEndian, Array.init)
            withMark += bytes
            withoutMark += bytes
        }
        try tool.write("marked.csv", withMark)
        try tool.write("unmarked.csv", withoutMark)
        let marked = try tool.run(["validate", "marked.csv", "--target", "cyberark-sms"])
        #expect(marked.status == 2)
        #expect(
            marked.stderr
                == "batch-invite validate: marked.csv is UTF-32 text, which is not read here: save it as "
                + "UTF-8 and try again\n")
        let unmarked = try tool.run(["validate", "unmarked.csv", "--target", "cyberark-sms"])
        #expect(unmarked.status == 2)
        #expect(
            unmarked.stderr.hasPrefix("batch-invite validate: unmarked.csv does not look like text")
        )
        #expect(!unmarked.stderr.utf8.contains(0) && !marked.stderr.utf8.contains(0))
    }

    @Test func controlCharactersInHeadersAreShownEscaped() throws {
        let tool = try Tool()
        try tool.write(
            "bell.csv",
            "Na\u{7}me,Phone\n" + String(repeating: "Ada Lovelace,+44 20 7946 0001\n", count: 5))
        let result = try tool.run(["validate", "bell.csv", "--target", "cyberark-sms"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(#"the columns are: #1 "Na\x07me", #2 "Phone""#))
        #expect(!result.stderr.utf8.contains(7))
    }

    // MARK: JSON Lines

    @Test func jsonLinesWithoutRequiredKeysStopAtOnceLikeACSV() throws {
        let tool = try Tool()
        var text = ""
        for index in 1...12_345 {
            text +=
                "{\"username\":\"user\(index)\",\"email\":\"user\(index)@example.com\",\"country\":\"FR\"}\n"
        }
        try tool.write("users.jsonl", text)
        let result = try tool.run(["validate", "users.jsonl", "--target", "sendoso"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: users.jsonl: missing required keys first_name, last_name, role, "
                + "team_group_id for sendoso; the keys are: #1 \"username\", #2 \"email\", #3 \"country\"; "
                + "sendoso needs: first_name, last_name, email, role, team_group_id; no key seems to hold "
                + "first_name or last_name: add them to the file, or name the key that holds each with a "
                + "--map; the rest takes --role regular --team-group-id TEAM_ID\n"
        )
        #expect(!FileManager.default.fileExists(atPath: tool.path("users.report.csv")))
        // With the names there, the advice for the rest works as printed.
        try tool.write(
            "named.jsonl",
            "{\"given\":\"Ada\",\"family\":\"L\",\"mail\":\"ada@example.com\"}\n"
                + "{\"given\":\"Alan\",\"family\":\"T\",\"mail\":\"alan@example.com\"}\n")
        let named = try tool.run([
            "validate", "named.jsonl", "--target", "sendoso", "--map", "given=first_name", "--map",
            "family=last_name", "--team-group-id", "3",
        ])
        #expect(named.status == 2)
        let fixed = try follow(
            tool,
            "validate named.jsonl --target sendoso --map given=first_name --map family=last_name "
                + "--team-group-id 3 --report -",
            try advice("--role regular", in: named.stderr))
        #expect(fixed.status == 0)
        #expect(fixed.stdout.hasSuffix("2 rows: 2 valid, 0 invalid, 0 duplicate\n"))
    }
}
