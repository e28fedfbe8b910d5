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
        let html = "<section id=\"timeline\">\n<h2>Over time</h2>\n"
        guard timeline.seconds.contains(where: { $0.requests > 0 || $0.invited > 0 }) else {
            return html + "<p class=\"none\">Nothing was sent on this journal.</p>\n"
                + table(runs) + "</section>\n"
        }
        let plot = Plot(runs)
        let svg =
            axes(plot) + bars(plot) + lines(plot) + runMarks(plot)
            + times(runs, perColumn: plot.perColumn)
        return html + svg + "</svg>\n" + Self.legend + table(runs) + "</section>\n"
    }

    /// The runs' seconds in columns, and where values go on the chart.
    struct Plot {
        /// Seconds per column: at most 500 columns over all runs.
        let perColumn: Int
        var columns: [Column] = []
        /// Where each run after the first begins, and when it started.
        var resumes: [(column: Int, at: Int64)] = []
        /// The value at the top of the chart, and the width of a column.
        var top = 1.0
        var step = 0.0

        init(_ runs: [Run]) {
            let total = runs.reduce(0) { $0 + $1.span }
            perColumn = max(1, (total + 499) / 500)
            for run in runs { add(run) }
            for column in columns {
                top = max(
                    top, Double(column.invited) / scale, Double(column.retries) / scale,
                    column.rate ?? 0)
            }
            top = TimelineChart.roundUp(top * 1.1)
            step = (TimelineChart.width - TimelineChart.left - 8) / Double(max(columns.count, 1))
        }

        /// Adds `run`'s columns, each record in its own second: the one its time ends, or
        /// the one after the record before it (the last record of a run ends a part of a
        /// second).
        private mutating func add(_ run: Run) {
            let base = columns.count
            if base > 0 { resumes.append((base, run.start.at)) }
            columns += Array(repeating: Column(), count: (run.span + perColumn - 1) / perColumn)
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

        /// A column's values are per second.
        var scale: Double { Double(perColumn) }

        func x(_ column: Int) -> Double { TimelineChart.left + step * Double(column) }

        func y(_ value: Double) -> Double {
            let plotHeight = TimelineChart.height - TimelineChart.bottom - 8
            return 8 + plotHeight * (1 - min(value / top, 1))
        }
    }

    /// The chart's opening, its half-way grid line and its axes, labelled.
    private func axes(_ plot: Plot) -> String {
        let (left, width, height) = (Self.left, Self.width, Self.height)
        return String(
            format: """
                <svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="invitations per \
                second over the run" data-seconds="%d" data-invited="%d">
                <line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>
                <line class="axis" x1="%.1f" y1="8" x2="%.1f" y2="%.1f"/>
                <line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>
                <text x="%.1f" y="12" text-anchor="end">%@/s</text>
                <text x="%.1f" y="%.1f" text-anchor="end">0</text>

                """, width, height, timeline.seconds.count,
            timeline.seconds.reduce(0) { $0 + $1.invited }, left, plot.y(plot.top / 2),
            width - 8, plot.y(plot.top / 2), left, left, plot.y(0), left, plot.y(0), width - 8,
            plot.y(0), left - 4, Self.number(plot.top), left - 4, plot.y(0) + 4)
    }

    /// Invitations per second (bars up from the axis), and 429s (bars from the axis, at
    /// least 6 units tall so that one is seen).
    private func bars(_ plot: Plot) -> String {
        var svg = ""
        let barWidth = max(plot.step - 0.5, 0.5)
        for (index, column) in plot.columns.enumerated() where column.invited > 0 {
            let value = Double(column.invited) / plot.scale
            svg += String(
                format:
                    "<rect class=\"c-invited\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n",
                plot.x(index), plot.y(value), barWidth, plot.y(0) - plot.y(value))
        }
        for (index, column) in plot.columns.enumerated() where column.throttled > 0 {
            let height = max(plot.y(0) - plot.y(Double(column.throttled) / plot.scale), 6)
            svg += String(
                format:
                    "<rect class=\"c-throttled\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%d answered 429</title></rect>\n",
                plot.x(index), plot.y(0) - height, barWidth, height, column.throttled)
        }
        return svg
    }

    /// Retries per second (a line through the columns with records), and the rate in force
    /// (a step from column to column, while a limit is known).
    private func lines(_ plot: Plot) -> String {
        let columns = plot.columns
        var ratePoints: [(Double, Double)] = []
        for (index, column) in columns.enumerated() {
            guard let rate = column.rate else { continue }
            ratePoints += [
                (plot.x(index), plot.y(rate)), (plot.x(index) + plot.step, plot.y(rate)),
            ]
        }
        return Self.line(
            "c-retries",
            columns.indices.compactMap { index in
                columns[index].seen
                    ? (
                        plot.x(index) + plot.step / 2,
                        plot.y(Double(columns[index].retries) / plot.scale)
                    )
                    : nil
            }) + Self.line("c-rate", ratePoints)
    }

    /// A dashed line where each run after the first resumed.
    private func runMarks(_ plot: Plot) -> String {
        var svg = ""
        for resume in plot.resumes {
            svg += String(
                format: "<line class=\"c-run\" x1=\"%.1f\" y1=\"8\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
                    + "<text x=\"%.1f\" y=\"20\">resumed %@</text>\n",
                plot.x(resume.column), plot.x(resume.column), plot.y(0), plot.x(resume.column) + 3,
                HTMLReport.time(resume.at))
        }
        return svg
    }

    /// When the first run started and the last one stopped, beneath the axis.
    private func times(_ runs: [Run], perColumn: Int) -> String {
        String(
            format:
                "<text x=\"%.1f\" y=\"%.1f\">%@</text>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n",
            Self.left, Self.height - 6, HTMLReport.time(runs.first?.start.at ?? 0),
            Self.width - 8, Self.height - 6,
            "stopped " + HTMLReport.time(runs.last?.seconds.last?.at ?? 0)
                + (perColumn > 1 ? " (\(perColumn) s a column)" : ""))
    }

    private static let legend = """
        <p class="legend"><span><i class="key k-invited"></i>invitations per second</span>\
        <span><i class="key k-throttled"></i>HTTP 429 answers</span>\
        <span><i class="key k-retries"></i>retries per second</span>\
        <span><i class="key k-rate"></i>rate limit in force (requests per second)</span></p>

        """

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
