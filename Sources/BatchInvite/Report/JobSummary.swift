import Foundation

/// What a `run` or `validate` did, for machines: the JSON summary (`--summary-json`, its
/// fields described by `deploy/summary.schema.json`) and the Prometheus text exposition
/// (`--metrics-file`, for node_exporter's textfile collector). Written on every exit, the
/// failures included.
public struct JobSummary: Sendable {
    public var command: String
    public var target: String?
    public var input: String?
    public var inputFingerprint: InputFingerprint?
    /// Wall-clock milliseconds since 1970.
    public var started: Int64
    public var finished: Int64 = 0
    public var exitCode = ExitCode.success
    /// The one-line error the command ended with (exit 2, 3, 5, 6), secrets hidden.
    public var error: String?
    /// The command's counters (for `validate` and a dry run, only the rows by status).
    public var statistics = RunStatistics.Snapshot()
    /// A dry run (`run --dry-run`): `statistics.counts` and `plan` hold the rows by planned
    /// status.
    public var dryRun = false
    /// A dry run's rows by planned status (`RunPlan`), for the summary's `plan` object.
    public var plan: [RowStatus: Int]?
    public var report: String?
    public var journal: String?
    /// For the HTML page (`--html`), not the JSON.
    public var page = Page()

    /// What the HTML page (`--html`) needs besides the summary.
    public struct Page: Sendable {
        /// Where it goes; nil: no page.
        public var path: String?
        /// The report's overview.
        public var overview: ReportOverview?
        /// The run's timeline (none for `validate` and a dry run).
        public var timeline: RunTimeline?
    }

    public init(command: String, started: Int64 = Clock.wallMilliseconds()) {
        self.command = command
        self.started = started
    }

    public var rows: Int { statistics.rows }
    public var durationSeconds: Double { Double(finished - started) / 1000 }

    /// The statuses a command reports, in the report's order.
    var statuses: [RowStatus] {
        if dryRun { return RowStatus.planned }
        return command == "validate"
            ? [.valid, .invalid, .duplicate, .skipped]
            : [
                .invited, .alreadyInvited, .failed, .invalid, .duplicate, .notSent, .inDoubt,
                .skipped,
            ]
    }

    /// The JSON summary, one object and a newline.
    public var json: [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.member("tool", "batch-invite")
        json.member("version", BatchInviteVersion.current)
        json.member("command", command)
        json.member("target", target)
        json.member("input", input)
        json.member("input_size", inputFingerprint.map { Int($0.size) })
        json.member("input_hash", inputFingerprint?.hashText)
        json.member("started", Clock.iso8601(milliseconds: started))
        json.member("finished", Clock.iso8601(milliseconds: finished))
        json.member("duration_seconds", number: Self.decimal(durationSeconds))
        json.member("exit_code", Int(exitCode.code))
        json.member("exit_meaning", exitCode.meaning)
        json.member("error", error)
        json.member("rows", rows)
        json.key("counts")
        Self.write(statuses, statistics.counts, to: &json)
        if command == "run" { json.member("dry_run", dryRun) }
        if let plan {
            json.key("plan")
            Self.write(RowStatus.planned, plan, to: &json)
        }
        if command == "run" {
            json.member("requests", statistics.requests)
            json.member("retries", statistics.retries)
            json.member("http_429", statistics.http429)
            json.member("resent_in_doubt", statistics.resentInDoubt)
            json.member("average_rate", number: Self.decimal(statistics.rate))
            json.member("peak_rate", number: Self.decimal(statistics.peakRate))
        }
        json.member("report", report)
        json.member("journal", journal)
        json.endObject()
        json.endLine()
        return json.bytes
    }

    /// `counts` of `statuses` as an object, in that order.
    private static func write(
        _ statuses: [RowStatus], _ counts: [RowStatus: Int], to json: inout JSONWriter
    ) {
        json.beginObject()
        for status in statuses {
            json.key(status.rawValue)
            json.integer(counts[status] ?? 0)
        }
        json.endObject()
    }

    /// The Prometheus text exposition format (version 0.0.4), every metric labelled
    /// `job` (and `target` where known).
    public func prometheus(job: String) -> String {
        var labels = "job=\(Self.label(job))"
        if let target { labels += ",target=\(Self.label(target))" }
        var text = ""
        func metric(
            _ name: String, _ type: String, _ help: String, _ samples: [(String, String)]
        ) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (extra, value) in samples {
                text += "\(name){\(labels)\(extra)} \(value)\n"
            }
        }
        let prefix = "batch_invite"
        metric(
            "\(prefix)_rows", "gauge", "Rows of the last \(command) by status.",
            statuses.map { (",status=\"\($0.rawValue)\"", String(statistics[$0])) })
        if command == "run" {
            metric(
                "\(prefix)_requests_total", "counter", "HTTP requests the last run sent.",
                [("", String(statistics.requests))])
            metric(
                "\(prefix)_retries_total", "counter", "Requests the last run sent again.",
                [("", String(statistics.retries))])
            metric(
                "\(prefix)_http_429_total", "counter", "HTTP 429 answers the last run met.",
                [("", String(statistics.http429))])
            metric(
                "\(prefix)_resent_in_doubt_total", "counter",
                "Rows an earlier run left in doubt that the last run sent again.",
                [("", String(statistics.resentInDoubt))])
            metric(
                "\(prefix)_peak_rate", "gauge",
                "Most invitations the last run made in one second.",
                [("", Self.decimal(statistics.peakRate))])
        }
        metric(
            "\(prefix)_run_duration_seconds", "gauge", "How long the last \(command) took.",
            [("", Self.decimal(durationSeconds))])
        metric(
            "\(prefix)_last_run_timestamp_seconds", "gauge",
            "When the last \(command) finished, in seconds since 1970.",
            [("", Self.decimal(Double(finished) / 1000))])
        metric(
            "\(prefix)_last_run_exit_code", "gauge",
            "The exit code of the last \(command) (0 done, 1 rows not done, 2 usage, "
                + "3 credentials, 4 unfinished, 5 temporary, 6 local failure).",
            [("", String(exitCode.code))])
        return text
    }

    private static func decimal(_ value: Double) -> String {
        value.isFinite ? String(format: "%.3f", value) : "0"
    }

    /// A label value quoted, with `\`, `"` and line breaks escaped.
    private static func label(_ value: String) -> String {
        var out = "\""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
