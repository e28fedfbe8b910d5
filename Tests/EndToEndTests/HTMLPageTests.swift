import Foundation
import Testing

/// Headless Chromium (Debian's `chromium`) opening a page as a person would.
enum Chromium {
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for directory in path.split(separator: ":") {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    /// The page's DOM after its script ran, and what it said on the console (errors such as
    /// a Content-Security-Policy violation included); without Chromium the test is skipped
    /// (NeededTool), or fails under CI=true.
    static func open(_ page: String, in tool: Tool) throws -> (dom: String, console: [String]) {
        try NeededTool.chromium.require()
        // Found: NeededTool.chromium is installed exactly when `executable` is found.
        let executable = try #require(Self.executable)
        let result = try tool.runShell(
            "'\(executable)' --headless --no-sandbox --disable-gpu --no-first-run "
                + "--user-data-dir='\(tool.path("chromium-profile"))' --enable-logging=stderr "
                + "--v=0 --dump-dom 'file://\(page)'")
        #expect(result.status == 0, "\(result.stderr)")
        let console = result.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        return (result.stdout, console.map(String.init))
    }
}

@Suite struct HTMLPageTests {
    /// HTML text back to what it says (Chromium writes `&lt;`, `&gt;`, `&amp;` in text).
    static func unescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(
                of: "&#39;", with: "'"
            )
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Every match of `pattern`'s groups in `text`.
    static func matches(_ pattern: String, in text: String) -> [[String]] {
        let expression = try! NSRegularExpression(
            pattern: pattern, options: [.dotMatchesLineSeparators])
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            match in
            (1..<match.numberOfRanges).map { String(text[Range(match.range(at: $0), in: text)!]) }
        }
    }

    /// Rows per status as the page shows them.
    static func pageCounts(_ dom: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for match in matches(#"data-status="([a-z_]+)">(\d+)<"#, in: dom) where match[0] != "all" {
            counts[match[0]] = Int(match[1])
        }
        return counts
    }

    /// The problem groups as the page shows them: "status label count".
    static func pageGroups(_ dom: String) -> [String] {
        matches(
            #"<tr data-group="([a-z_]+)">.*?<td class="label">(.*?)</td><td class="n">(\d+)</td>"#,
            in: dom
        ).map { "\($0[0]) \(unescaped($0[1])) \($0[2])" }
    }

    /// The same groups worked out from the CSV report, as the README describes them.
    static func reportGroups(_ rows: [[String: String]]) -> [String] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for row in rows {
            var status = row["status"] ?? ""
            let message = row["message"] ?? ""
            var labels: [String]
            switch status {
            case "invalid":
                let hidden = message.replacingOccurrences(
                    of: #""(\\.|[^"\\])*""#, with: "\"…\"", options: .regularExpression)
                labels = hidden.components(separatedBy: "; ")
            case "duplicate":
                labels = [
                    message.replacingOccurrences(
                        of: #" as row \d+$"#, with: " as an earlier row",
                        options: .regularExpression)
                ]
            case "failed", "not_sent", "in_doubt":
                labels = [message]
            default:
                labels = []
            }
            for label in labels {
                let id = "\(status) \(label)"
                if counts[id] == nil { order.append(id) }
                counts[id, default: 0] += 1
            }
            // Whatever their status, the rows sent again after an answer was lost or a run
            // stopped while sending them, by the note in their message.
            if ["invited", "already_invited", "failed"].contains(status)
                && message.contains("this person may have been invited")
            {
                labels = [Self.invitedTwice]
                status = "invited_twice"
            } else {
                labels = []
            }
            for label in labels {
                let id = "\(status) \(label)"
                if counts[id] == nil { order.append(id) }
                counts[id, default: 0] += 1
            }
        }
        return order.enumerated().sorted {
            counts[$0.element]! != counts[$1.element]!
                ? counts[$0.element]! > counts[$1.element]! : $0.offset < $1.offset
        }.map { "\($0.element) \(counts[$0.element]!)" }
    }

    /// The label of the group of rows that may have been invited twice.
    static let invitedTwice =
        "may have been invited twice: sent again after an answer was lost or a run stopped while sending"

    static func reportCounts(_ rows: [[String: String]]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in rows { counts[row["status"]!, default: 0] += 1 }
        return counts
    }

