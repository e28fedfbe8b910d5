import Foundation

/// The HTML report's timeline of a run, drawn from the journal's records: invitations per
/// second (bars), 429 answers (bars below them), retries (a line) and the rate limit in
/// force (a dashed line: it falls after 429s and climbs back), each run on the journal one
/// after the other (the time between a stop and the resume left out, a dashed line where
/// a run resumed). The numbers are in a table beneath, for reading and printing.
struct TimelineChart {
    let timeline: RunTimeline

    /// One run on the journal: when it started and the seconds it recorded.
    struct Run {
        var start: RunTimeline.Start
        var seconds: [RunTimeline.Second]
        /// Seconds from its start to its last record (at least 1).
        var span: Int {
            max(1, Int(((seconds.last?.at ?? start.at) - start.at + 999) / 1000))
        }
    }

    /// One column of the chart: sums over `width` seconds.
    struct Column {
        var invited = 0
        var throttled = 0
        var retries = 0
        var rate: Double?
        var seen = false
    }

    var runs: [Run] {
        var starts = timeline.starts.sorted { $0.at < $1.at }
        if starts.isEmpty, let first = timeline.seconds.first {
            starts = [RunTimeline.Start(at: first.at - 1000, done: 0)]
        }
        var runs = starts.map { Run(start: $0, seconds: []) }
        for second in timeline.seconds {
            let index = runs.lastIndex { $0.start.at < second.at } ?? 0
            if !runs.isEmpty { runs[index].seconds.append(second) }
        }
        return runs
    }

    static let width = 1000.0
    static let height = 220.0
    static let left = 48.0
    static let bottom = 24.0

    var section: String {
        let runs = self.runs
        var html = "<section id=\"timeline\">\n<h2>Over time</h2>\n"
        guard timeline.seconds.contains(where: { $0.requests > 0 || $0.invited > 0 }) else {
            return html + "<p class=\"none\">Nothing was sent on this journal.</p>\n"
                + table(runs) + "</section>\n"
        }
        // Seconds per column: at most 500 columns over all runs.
        let total = runs.reduce(0) { $0 + $1.span }
        let perColumn = max(1, (total + 499) / 500)
        var columns: [Column] = []
        var resumes: [(column: Int, at: Int64)] = []
        for run in runs {
            let base = columns.count
            if base > 0 { resumes.append((base, run.start.at)) }
            columns += Array(repeating: Column(), count: (run.span + perColumn - 1) / perColumn)
            // Each record its own second: the one its time ends, or the one after the
            // record before it (the last record of a run ends a part of a second).
            var previous = -1
            for second in run.seconds {
                let ending = Int((Double(second.at - run.start.at) / 1000).rounded()) - 1
                previous = max(previous + 1, ending)
                let offset = previous / perColumn
                while base + offset >= columns.count { columns.append(Column()) }
                let index = base + offset
                columns[index].invited += second.invited
                columns[index].throttled += second.throttled
                columns[index].retries += second.retries
                columns[index].rate = second.rate
                columns[index].seen = true
            }
        }
        let scale = Double(perColumn)
        var top = 1.0
        for column in columns {
            top = max(
                top, Double(column.invited) / scale, Double(column.retries) / scale,
                column.rate ?? 0)
        }
        top = Self.roundUp(top * 1.1)
        let plotWidth = Self.width - Self.left - 8
        let plotHeight = Self.height - Self.bottom - 8
        let step = plotWidth / Double(max(columns.count, 1))
        func y(_ value: Double) -> Double { 8 + plotHeight * (1 - min(value / top, 1)) }
        func x(_ column: Int) -> Double { Self.left + step * Double(column) }
        var svg = String(
            format: """
                <svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="invitations per \
                second over the run" data-seconds="%d" data-invited="%d">
                <line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>
                <line class="axis" x1="%.1f" y1="8" x2="%.1f" y2="%.1f"/>
                <line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>
                <text x="%.1f" y="12" text-anchor="end">%@/s</text>
                <text x="%.1f" y="%.1f" text-anchor="end">0</text>

                """, Self.width, Self.height, timeline.seconds.count,
            timeline.seconds.reduce(0) { $0 + $1.invited }, Self.left, y(top / 2),
            Self.width - 8, y(top / 2), Self.left, Self.left, y(0), Self.left, y(0),
            Self.width - 8, y(0), Self.left - 4, Self.number(top), Self.left - 4, y(0) + 4)
        for (index, column) in columns.enumerated() where column.invited > 0 {
            let value = Double(column.invited) / scale
            svg += String(
                format:
                    "<rect class=\"c-invited\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n",
                x(index), y(value), max(step - 0.5, 0.5), y(0) - y(value))
        }
        // 429s: bars from the axis, at least 6 units tall so that one is seen.
        for (index, column) in columns.enumerated() where column.throttled > 0 {
            let height = max(y(0) - y(Double(column.throttled) / scale), 6)
            svg += String(
                format:
                    "<rect class=\"c-throttled\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%d answered 429</title></rect>\n",
                x(index), y(0) - height, max(step - 0.5, 0.5), height, column.throttled)
        }
        svg += Self.line(
            "c-retries",
            columns.indices.compactMap { index in
                columns[index].seen
                    ? (x(index) + step / 2, y(Double(columns[index].retries) / scale)) : nil
            })
        // The rate in force: a step from column to column, while a limit is known.
        var ratePoints: [(Double, Double)] = []
        for (index, column) in columns.enumerated() {
            guard let rate = column.rate else { continue }
            ratePoints += [(x(index), y(rate)), (x(index) + step, y(rate))]
        }
        svg += Self.line("c-rate", ratePoints)
        for resume in resumes {
            svg += String(
                format: "<line class=\"c-run\" x1=\"%.1f\" y1=\"8\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
                    + "<text x=\"%.1f\" y=\"20\">resumed %@</text>\n",
                x(resume.column), x(resume.column), y(0), x(resume.column) + 3,
                HTMLReport.time(resume.at))
        }
        svg += String(
            format:
                "<text x=\"%.1f\" y=\"%.1f\">%@</text>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n",
            Self.left, Self.height - 6, HTMLReport.time(runs.first?.start.at ?? 0),
            Self.width - 8, Self.height - 6,
            "stopped " + HTMLReport.time(runs.last?.seconds.last?.at ?? 0)
                + (perColumn > 1 ? " (\(perColumn) s a column)" : ""))
        html += svg + "</svg>\n"
        html += """
            <p class="legend"><span><i class="key k-invited"></i>invitations per second</span>\
            <span><i class="key k-throttled"></i>HTTP 429 answers</span>\
            <span><i class="key k-retries"></i>retries per second</span>\
            <span><i class="key k-rate"></i>rate limit in force (requests per second)</span></p>

            """
        return html + table(runs) + "</section>\n"
    }

