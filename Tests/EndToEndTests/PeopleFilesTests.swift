import Foundation
import Testing

/// Issue 25's goal, on the public people files of Fixtures/people-files (see its README):
/// every file right for a new user (as it is, or by following the tool's advice as
/// printed), none read with wrong values. Writes the score (`PEOPLE_FILES_SCORE`, default
/// `.build/people-files-score.json`) and prints it as Markdown for BENCHMARKS.md.
@Suite struct PeopleFilesTests {
    static let folder = Tool.packageRoot.appendingPathComponent(
        "Tests/EndToEndTests/Fixtures/people-files")
    static let checker = Tool.packageRoot.appendingPathComponent(
        "Tests/EndToEndTests/Checkers/people_files.py")
    static let script = Tool.packageRoot.appendingPathComponent(
        "Tests/Benchmarks/people_files_score.py")

    struct Expected: Decodable {
        let teamGroupID: Int
        let files: [PeopleFile]

        enum CodingKeys: String, CodingKey {
            case files
            case teamGroupID = "team_group_id"
        }
    }

    struct Score: Codable {
        let files: [PeopleFileOutcome]
        let totals: [String: Int]
    }

    static let classes = ["as-is", "by-advice", "wrong-values", "stopped"]

    /// Runs `python3 ARGUMENTS`; its standard output.
    func python(_ arguments: [String]) throws -> String {
        let tool = try Tool()
        let result = try tool.runShell(
            "python3 " + arguments.map { "'\($0)'" }.joined(separator: " "))
        try #require(result.status == 0, "python3 \(arguments): \(result.stderr)")
        return result.stdout
    }

    @Test func theREADMETableIsWhatPythonReadsInTheFiles() throws {
        let table = try python([Self.checker.path, "--markdown"])
        let readme = try String(
            contentsOf: Self.folder.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(
            readme.contains(table), "README.md's table differs from: people_files.py --markdown")
    }

    @Test func everyFileIsRightForANewUserAndNoneIsReadWithWrongValues() throws {
        let expected = try JSONDecoder().decode(
            Expected.self,
            from: try Data(contentsOf: Self.folder.appendingPathComponent("expected.json")))
        struct Manifest: Decodable { let files: [PeopleFileFacts] }
        let facts = try JSONDecoder().decode(
            Manifest.self, from: Data(try python([Self.checker.path]).utf8)
        ).files
        #expect(expected.files.count >= 40)
        let user = NewUser(team: expected.teamGroupID)
        var outcomes: [PeopleFileOutcome] = []
        for file in expected.files {
            let fact = try #require(facts.first { $0.file == file.file })
            outcomes.append(try user.outcome(of: file, facts: fact))
        }
        let totals = Dictionary(
            uniqueKeysWithValues: Self.classes.map { name in
                (name, outcomes.filter { $0.outcome == name }.count)
            })
        let score = Score(files: outcomes, totals: totals)
        try write(score)
        print(Self.markdown(score))

        // The score script follows the same rules: both must agree on every file.
        let scratch = try Tool()
        _ = try python([Self.script.path, Tool.binary.path, "--json", scratch.path("score.json")])
        let script = try JSONDecoder().decode(
            Score.self, from: try Data(contentsOf: URL(fileURLWithPath: scratch.path("score.json")))
        )
        for outcome in outcomes {
            let other = script.files.first { $0.file == outcome.file }
            #expect(
                other?.outcome == outcome.outcome && other?.options == outcome.options,
                Comment(
                    rawValue:
                        "\(outcome.file): the test says \(outcome.outcome) (\(outcome.options)), "
                        + "people_files_score.py \(other?.outcome ?? "nothing") (\(other?.options ?? ""))"
                )
            )
        }

        #expect(
            totals["wrong-values"] == 0,
            "read with wrong values: \(outcomes.filter { $0.outcome == "wrong-values" }.map(\.file))"
        )
        for outcome in outcomes {
            #expect(
                outcome.outcome == "as-is" || outcome.outcome == "by-advice",
                Comment(
                    rawValue:
                        "\(outcome.file): \(outcome.outcome): \(outcome.detail); last message: "
                        + (outcome.rounds.last?.message ?? "")))
        }
    }

    /// Writes the score where `PEOPLE_FILES_SCORE` says, else in .build.
    func write(_ score: Score) throws {
        let path =
            ProcessInfo.processInfo.environment["PEOPLE_FILES_SCORE"]
            ?? Tool.packageRoot.appendingPathComponent(".build/people-files-score.json").path
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(score).write(to: URL(fileURLWithPath: path))
    }

    /// The score as people_files_score.py prints it, between marker lines.
    static func markdown(_ score: Score) -> String {
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(
                of: "\n", with: " ")
        }
        var lines = [
            "----- people-files score (Markdown for BENCHMARKS.md) -----",
            "| file | outcome | options followed | what happened |", "|---|---|---|---|",
        ]
        for file in score.files {
            let options = file.options.isEmpty ? "" : "`\(cell(file.options))`"
            lines.append("| `\(file.file)` | \(file.outcome) | \(options) | \(cell(file.detail)) |")
        }
        let totals = score.totals
        lines.append("")
        lines.append(
            "\(score.files.count) files: \(totals["as-is"] ?? 0) as-is, \(totals["by-advice"] ?? 0) "
                + "by advice, \(totals["wrong-values"] ?? 0) with wrong values, "
                + "\(totals["stopped"] ?? 0) stopped")
        lines.append("----- end of people-files score -----")
        return lines.joined(separator: "\n")
    }
}