    /// What every page must be: private, self-contained, and quiet in a browser.
    func checkPage(_ tool: Tool, _ name: String) throws -> String {
        let page = try tool.read(name)
        let mode =
            try FileManager.default.attributesOfItem(atPath: tool.path(name))[.posixPermissions]
            as? Int
        #expect(mode == 0o600)
        #expect(
            page.contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"))
        // Nothing that could load: no tag with a src or href attribute, no url() in the style.
        #expect(
            Self.matches(#"<[a-zA-Z][^>]*\s(src|href|srcset|action|xlink:href)\s*="#, in: page)
                .isEmpty)
        #expect(!page.contains("url(") && !page.contains("@import"))
        let (dom, console) = try Chromium.open(tool.path(name), in: tool)
        #expect(console.isEmpty, "\(console)")
        // The page's own script ran (the policy allows it by its hash): the filter is shown.
        if dom.contains("id=\"rows\"") {
            #expect(dom.contains(#"<input id="filter" type="search" placeholder="#))
        }
        return dom
    }

    @Test func aValidationPageShowsTheReportsCountsAndProblemsAndEscapesTheFile() throws {
        let tool = try Tool()
        var csv = "First Name,Last Name,Email,Role,Team ID\n"
        for index in 1...40 {
            switch index % 8 {
            case 1: csv += "A,B,user\(index)example.com,regular,1234\n"
            case 2: csv += ",B,user\(index)@example.com,regular,1234\n"
            case 3: csv += "A,B,user\(index)@example.com,admin,12a\n"
            case 4: csv += "A,B,user1@example.com,regular,1234\n"
            default: csv += "A,B,user\(index)@example.com,regular,1234\n"
            }
        }
        csv += "Eve,X,<img src=x onerror=alert(1)>,regular,1234\n"
        try tool.write("people.csv", csv)
        let result = try tool.run([
            "validate", "people.csv", "--target", "sendoso", "--report", "people.report.csv",
            "--html", "people.html",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("html: people.html"))
        let rows = try reportRows(tool, "people.report.csv")
        let page = try tool.read("people.html")
        #expect(Self.pageCounts(page) == Self.reportCounts(rows))
        #expect(Self.pageGroups(page) == Self.reportGroups(rows))
        #expect(page.contains(#"data-exit-code="1""#))
        // A page that would replace the report or the input is refused.
        for path in ["people.report.csv", "people.csv"] {
            let refused = try tool.run([
                "validate", "people.csv", "--target", "sendoso", "--report", "people.report.csv",
                "--html", path,
            ])
            #expect(
                refused.status == 2
                    && refused.stderr.contains("and --html \(path) are the same file"))
        }
        // Last, in a browser: without Chromium the test stops here, skipped (failed under
        // CI=true), once everything else was checked.
        let dom = try checkPage(tool, "people.html")
        #expect(Self.pageCounts(dom) == Self.reportCounts(rows))
        #expect(Self.pageGroups(dom) == Self.reportGroups(rows))
        // The markup in the file is text on the page, not an element.
        #expect(dom.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!dom.contains("<img"))
        // The browser does say when the policy blocks something: a page whose style does not
        // match its hash any more is reported on the console.
        let tampered = page.replacingOccurrences(
            of: "style-src 'sha256-", with: "style-src 'sha256-x")
        try tool.write("tampered.html", tampered)
        let blocked = try Chromium.open(tool.path("tampered.html"), in: tool)
        #expect(blocked.console.contains { $0.contains("Content Security Policy") } == true)
    }
}

extension HTMLPageTests {
    /// Each run on the journal as its records say: started (ms), then the sums of its
    /// seconds: recorded, invited, requests, retries, 429s.
    static func journalRuns(_ tool: Tool, _ journal: String) throws -> [[Int64]] {
        var runs: [[Int64]] = []
        for line in try tool.read(journal).split(separator: "\n") {
            guard
                let record = try? JSONSerialization.jsonObject(with: Data(line.utf8))
                    as? [String: Any]
            else { continue }
            let number = { (name: String) in (record[name] as? NSNumber)?.int64Value ?? 0 }
            switch record["type"] as? String {
            case "start": runs.append([number("at"), 0, 0, 0, 0, 0])
            case "second":
                runs[runs.count - 1][1] += 1
                for (index, name) in ["invited", "requests", "retries", "throttled"].enumerated() {
                    runs[runs.count - 1][index + 2] += number(name)
                }
            default: break
            }
        }
        return runs
    }

