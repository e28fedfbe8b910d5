import BatchInvite
import Testing

@Suite struct FormatChoiceTests {
    private func choice(_ path: String, _ text: String, format: InputFormat? = nil) -> FormatChoice
    {
        var options = InputOptions(path: path)
        options.format = format
        return FormatChoice(
            options: options, start: Array(text.utf8), isWhole: true, displayName: path)
    }

    @Test(
        arguments: [
            // JSON Lines, whatever the name says, but for a .jsonl's own.
            ("a.json", "{\"a\": 1}\n{\"a\": 2}\n", "jsonl (by content: one JSON object per line)"),
            (
                "a.txt", "\n  {\"a\": 1}\r\n{\"a\": 2}\r\n",
                "jsonl (by content: one JSON object per line)"
            ),
            ("export", "{\"a\": 1}\n", "jsonl (by content: one JSON object per line)"),
            ("a.jsonl", "{\"a\": 1}\n", "jsonl (by extension: .jsonl)"),
            ("a.csv", "{\"a\": 1}\n", "jsonl (by content: one JSON object per line)"),
            // A broken first line, the others objects: still JSON Lines.
            (
                "a.json", "{\"a\": 1\n{\"a\": 2}\n{\"a\": 3}\n",
                "jsonl (by content: one JSON object per line)"
            ),
            // One document: pretty-printed, or one line holding an array of objects.
            (
                "a.json", "{\n  \"users\": [\n    {\"a\": 1}\n  ]\n}\n",
                "json (by content: one JSON object)"
            ),
            (
                "a.json", "{\"kind\": \"x\", \"accounts\": [{\"a\": 1}]}",
                "json (by content: one JSON object)"
            ),
            (
                "a.jsonl", "{\"kind\": \"x\", \"users\": [{\"a\": 1}]}",
                "json (by content: one JSON object)"
            ),
            ("a.jsonl", "{\"id\": 1, \"providers\": [{\"a\": 1}]}", "jsonl (by extension: .jsonl)"),
            ("a.json", "[{\"a\": 1}]", "json (by content: a JSON array)"),
            ("a.csv", " [ ]", "json (by content: a JSON array)"),
            ("a.json", "[1, 2]", "json (by content: a JSON array)"),
            // CSV.
            ("a.csv", "[ID],[Name]\n1,Ada\n", "csv (by extension: .csv)"),
            ("a.txt", "[ID],[Name]\n1,Ada\n", "csv (by content: text, not JSON)"),
            ("a.csv", "{Name},{Email}\n", "csv (by extension: .csv)"),
            ("a.txt", "Name\tE-mail, work\n", "csv (by content: a header line with tabs)"),
            ("a.json", "Name,Email\n", "csv (by content: text, not JSON)"),
            ("a.jsonl", "Name,Email\n", "jsonl (by extension: .jsonl)"),
            ("-", "Name,Email\n", "csv (by content: text, not JSON)"),
        ] as [(String, String, String)])
    func theFormatComesFromTheContentWhereItIsPlain(path: String, text: String, chosen: String) {
        #expect(choice(path, text).description == chosen)
    }

    @Test func aTabInATextFilesHeaderMakesItTabSeparated() {
        #expect(choice("a.txt", "Name, first\tName, last\tE-mail\n").delimiter == 9)
        #expect(choice("a.csv", "Name, first\tName, last\tE-mail\n").delimiter == nil)
        #expect(choice("a.txt", "Name,\"a\tb\"\n").delimiter == nil)
    }

    @Test func contentThatContradictsTheExtensionIsNoted() {
        #expect(
            choice("a.csv", "{\"a\": 1}\n").note
                == "note: a.csv holds one JSON object per line, not CSV: reading it as JSON Lines; "
                + "give --format csv to read it as CSV")
        #expect(choice("a.json", "{\"a\": 1}\n").note == nil)
        #expect(
            choice("a.json", "Name,Email\n").note
                == "note: a.json does not start with { or [, so it is not JSON: reading it as CSV; "
                + "give --format to read it otherwise")
    }

    @Test func aGivenFormatWinsAndErrorsSayWhatTheContentLooksLike() {
        let given = choice("a.json", "{\"a\": 1}\n", format: .csv)
        #expect(given.description == "csv (given)")
        #expect(
            "\(given.explaining(.input("line 1: a quote inside an unquoted field"), file: "a.json"))"
                == "a.json: line 1: a quote inside an unquoted field; the file looks like JSON Lines "
                + "(one JSON object per line): give --format jsonl")
        #expect(
            "\(choice("a.json", "{\"a\": 1}\n").explaining(.input("a.json is empty"), file: "a.json"))"
                == "a.json is empty")
        #expect(
            choice("a.jsonl", "[{\"a\": 1}]", format: .jsonl).hint
                == "; the file looks like one JSON document (an array of objects, or an object "
                + "holding one): give --format json")
        #expect(
            choice("a.jsonl", "Name,Email\n").hint == "; the file looks like CSV: give --format csv"
        )
    }
}
