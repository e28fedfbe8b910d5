import Foundation
import Testing

/// How the people-files harness takes advice (`Advice`), on today's messages and on the
/// forms issue 25 announces; people_files_score.py takes the same from each.
@Suite struct AdviceTests {
    typealias Option = Advice.Option

    /// A message, the options given before it, and what a new user runs next (nil: no new advice).
    static let cases: [(stderr: String, given: [Option], next: [Option]?)] = [
        (
            "batch-invite validate: a.csv: missing required columns email, role, team_group_id for "
                + "sendoso; the columns are: #1 \"Name\", #2 \"User name [userPrincipalName] Required\"; "
                + "sendoso needs: first_name, last_name, email, role, team_group_id; email may be column "
                + "#2 \"User name [userPrincipalName] Required\": --map \"User name [userPrincipalName] "
                + "Required=email\"; or give --role regular or --role manager for every row; or give "
                + "--team-group-id N for every row\n",
            [],
            [
                Option(name: "--map", value: "User name [userPrincipalName] Required=email"),
                Option(name: "--role", value: "regular"),
                Option(name: "--team-group-id", value: "7"),
            ]
        ),
        (
            "note: e.csv: skipping line 1 \"version:v1.0,,\", the version line of a Microsoft Entra "
                + "template (--skip-lines 0 reads it as the header)\nbatch-invite validate: e.csv: "
                + "missing required column role for sendoso; the columns are: #1 \"First\"; sendoso needs: "
                + "first_name, last_name, email, role, team_group_id; or give --role regular or --role "
                + "manager for every row\n",
            [Option(name: "--team-group-id", value: "7")],
            [Option(name: "--team-group-id", value: "7"), Option(name: "--role", value: "regular")]
        ),
        (
            "batch-invite validate: x.csv is neither UTF-8 nor windows-1252 text (line 2 has byte "
                + "0x89 in \"\\x89_\"); save it as UTF-8, or give --encoding windows-1252 to read it as "
                + "windows-1252 all the same\n",
            [],
            [Option(name: "--encoding", value: "windows-1252")]
        ),
        (
            "batch-invite validate: p.csv: missing required columns first_name for sendoso; the "
                + "columns are: #1 \"a:b:c\"; sendoso needs: first_name; the header is a single "
                + "column: if the file is separated by ':', give --delimiter ':'\n",
            [],
            [Option(name: "--delimiter", value: ":")]
        ),
        (
            "batch-invite validate: r.csv: missing required columns email for sendoso; the columns "
                + "are: #1 \"Report\"; sendoso needs: email; line 4 looks like the header: give "
                + "--skip-lines 3 to skip the 3 lines before it\n",
            [],
            [Option(name: "--skip-lines", value: "3")]
        ),
        (
            "batch-invite validate: --map \"Emial_alt=email\": no column is named so; the columns "
                + "are: #1 \"Email\", #2 \"Email_alt\"; did you mean \"Email_alt\"? (--map "
                + "\"Email_alt=email\")\n",
            [Option(name: "--map", value: "Emial_alt=email")],
            [Option(name: "--map", value: "Email_alt=email")]
        ),
        (
            "batch-invite validate: columns #3 \"email\" and #5 \"email\" both look like email; "
                + "choose one with --map \"#3=email\" or --map \"#5=email\"\n",
            [],
            [Option(name: "--map", value: "#3=email")]
        ),
        (
            "batch-invite validate: people.csv: column \"Role\" holds job titles (\"Chief Executive "
                + "Officer\", ...), not a sendoso role; run: batch-invite validate people.csv --target "
                + "sendoso --map \"Role=-\" --role regular --team-group-id N; or use the column anyway "
                + "with --map \"Role=role\"\n",
            [Option(name: "--encoding", value: "utf-8")],
            [
                Option(name: "--map", value: "Role=-"), Option(name: "--role", value: "regular"),
                Option(name: "--team-group-id", value: "7"),
            ]
        ),
        (
            "batch-invite validate: n.csv: missing required columns first_name, last_name for "
                + "sendoso\n  batch-invite run n.csv --target sendoso --base-url URL --map "
                + "\"Nome=full_name\" --where \"Status!=inactive,bot\"\n  or give the columns with --map\n",
            [],
            [
                Option(name: "--map", value: "Nome=full_name"),
                Option(name: "--where", value: "Status!=inactive,bot"),
            ]
        ),
        (
            "batch-invite validate: j.json: line 1: a quote inside an unquoted field; it looks like "
                + "JSON: give --format jsonl\n",
            [],
            [Option(name: "--format", value: "jsonl")]
        ),
        (
            "batch-invite validate: s.csv reads as Shift_JIS (\"山田\") or GB18030 (\"山田\"): give "
                + "--encoding shift_jis or --encoding gb18030\n",
            [],
            [Option(name: "--encoding", value: "shift_jis")]
        ),
        (
            "batch-invite validate: d.csv: missing required column email for sendoso; the columns "
                + "are: #1 \"First Name\"; sendoso needs: first_name, last_name, email, role, "
                + "team_group_id; or give --role regular or --role manager for every row\n",
            [Option(name: "--role", value: "regular")],
            nil
        ),
        (
            "warning: x.csv is not UTF-8; reading it as windows-1252; give --encoding to read it "
                + "otherwise\nbatch-invite validate: x.csv: missing required column email for "
                + "sendoso; the file's first line is \"a\"\n",
            [],
            nil
        ),
    ]

    @Test func theAdviceIsTakenAsPrinted() {
        for (stderr, given, next) in Self.cases {
            #expect(Advice.follow(stderr, given: given, team: 7) == next, "\(stderr)")
        }
    }

    @Test func theScoreScriptTakesTheSameAdvice() throws {
        let tool = try Tool()
        let cases = Self.cases.map { item -> [String: Any] in
            ["stderr": item.stderr, "given": item.given.map { [$0.name, $0.value] }]
        }
        try tool.write(
            "cases.json", Array(try JSONSerialization.data(withJSONObject: cases)))
        let scripts = Tool.packageRoot.appendingPathComponent("Tests/Benchmarks").path
        let result = try tool.runShell(
            """
            python3 -c 'import json, sys; sys.path.insert(0, sys.argv[1]); import people_files_score as p
            print(json.dumps([p.follow(c["stderr"], [tuple(o) for o in c["given"]], 7) for c in json.load(open("cases.json"))]))' '\(scripts)'
            """)
        try #require(result.status == 0, "\(result.stderr)")
        let answers = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any])
        for (item, answer) in zip(Self.cases, answers) {
            let options = (answer as? [[String]])?.map { Option(name: $0[0], value: $0[1]) }
            #expect(options == item.next, "\(item.stderr)")
        }
    }
}