    /// The page's table of runs, in the same terms.
    static func pageRuns(_ page: String) -> [[Int64]] {
        matches(
            #"<tr data-started="(\d+)">(?:<td[^>]*>[^<]*</td>){3}<td class="n">(\d+)</td><td class="n">(\d+)</td><td class="n">(\d+)</td><td class="n">(\d+)</td><td class="n">(\d+)</td>"#,
            in: page
        ).map { $0.map { Int64($0)! } }
    }

    @Test func aRunPageDrawsItsTimelineFromTheJournalAcrossAResume() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--rate-limit", "20"])
        let tool = try Tool()
        var csv = "First Name,Last Name,Email,Role,Team ID\n"
        for index in 1...160 { csv += "A,B,user\(index)@example.com,regular,1234\n" }
        csv += "A,B,broken-address,regular,1234\n"
        try tool.write("people.csv", csv)
        let arguments = ["--rate", "80", "--concurrency", "8", "--html", "run.html"]
        // A first run stops at its limit; the same command finishes the batch.
        let first = try runAgainst(
            simulator, tool, file: "people.csv", arguments + ["--limit", "60"])
        #expect(first.status == 4, "\(first.stderr)")
        #expect(try tool.read("run.html").contains(#"data-exit-code="4""#))
        let second = try runAgainst(simulator, tool, file: "people.csv", arguments)
        #expect(second.status == 1, "\(second.stderr)")
        simulator.stop()
        let page = try tool.read("run.html")
        let rows = try reportRows(tool)
        #expect(Self.pageCounts(page) == Self.reportCounts(rows))
        #expect(Self.pageCounts(page) == ["invited": 160, "invalid": 1])
        let runs = try Self.journalRuns(tool, "report.csv.journal")
        #expect(runs.count == 2)
        #expect(Self.pageRuns(page) == runs)
        // Every invitation is in a second of the timeline, and the API's 429s with it.
        #expect(runs.reduce(0) { $0 + $1[2] } == 160)
        #expect(runs.reduce(0) { $0 + $1[5] } > 0, "the simulator's limit answered no 429")
        #expect(page.contains(#"data-invited="160""#))
        #expect(page.contains("resumed "))
        // The same page again from the journal alone.
        let rebuilt = try tool.run([
            "report", "--journal", "report.csv.journal", "--report", "again.csv", "--html",
            "again.html",
        ])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        let again = try tool.read("again.html")
        #expect(Self.pageRuns(again) == runs)
        #expect(Self.pageCounts(again) == Self.reportCounts(rows))
        #expect(Self.pageGroups(again) == Self.pageGroups(page))
        #expect(again.contains(#"data-exit-code="1""#))
        let dom = try checkPage(tool, "run.html")
        #expect(Self.pageRuns(dom) == runs)
        #expect(Self.pageCounts(dom) == Self.reportCounts(rows))
    }

    @Test func pastTenThousandRowsThePageSaysHowManyMoreAreInTheReport() throws {
        let tool = try Tool()
        var csv = "First Name,Last Name,Email,Role,Team ID\n"
        // Every row lacks its role (empty cells: the column is not judged by them).
        for index in 1...10_050 { csv += "A,B,user\(index)@example.com,,1234\n" }
        try tool.write("many.csv", csv)
        let result = try tool.run([
            "validate", "many.csv", "--target", "sendoso", "--report", "many.report.csv",
            "--html", "many.html",
        ])
        #expect(result.status == 1)
        let page = try tool.read("many.html")
        #expect(page.contains("<h2>Rows that need attention: 10050</h2>"))
        #expect(page.contains("50 more rows in the report (many.report.csv)."))
        #expect(Self.matches(#"<tr><td class="n">\d+</td>"#, in: page).count == 10_000)
        #expect(
            Self.pageGroups(page) == [
                #"invalid role: is empty, it must be regular or manager 10050"#
            ])
        #expect(page.utf8.count < 4_000_000)
    }
}

