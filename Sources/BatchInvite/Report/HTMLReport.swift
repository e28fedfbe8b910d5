import Foundation

/// The report as one self-contained HTML page (`--html PATH`): the headline (input,
/// target, when, how long, the exit code in words, rows per status as numbers and as a
/// stacked bar), the problems grouped, for a run its timeline, and the rows that need
/// attention with a filter box.
///
/// The page loads nothing: its style and its one small script are inline, allowed by a
/// Content-Security-Policy that names their SHA-256 hashes and forbids everything else.
/// It reads and prints without JavaScript (the script only adds the filter box). Every
/// text that comes from the input, the API or the journal is escaped.
public struct HTMLReport {
    public var summary: JobSummary
    public var overview: ReportOverview
    /// The run's history (`run`, `report --journal`); nil for `validate`.
    public var timeline: RunTimeline?
    /// The report's path, named where rows are left out of the page.
    public var reportPath: String?

    public init(
        summary: JobSummary, overview: ReportOverview, timeline: RunTimeline? = nil,
        reportPath: String? = nil
    ) {
        self.summary = summary
        self.overview = overview
        self.timeline = timeline
        self.reportPath = reportPath
    }

    /// Writes the page to `path` (mode 0600, under a temporary name, then renamed).
    public func write(to path: String) throws {
        let file = try OutputFile(path: path)
        try file.append(page)
        try file.commit(durable: false)
    }

