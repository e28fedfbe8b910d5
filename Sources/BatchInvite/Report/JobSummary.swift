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
    public var counts: [RowStatus: Int] = [:]
    /// A dry run (`run --dry-run`): `counts` and `plan` hold the rows by planned status.
    public var dryRun = false
    /// A dry run's rows by planned status (`RunPlan`), for the summary's `plan` object.
    public var plan: [RowStatus: Int]?
    public var requests = 0
    public var retries = 0
    public var throttled = 0
    public var resentInDoubt = 0
    public var averageRate = 0.0
    public var peakRate = 0.0
    public var report: String?
    public var journal: String?
    /// For the HTML page (`--html`), not the JSON: where it goes, the report's overview
    /// and the run's timeline.
    public var htmlPath: String?
    public var overview: ReportOverview?
    public var timeline: RunTimeline?

    public init(command: String, started: Int64 = Clock.wallMilliseconds()) {
        self.command = command
        self.started = started
    }

    /// Takes the counters of a run.
    public mutating func take(_ statistics: RunStatistics.Snapshot) {
        counts = statistics.counts
        requests = statistics.requests
        retries = statistics.retries
        throttled = statistics.throttled
        resentInDoubt = statistics.resentInDoubt
        averageRate = statistics.rate
        peakRate = statistics.peakRate
    }

    public var rows: Int { counts.values.reduce(0, +) }
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
        var out: [UInt8] = Array("{\"tool\":\"batch-invite\",\"version\":".utf8)
        func string(_ name: String, _ value: String?) {
            out.append(contentsOf: ",\"\(name)\":".utf8)
            if let value {
                TextBytes.appendJSONString(value, to: &out)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        }
        func number(_ name: String, _ value: String) {
            out.append(contentsOf: ",\"\(name)\":\(value)".utf8)
        }
        TextBytes.appendJSONString(BatchInviteVersion.current, to: &out)
        string("command", command)
        string("target", target)
        string("input", input)
        if let fingerprint = inputFingerprint {
            number("input_size", String(fingerprint.size))
            string("input_hash", fingerprint.hashText)
        } else {
            number("input_size", "null")
            string("input_hash", nil)
        }
        string("started", Clock.iso8601(milliseconds: started))
        string("finished", Clock.iso8601(milliseconds: finished))
        number("duration_seconds", Self.decimal(durationSeconds))
        number("exit_code", String(exitCode.code))
        string("exit_meaning", exitCode.meaning)
        string("error", error)
        number("rows", String(rows))
        out.append(contentsOf: ",\"counts\":{".utf8)
        out.append(
            contentsOf: statuses.map { "\"\($0.rawValue)\":\(counts[$0] ?? 0)" }.joined(
                separator: ","
            ).utf8)
        out.append(UInt8(ascii: "}"))
        if command == "run" {
            out.append(contentsOf: ",\"dry_run\":\(dryRun)".utf8)
        }
        if let plan {
            out.append(contentsOf: ",\"plan\":{".utf8)
            out.append(
                contentsOf: RowStatus.planned.map { "\"\($0.rawValue)\":\(plan[$0] ?? 0)" }
                    .joined(separator: ",").utf8)
            out.append(UInt8(ascii: "}"))
        }
        if command == "run" {
            number("requests", String(requests))
            number("retries", String(retries))
            number("http_429", String(throttled))
            number("resent_in_doubt", String(resentInDoubt))
            number("average_rate", Self.decimal(averageRate))
            number("peak_rate", Self.decimal(peakRate))
        }
        string("report", report)
        string("journal", journal)
        out.append(contentsOf: "}\n".utf8)
        return out
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
            statuses.map { (",status=\"\($0.rawValue)\"", String(counts[$0] ?? 0)) })
        if command == "run" {
            metric(
                "\(prefix)_requests_total", "counter", "HTTP requests the last run sent.",
                [("", String(requests))])
            metric(
                "\(prefix)_retries_total", "counter", "Requests the last run sent again.",
                [("", String(retries))])
            metric(
                "\(prefix)_http_429_total", "counter", "HTTP 429 answers the last run met.",
                [("", String(throttled))])
            metric(
                "\(prefix)_resent_in_doubt_total", "counter",
                "Rows an earlier run left in doubt that the last run sent again.",
                [("", String(resentInDoubt))])
            metric(
                "\(prefix)_peak_rate", "gauge",
                "Most invitations the last run made in one second.",
                [("", Self.decimal(peakRate))])
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