extension HTMLPageTests {
    /// Checks the page `page` against the report `report` for the rows whose person may
    /// have been invited twice: one group of them with its count and first ten rows, the
    /// headline's count, and the list of rows that need attention. Returns how many there
    /// are.
    @discardableResult
    func checkInvitedTwice(_ tool: Tool, page: String, report: String) throws -> Int {
        let rows = try reportRows(tool, report)
        let twice = rows.filter {
            ["invited", "already_invited", "failed"].contains($0["status"] ?? "")
                && $0["message"]?.contains("this person may have been invited") == true
        }
        let html = try tool.read(page)
        #expect(Self.pageGroups(html) == Self.reportGroups(rows), "\(page)")
        #expect(
            Self.pageGroups(html).contains("invited_twice \(Self.invitedTwice) \(twice.count)"),
            "\(page)")
        let places =
            twice.prefix(10).map { "\($0["row"] ?? "") (\($0["line"] ?? ""))" }
            .joined(separator: ", ") + (twice.count > 10 ? ", …" : "")
        #expect(
            Self.matches(
                #"<tr data-group="invited_twice">.*?<td class="places">(.*?)</td>"#, in: html
            )
            .first == [places], "\(page)")
        #expect(
            html.contains(
                "<dt>invited twice?</dt><dd>\(twice.count) \(twice.count == 1 ? "row" : "rows") "
                    + "may have been invited twice (sent again after an answer was lost or a run "
                    + "stopped while sending): see the problems below</dd>"), "\(page)")
        let needing = rows.filter {
            ["invalid", "failed", "in_doubt", "not_sent"].contains($0["status"] ?? "")
        }.count
        let invitedTwice = twice.filter { $0["status"] != "failed" }.count
        #expect(
            html.contains("<h2>Rows that need attention: \(needing + invitedTwice)</h2>"),
            "\(page)")
        return twice.count
    }

    @Test func rowsThatMayHaveBeenInvitedTwiceAreAProblemOnThePage() throws {
        // An answer lost after the API acted: the row is sent again in the same run.
        let lossy = try SimulatorProcess([
            "--token", "secret", "--drop-after", "0.25", "--seed", "7",
        ])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(40))
        let run = try runAgainst(
            lossy, tool, file: "people.csv", ["--rate", "0", "--html", "run.html"])
        // Every row is invited or already invited: the exit code has nothing to say.
        #expect(run.status == 0, "\(run.stderr)")
        let lost = try checkInvitedTwice(tool, page: "run.html", report: "report.csv")
        #expect(lost > 0 && lost < 40)
        // The page report --journal makes from the journal says the same.
        let rebuilt = try tool.run([
            "report", "--journal", "report.csv.journal", "--report", "again.csv", "--html",
            "again.html",
        ])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(try checkInvitedTwice(tool, page: "again.html", report: "again.csv") == lost)

        // A run killed while sending: the rows under way are sent again when it resumes.
        let slow = try SimulatorProcess(["--token", "secret", "--latency-ms", "400"])
        try tool.write("killed.csv", sendosoCSV(40))
        let options = [
            "run", "killed.csv", "--target", "sendoso", "--base-url", slow.baseURL, "--rate", "0",
            "--concurrency", "4", "--progress", "none", "--report", "killed.report.csv", "--html",
            "killed.html",
        ]
        let killed = try BackgroundRun(tool, options)
        let deadline = Date().addingTimeInterval(10)
        while ((try? slow.logEntries().count) ?? 0) < 2 && Date() < deadline { usleep(10_000) }
        Thread.sleep(forTimeInterval: 0.15)
        kill(killed.process.processIdentifier, SIGKILL)
        _ = killed.finish()
        let resumed = try tool.run(options, environment: ["BATCH_INVITE_TOKEN": "secret"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let resent = try checkInvitedTwice(tool, page: "killed.html", report: "killed.report.csv")
        #expect((1...4).contains(resent))
        #expect(
            try reportRows(tool, "killed.report.csv").contains {
                $0["message"]?.contains("an earlier run stopped while sending this row") == true
            })

        // A ledger's key in doubt from an earlier night, sent again the next night.
        let dropping = try SimulatorProcess(["--token", "secret", "--drop-after", "1"])
        try tool.write("night.csv", sendosoCSV(3))
        let night1 = try runAgainst(
            dropping, tool, file: "night.csv", report: "night1.csv",
            ["--rate", "0", "--ledger", "job.ledger", "--in-doubt", "skip"])
        #expect(night1.status == 1, "\(night1.stderr)")
        let fresh = try SimulatorProcess(["--token", "secret"])
        let night2 = try runAgainst(
            fresh, tool, file: "night.csv", report: "night2.csv",
            ["--rate", "0", "--ledger", "job.ledger", "--html", "night2.html"])
        #expect(night2.status == 0, "\(night2.stderr)")
        #expect(try checkInvitedTwice(tool, page: "night2.html", report: "night2.csv") == 3)

        // Last, the first page in a browser: without Chromium the test stops here, skipped
        // (failed under CI=true), once everything else was checked.
        let dom = try checkPage(tool, "run.html")
        #expect(Self.pageGroups(dom) == Self.reportGroups(try reportRows(tool)))
    }
}
