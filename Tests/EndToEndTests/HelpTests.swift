import Foundation
import Testing

/// Every command's help fits 80 columns and lists its exit codes; `run --help` shows the
/// common options and points to `--help-all`, which shows them all; the option tables
/// they are made from give every option a group and a value kind.
@Suite struct HelpTests {
    /// The commands the tool's help lists.
    static let commands = [
        "validate", "run", "status", "report", "ledger", "inspect", "targets", "simulate",
    ]

    /// The option tables, one entry per option of every command (`batch-invite options`).
    func optionTables(_ tool: Tool) throws -> [[String: Any]] {
        let listed = try tool.run(["options"])
        #expect(listed.status == 0, "\(listed.stderr)")
        return try listed.stdout.split(separator: "\n").map {
            try #require(
                JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test(arguments: [[]] + commands.flatMap { [[$0, "--help"], [$0, "--help-all"]] })
    func helpFitsEightyColumnsAndListsTheExitCodes(_ arguments: [String]) throws {
        let tool = try Tool()
        let help = try tool.run(arguments.isEmpty ? ["--help"] : arguments)
        #expect(help.status == 0)
        let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            #expect(line.count <= 80, "\(line.count) columns: \(line)")
        }
        let codes = try #require(lines.firstIndex(of: "exit codes:"), "\(help.stdout)")
        #expect(lines.count > codes + 1 && lines[codes + 1].hasPrefix("  0 "))
    }

    @Test func runHelpShowsTheCommonOptionsAndPointsToHelpAll() throws {
        let tool = try Tool()
        let options = try optionTables(tool).filter { $0["command"] as? String == "run" }
        let common = options.filter { $0["group"] as? String == "common" }.compactMap {
            $0["option"] as? String
        }
        let advanced = options.filter { $0["group"] as? String == "advanced" }.compactMap {
            $0["option"] as? String
        }
        #expect(common.contains("--base-url") && advanced.contains("--max-retry-after"))
        let help = try tool.run(["run", "--help"])
        let all = try tool.run(["run", "--help-all"])
        func listed(_ text: String) -> Set<String> {
            Set(
                text.split(separator: "\n").filter { $0.hasPrefix("  --") }.map {
                    String($0.dropFirst(2).prefix { $0 != " " })
                })
        }
        #expect(listed(help.stdout) == Set(common + ["--help", "--help-all"]))
        #expect(listed(all.stdout) == Set(common + advanced + ["--help", "--help-all"]))
        #expect(
            help.stdout.contains(
                "\n\(advanced.count) more options (--check-path, --path, --burst, ...):\n"
                    + "  batch-invite run --help-all\n"))
        #expect(help.stdout.split(separator: "\n").count < 80)
    }

    @Test func everyOptionHasAGroupAndAValueKind() throws {
        let tool = try Tool()
        let options = try optionTables(tool)
        let commands = Set(options.compactMap { $0["command"] as? String })
        // `targets` takes no options.
        #expect(commands == Set(Self.commands).subtracting(["targets"]))
        let kinds = ["none", "file", "directory", "choices", "name_or_file", "number", "text"]
        for option in options {
            let name = "\(option["command"] ?? "?") \(option["option"] ?? "?")"
            #expect(["common", "advanced"].contains(option["group"] as? String), "\(name)")
            let kind = option["kind"] as? String
            #expect(kinds.contains(kind ?? ""), "\(name) has no value kind")
            let value = option["value"] as? String
            #expect((value == nil) == (kind == "none"), "\(name): flag and kind disagree")
            let choices = option["choices"] as? [String] ?? []
            #expect((kind == "choices" || kind == "name_or_file") == !choices.isEmpty, "\(name)")
            if kind == "choices" {
                #expect(value == choices.joined(separator: "|"), "\(name)")
            }
            // --target: a built-in's name or a definition file.
            if kind == "name_or_file" {
                #expect(value == choices.joined(separator: "|") + "|FILE", "\(name)")
            }
        }
    }

    @Test func theOptionTablesCheckTheChoices() throws {
        let tool = try Tool()
        let refused = try tool.run(["validate", "x.csv", "--target", "sendoso", "--format", "xml"])
        #expect(refused.status == 2)
        #expect(
            refused.stderr
                == "batch-invite validate: --format \"xml\" is not one of csv, jsonl, json\n")
        let listed = try tool.run(["options", "run"])
        let progress = try #require(
            listed.stdout.split(separator: "\n").first { $0.contains(#""option":"--progress""#) })
        #expect(progress.contains(#""kind":"choices","choices":["auto","bar","log","none"]"#))
    }
}
