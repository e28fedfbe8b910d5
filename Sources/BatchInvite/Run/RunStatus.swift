import Foundation

/// What a run's journal says, for `batch-invite status`: its target and input, how many
/// rows ended in each status (every input row counted: rows the run never reached are not
/// sent), the rows in doubt, when it was last written and whether a run holds it now; for
/// people (`text`) and for schedulers (`json`, `exitCode`).
public struct RunStatus {
    /// The journal's path.
    public let journal: String
    private let summary: JournalSummary

    /// The statuses counted, in the report's order.
    private static let statuses: [RowStatus] = [
        .invited, .alreadyInvited, .failed, .invalid, .duplicate, .notSent, .inDoubt, .skipped,
    ]

    /// Reads the journal at `journal` (a torn last record is cut off); changes nothing.
    public init(journal: String) throws {
        self.journal = journal
        summary = try JournalSummary(path: journal)
    }

    /// 4 while a run holds the journal or any row is unreached, not sent or in doubt (or
    /// the input's row count is unknown); else 0 when every row was invited (or already
    /// invited, or skipped), 1 when not.
    public var exitCode: ExitCode {
        guard summary.isSettled else { return .unfinished }
        let done =
            (summary.counts[.invited] ?? 0) + (summary.counts[.alreadyInvited] ?? 0)
            + (summary.counts[.skipped] ?? 0)
        return done == summary.rows ? .success : .rowsNotDone
    }

    /// When the journal was last written (ISO 8601), or empty.
    private var lastActivity: String {
        summary.lastActivity.map {
            Clock.iso8601(milliseconds: Int64($0.timeIntervalSince1970 * 1000))
        } ?? ""
    }

    /// A header field's text (nil when missing); a base URL of a journal of an earlier
    /// version may hold a password, which is hidden.
    private func header(_ field: String) -> String? {
        guard let value = summary.header?[field]?.text else { return nil }
        return field == "base_url" ? Redactor.hidingUserInfo(value) : value
    }

    /// One JSON object and a newline.
    public var json: [UInt8] {
        let counts = summary.countsWithUnreached
        var json = JSONWriter()
        json.beginObject()
        json.member("journal", journal)
        json.member("target", header("target") ?? "")
        json.member("base_url", header("base_url") ?? "")
        json.member("input", header("input") ?? "")
        json.member("started", header("started") ?? "")
        json.member("rows", summary.rows)
        json.key("counts")
        json.beginObject()
        for status in Self.statuses {
            json.key(status.rawValue)
            json.integer(counts[status] ?? 0)
        }
        json.endObject()
        json.key("in_doubt")
        json.beginArray()
        for row in summary.inDoubt { json.integer(row) }
        json.endArray()
        json.member("not_reached", summary.notReached)
        json.member("input_rows", summary.inputRows)
        json.member("last_activity", lastActivity)
        json.member("running", summary.heldBy != nil)
        json.member("finished", summary.isFinished)
        json.endObject()
        json.endLine()
        return json.bytes
    }

    /// Lines for a person.
    public var text: String {
        let counts = summary.countsWithUnreached
        var text = "journal: \(journal)\n"
        text +=
            "target: \(header("target") ?? "?"), input: \(header("input") ?? "?")"
            + ", base URL: \(header("base_url") ?? "?")\n"
        text +=
            "\(summary.rows) rows: "
            + Self.statuses.filter {
                ($0 != .alreadyInvited && $0 != .skipped) || (counts[$0] ?? 0) > 0
            }.map {
                "\(counts[$0] ?? 0) \($0.rawValue.replacingOccurrences(of: "_", with: " "))"
            }
            .joined(separator: ", ") + "\n"
        text += rowsLeft
        text += "started: \(header("started") ?? "?"), last activity: \(lastActivity)\n"
        text += "running now: " + (summary.heldBy.map { "yes (\($0))" } ?? "no") + "\n"
        text +=
            "finished: "
            + (summary.isFinished
                ? "yes"
                : summary.lastRunEnded
                    ? "no, rows are left to send" : "no, the run did not write its end") + "\n"
        return text
    }

    /// The lines on the rows not counted, not reached or in doubt, if any.
    private var rowsLeft: String {
        var text = ""
        if summary.inputRows == nil {
            text +=
                "the input was not read through: rows past the \(summary.rows) recorded are "
                + "not counted, and the run is unfinished\n"
        } else if summary.notReached > 0 {
            text +=
                "not reached: \(summary.notReached) \(summary.notReached == 1 ? "row" : "rows") "
                + "(the run stopped before them; the same run command sends them)\n"
        }
        if !summary.inDoubt.isEmpty {
            text +=
                "in doubt (dispatched, no answer recorded): rows "
                + summary.inDoubt.prefix(20).map(String.init).joined(separator: ", ")
                + (summary.inDoubt.count > 20 ? ", ..." : "") + "\n"
        }
        return text
    }
}