    /// Each run's numbers, from its records.
    private func table(_ runs: [Run]) -> String {
        var html = """
            <table id="runs">
            <thead><tr><th>run</th><th>started</th><th>last record</th><th>seconds recorded</th>\
            <th>invited</th><th>requests</th><th>retries</th><th>HTTP 429</th><th>rate limit</th></tr></thead>
            <tbody>

            """
        for (index, run) in runs.enumerated() {
            let sum = { (value: (RunTimeline.Second) -> Int) in
                run.seconds.reduce(0) { $0 + value($1) }
            }
            let rates = run.seconds.compactMap(\.rate)
            let rate =
                rates.isEmpty
                ? "none" : "\(Self.number(rates.min()!))-\(Self.number(rates.max()!))/s"
            html += """
                <tr data-started="\(run.start.at)"><td class="n">\(index + 1)</td>\
                <td>\(HTMLReport.time(run.start.at))</td>\
                <td>\(run.seconds.last.map { HTMLReport.time($0.at) } ?? "")</td>\
                <td class="n">\(run.seconds.count)</td><td class="n">\(sum(\.invited))</td>\
                <td class="n">\(sum(\.requests))</td><td class="n">\(sum(\.retries))</td>\
                <td class="n">\(sum(\.throttled))</td><td>\(rate)</td></tr>

                """
        }
        return html + "</tbody>\n</table>\n"
    }

    private static func line(_ kind: String, _ points: [(Double, Double)]) -> String {
        guard points.count > 1 else { return "" }
        return "<polyline class=\"\(kind)\" points=\""
            + points.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ")
            + "\"/>\n"
    }

    /// 1, 2 or 5 times a power of ten, at least `value`.
    static func roundUp(_ value: Double) -> Double {
        let power = pow(10, floor(log10(max(value, 1e-9))))
        for factor in [1.0, 2.0, 5.0, 10.0] where factor * power >= value { return factor * power }
        return 10 * power
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
