import Foundation
import Testing

/// The manual page and the shell completions are made from the option tables (issue 27,
/// item 3): every option of every command is in each of them, `man` renders the page
/// without a warning, and bash, fish and zsh complete commands, options and values.
@Suite struct ManPageAndCompletionTests {
    /// Every option of every command the user types, as `batch-invite options` lists them.
    func options(_ tool: Tool) throws -> [(
        command: String, option: String, kind: String, choices: [String]
    )] {
        let listed = try tool.run(["options"])
        #expect(listed.status == 0)
        return try listed.stdout.split(separator: "\n").map { line in
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (
                object["command"] as? String ?? "", object["option"] as? String ?? "",
                object["kind"] as? String ?? "", object["choices"] as? [String] ?? []
            )
        }
    }

    @Test func theManPageHoldsEveryOptionAndRendersWithoutWarnings() throws {
        let tool = try Tool()
        let page = try tool.run(["man"])
        #expect(page.status == 0)
        #expect(page.stdout.hasPrefix(".TH BATCH\\-INVITE 1 "))
        for (command, option, _, _) in try options(tool) {
            #expect(
                page.stdout.contains(".SS \"batch-invite \(command)\""), "no section for \(command)"
            )
            #expect(
                page.stdout.contains(option.replacingOccurrences(of: "-", with: "\\-")),
                "\(command) \(option) is not in the man page")
        }
        try NeededTool.man.require()
        try tool.write("batch-invite.1", page.stdout)
        let rendered = try tool.runShell(
            "MANWIDTH=80 man --warnings -l batch-invite.1", environment: ["LC_ALL": "C.UTF-8"])
        #expect(rendered.status == 0)
        #expect(rendered.stderr == "", "man warns: \(rendered.stderr)")
        #expect(rendered.stdout.contains("--dry-run"))
        #expect(rendered.stdout.contains("EXIT STATUS"))
    }

    @Test func bashCompletesCommandsOptionsAndValues() throws {
        let tool = try Tool()
        let script = try tool.run(["completions", "bash"])
        #expect(script.status == 0)
        try tool.write("batch-invite.bash", script.stdout)
        try tool.write("people.csv", "x\n")
        try tool.write("github.json", "{}\n")
        try NeededTool.bash.require()
        // Each case: the words typed (the last is the one completed) and what it must offer.
        var cases: [(words: [String], offers: [String])] = [
            (["ru"], ["run"]),
            (["run", "--tar"], ["--target"]),
            (["run", "--target", ""], ["sendoso", "cyberark-sms", "github.json"]),
            (["run", "--target", "gi"], ["github.json"]),
            (["ledger", "--target", ""], ["sendoso", "cyberark-sms", "github.json"]),
            (["run", "--report-format", ""], ["csv", "jsonl"]),
            (["validate", "peo"], ["people.csv"]),
            (["run", "--report", "peo"], ["people.csv"]),
        ]
        for (command, option, kind, choices) in try options(tool) {
            cases.append(([command, option], [option]))
            if kind == "choices" { cases.append(([command, option, ""], choices)) }
        }
        var lines = ""
        for (index, item) in cases.enumerated() {
            let words = (["batch-invite"] + item.words).map { "'\($0)'" }.joined(separator: " ")
            lines += """
                COMP_WORDS=(\(words)); COMP_CWORD=\(item.words.count); COMPREPLY=()
                _batch_invite; echo "\(index): ${COMPREPLY[*]}"

                """
        }
        try tool.write("check.bash", "source ./batch-invite.bash\n" + lines)
        let result = try tool.runShell("bash ./check.bash")
        #expect(result.status == 0, "\(result.stderr)")
        let offered = result.stdout.split(separator: "\n").map { line in
            Set(
                line.split(separator: ":", maxSplits: 1).last?.split(separator: " ").map(
                    String.init) ?? [])
        }
        #expect(offered.count == cases.count)
        for (index, item) in cases.enumerated() where index < offered.count {
            #expect(
                offered[index].isSuperset(of: item.offers),
                "batch-invite \(item.words.joined(separator: " "))<TAB> offered \(offered[index])")
        }
    }

    @Test func fishCompletesCommandsOptionsAndValues() throws {
        let tool = try Tool()
        let script = try tool.run(["completions", "fish"])
        #expect(script.status == 0)
        try tool.write("batch-invite.fish", script.stdout)
        try tool.write("people.csv", "x\n")
        try tool.write("github.json", "{}\n")
        try NeededTool.fish.require()
        var cases: [(typed: String, offers: [String])] = [
            ("batch-invite ru", ["run"]),
            ("batch-invite run --tar", ["--target"]),
            ("batch-invite run --target ", ["sendoso", "cyberark-sms", "github.json"]),
            ("batch-invite run --report-format ", ["csv", "jsonl"]),
            ("batch-invite validate peo", ["people.csv"]),
        ]
        for (command, option, _, _) in try options(tool) {
            cases.append(("batch-invite \(command) \(option)", [option]))
        }
        var commands = "source ./batch-invite.fish\n"
        for (index, item) in cases.enumerated() {
            commands += "echo '#\(index)'; complete -C '\(item.typed)'\n"
        }
        try tool.write("check.fish", commands)
        let result = try tool.runShell("HOME=$PWD fish --no-config ./check.fish")
        #expect(result.status == 0, "\(result.stderr)")
        var offered: [Int: Set<String>] = [:]
        var current = -1
        for line in result.stdout.split(separator: "\n") {
            if line.hasPrefix("#"), let index = Int(line.dropFirst()) {
                current = index
                offered[index] = []
            } else if current >= 0 {
                offered[current, default: []].insert(
                    String(line.split(separator: "\t").first ?? ""))
            }
        }
        for (index, item) in cases.enumerated() {
            #expect(
                offered[index, default: []].isSuperset(of: item.offers),
                "\(item.typed)<TAB> offered \(offered[index, default: []])")
        }
    }

    @Test func zshLoadsTheFunctionUnderCompinitAndItNamesEveryOption() throws {
        let tool = try Tool()
        let script = try tool.run(["completions", "zsh"])
        #expect(script.status == 0)
        #expect(script.stdout.hasPrefix("#compdef batch-invite\n"))
        for (command, option, _, _) in try options(tool) {
            #expect(
                script.stdout.contains("'\(option)[") || script.stdout.contains("'*\(option)["),
                "\(command) \(option) is not in the zsh completion")
        }
        try NeededTool.zsh.require()
        try FileManager.default.createDirectory(
            at: tool.directory.appendingPathComponent("functions"),
            withIntermediateDirectories: true)
        try tool.write("functions/_batch-invite", script.stdout)
        let result = try tool.runShell(
            "HOME=$PWD zsh -f -c 'fpath=($PWD/functions $fpath); autoload -U compinit; "
                + "compinit -u -d $PWD/zcompdump; autoload -U +X _batch-invite; "
                + "print -r -- $_comps[batch-invite]; whence -w _batch-invite'")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "", "\(result.stderr)")
        #expect(result.stdout == "_batch-invite\n_batch-invite: function\n")
        // --target offers the built-ins and *.json files (a target definition).
        #expect(
            script.stdout.contains("'--target[")
                && script.stdout.contains(":_batch_invite_names_or_files'"))
        #expect(script.stdout.contains("_alternative 'names:target:(sendoso cyberark-sms)'"))
    }
}