    /// The whole page.
    public var page: String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(Self.policy)">
            <meta name="referrer" content="no-referrer">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.text(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>

            """
        html += headline + counts + problems
        if let timeline { html += TimelineChart(timeline: timeline).section }
        html += attention
        html += """
            <footer>Written by batch-invite \(Self.text(BatchInviteVersion.current)). This page \
            loads nothing from anywhere: all it shows is in this file.</footer>
            <script>\(Self.script)</script>
            </body>
            </html>

            """
        return html
    }

    private var inputName: String {
        summary.input.map {
            $0 == "-" ? "standard input" : URL(fileURLWithPath: $0).lastPathComponent
        }
            ?? "standard input"
    }

    private var title: String {
        let needing = overview.attentionCount
        return "batch-invite \(commandName): \(inputName): "
            + (needing == 0
                ? "nothing needs attention"
                : "\(needing) \(needing == 1 ? "row needs" : "rows need") attention")
    }

    /// The command, as the page names it: `run --dry-run` for a plan.
    private var commandName: String { summary.dryRun ? "run --dry-run" : summary.command }

    // MARK: Sections

    private var headline: String {
        let code = summary.exitCode
        var facts: [(String, String)] = [
            ("input", summary.input ?? "standard input"),
            ("target", summary.target ?? "?"),
            ("started", Self.time(summary.started)),
            ("finished", Self.time(summary.finished)),
            ("took", ProgressDisplay.duration(max(summary.durationSeconds, 0))),
        ]
        if summary.command != "validate" && !summary.dryRun {
            let statistics = summary.statistics
            facts += [
                (
                    "requests",
                    "\(statistics.requests) (\(statistics.retries) retries, "
                        + "\(statistics.http429) answered 429"
                        + (statistics.otherRateLimits > 0
                            ? ", \(statistics.otherRateLimits) another rate limit" : "") + ")"
                ),
                (
                    "rate",
                    String(
                        format: "%.1f invitations/s on average, %.0f at most in one second",
                        statistics.rate, statistics.peakRate)
                ),
            ]
        }
        if let starts = timeline?.starts, starts.count > 1 {
            facts.append(
                (
                    "runs",
                    "\(starts.count) on this journal, the first started \(Self.time(starts[0].at))"
                ))
        }
        if let report = summary.report ?? reportPath { facts.append(("report", report)) }
        if let journal = summary.journal { facts.append(("journal", journal)) }
        if let error = summary.error { facts.append(("stopped", error)) }
        let twice = overview.invitedTwiceCount
        if twice > 0 {
            facts.append(
                (
                    "invited twice?",
                    "\(twice) \(twice == 1 ? "row" : "rows") may have been invited twice (sent "
                        + "again after an answer was lost or a run stopped while sending): see "
                        + "the problems below"
                ))
        }
        var html = """
            <header>
            <h1>batch-invite \(Self.text(commandName)): \(Self.text(inputName))</h1>
            <p class="verdict \(code.code == 0 ? "good" : "bad")" data-exit-code="\(code.code)">\
            Exit \(code.code): \(Self.text(Self.words(code, command: commandName)))</p>
            <dl class="facts">

            """
        for (name, value) in facts {
            html += "<dt>\(Self.text(name))</dt><dd>\(Self.text(value))</dd>\n"
        }
        return html + "</dl>\n</header>\n"
    }

    /// Rows per status: a stacked bar, then the numbers.
    private var counts: String {
        let counts = overview.counts
        let total = max(overview.rows, 1)
        var bar = """
            <svg class="bar" viewBox="0 0 1000 24" preserveAspectRatio="none" role="img" \
            aria-label="rows per status">

            """
        var table =
            "<table class=\"counts\">\n<thead><tr><th>status</th><th>rows</th><th>share</th></tr></thead>\n<tbody>\n"
        var x = 0.0
        for status in RowStatus.allCases {
            guard let count = counts[status], count > 0 else { continue }
            let width = 1000 * Double(count) / Double(total)
            bar += String(
                format:
                    "<rect class=\"s-%@\" x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"24\"><title>%@: %d</title></rect>\n",
                status.rawValue, x, width, status.rawValue, count)
            x += width
            table += """
                <tr><td><span class="swatch s-\(status.rawValue)"></span>\(status.rawValue)</td>\
                <td class="n" data-status="\(status.rawValue)">\(count)</td>\
                <td class="n">\(String(format: "%.1f%%", 100 * Double(count) / Double(total)))</td></tr>

                """
        }
        table +=
            "</tbody>\n<tfoot><tr><th>rows</th><td class=\"n\" data-status=\"all\">\(overview.rows)</td><td></td></tr></tfoot>\n</table>\n"
        return "<section id=\"counts\">\n<h2>Rows</h2>\n" + bar + "</svg>\n" + table
            + "</section>\n"
    }

    private var problems: String {
        let groups = overview.groups
        var html = "<section id=\"problems\">\n<h2>Problems, largest first</h2>\n"
        guard !groups.isEmpty else {
            return html
                + "<p class=\"none\">None: every row is \(summary.command == "validate" ? "valid" : "done").</p>\n</section>\n"
        }
        html += """
            <table class="groups">
            <thead><tr><th>status</th><th>problem</th><th>rows</th><th>first rows (line in the file)</th></tr></thead>
            <tbody>

            """
        for group in groups {
            var first = group.first.map { "\($0.row) (\($0.line))" }.joined(separator: ", ")
            if group.count > group.first.count { first += ", …" }
            // The rows that may have been invited twice are of several statuses.
            let kind = group.status?.rawValue ?? "invited_twice"
            let status = group.status?.rawValue ?? "invited twice?"
            html += """
                <tr data-group="\(kind)"><td><span class="swatch s-\(kind)"></span>\
                \(status)</td><td class="label">\(Self.text(group.label))</td>\
                <td class="n">\(group.count)</td><td class="places">\(first)</td></tr>

                """
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }

    private var attention: String {
        let rows = overview.attention
        var html = """
            <section id="attention">
            <h2>Rows that need attention: \(overview.attentionCount)</h2>

            """
        guard !rows.isEmpty else { return html + "<p class=\"none\">None.</p>\n</section>\n" }
        html += """
            <p class="filter"><label>Filter <input id="filter" type="search" hidden \
            placeholder="any text: an address, a status, a message"></label></p>
            <table id="rows">
            <thead><tr><th>row</th><th>line</th><th>key</th><th>status</th><th>HTTP</th><th>message</th></tr></thead>
            <tbody>

            """
        // Up to 10,000 rows: written as bytes, not through string interpolation.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rows.count * 200)
        for row in rows {
            bytes += "<tr><td class=\"n\">".utf8
            TextBytes.appendInteger(row.place.row, to: &bytes)
            bytes += "</td><td class=\"n\">".utf8
            TextBytes.appendInteger(row.place.line, to: &bytes)
            bytes += "</td><td>".utf8
            Self.appendText(row.key, to: &bytes)
            bytes += "</td><td><span class=\"swatch s-".utf8
            bytes += row.status.rawValue.utf8
            bytes += "\"></span>".utf8
            bytes += row.status.rawValue.utf8
            bytes += "</td><td class=\"n\">".utf8
            if let status = row.httpStatus { TextBytes.appendInteger(status, to: &bytes) }
            bytes += "</td><td>".utf8
            Self.appendText(row.message, to: &bytes)
            bytes += "</td></tr>\n".utf8
        }
        html += String(decoding: bytes, as: UTF8.self)
        html += "</tbody>\n</table>\n"
        let more = overview.attentionCount - rows.count
        if more > 0 {
            html +=
                "<p class=\"more\">\(more) more \(more == 1 ? "row" : "rows") in the report"
                + (reportPath.map { " (\(Self.text($0)))" } ?? "") + ".</p>\n"
        }
        return html + "</section>\n"
    }

    // MARK: Words

    /// What an exit code says, in words.
    static func words(_ code: ExitCode, command: String) -> String {
        if command == "run --dry-run" {
            switch code {
            case .success:
                return "a plan: the run would leave every row invited or already invited"
            case .rowsNotDone:
                return "a plan: the run would leave some rows not invited: see the problems below"
            case .unfinished:
                return "a plan: the run would stop at --limit; later runs send the rest"
            default: break
            }
        }
        switch code {
        case .success:
            return command == "validate"
                ? "every row is valid" : "every row is invited or already invited"
        case .rowsNotDone:
            return command == "validate"
                ? "some rows are invalid or duplicates: see the problems below"
                : "finished; some rows were not invited: see the problems below"
        case .usage: return "a usage, configuration or input error"
        case .credentialsRejected: return "the credentials were rejected; nothing more was sent"
        case .unfinished: return "unfinished: the same command goes on from here"
        case .temporary: return "stopped: the API was unreachable or down; try again later"
        case .localFailure:
            return "stopped on a local failure (disk, journal); the same command resumes"
        case .interrupted(let signal):
            return
                "interrupted by \(signal == 2 ? "SIGINT" : signal == 15 ? "SIGTERM" : "signal \(signal)"); the same command resumes"
        }
    }

    static func time(_ milliseconds: Int64) -> String {
        guard milliseconds > 0 else { return "?" }
        return String(Clock.iso8601(milliseconds: milliseconds).prefix(19)).replacingOccurrences(
            of: "T", with: " ") + " UTC"
    }

    /// `value` as HTML text (also safe inside a quoted attribute).
    static func text(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendText(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value` as HTML text to `out`, each bidirectional control written `\u202E`
    /// (a name or an API's message that holds one would show the page's text around it in
    /// another order).
    static func appendText(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            var run = 0  // where the bytes not yet copied start
            var index = 0
            while index < bytes.count {
                let replacement: StaticString
                switch bytes[index] {
                case 0x26: replacement = "&amp;"
                case 0x3C: replacement = "&lt;"
                case 0x3E: replacement = "&gt;"
                case 0x22: replacement = "&quot;"
                case 0x27: replacement = "&#39;"
                case 0: replacement = "\u{FFFD}"
                case 0xE2 where TextBytes.isBidiControl(bytes, at: index):
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run..<index]))
                    let control = UnsafeRawBufferPointer(rebasing: bytes[index..<(index + 3)])
                    out.append(contentsOf: TextBytes.escapingBidiControls(control) ?? [])
                    index += 3
                    run = index
                    continue
                default:
                    index += 1
                    continue
                }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run..<index]))
                out.append(
                    contentsOf: UnsafeBufferPointer(
                        start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                index += 1
                run = index
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run..<bytes.count]))
        }
    }
}
