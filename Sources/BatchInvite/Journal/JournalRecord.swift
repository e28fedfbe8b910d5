/// A record queued in the journal, to be encoded and written by its committing thread (or
/// by `Journal.markSending`).
enum JournalRecord {
    /// A row about to be sent, and when (milliseconds since 1970).
    case dispatch(row: Int, line: Int, key: String, at: Int64)
    /// A row's outcome, and when it was decided.
    case outcome(OutcomeRecord, OutcomeMarks, at: Int64)
    /// Any other record, its object written already (`start`, `second`, `end`).
    case object([UInt8])

    /// Frames `records` as journal lines into `out`, noting in `placed` each outcome's row
    /// and where in `out` it starts; `json` is the caller's scratch space, kept between
    /// calls.
    static func encode(
        _ records: [JournalRecord], into out: inout [UInt8], placed: inout [(row: Int, at: Int)],
        using json: inout JSONWriter
    ) {
        for record in records {
            json.reset()
            switch record {
            case .dispatch(let row, let line, let key, let time):
                json.beginObject()
                json.member("type", "dispatch")
                json.member("row", row)
                json.member("line", line)
                json.member("key", key)
                json.member("at", Int(time))
                json.endObject()
            case .outcome(let outcome, let marks, let time):
                placed.append((outcome.row, out.count))
                json.beginObject()
                json.member("type", "outcome")
                // Flags before the row: a reader's walk stops once it has the status.
                if marks.transient { json.member("transient", true) }
                if marks.unsettled { json.member("unsettled", true) }
                // The report's columns (row, line, key and status first: a reader's walk
                // stops once it has them), then the time.
                outcome.writeColumns(to: &json)
                json.member("at", Int(time))
                json.endObject()
            case .object(let bytes):
                JournalFormat.appendFrame(bytes[...], to: &out)
                continue
            }
            JournalFormat.appendFrame(json.bytes[...], to: &out)
        }
    }

    /// Frames a `sent` record for each of `rows` into `out` (`Journal.markSending`).
    static func encodeSent(rows: [Int], into out: inout [UInt8], using json: inout JSONWriter) {
        for row in rows {
            json.reset()
            json.beginObject()
            json.member("type", "sent")
            json.member("row", row)
            json.endObject()
            JournalFormat.appendFrame(json.bytes[...], to: &out)
        }
    }

    /// The object of the record that the input was read to its end: `rows` data rows and
    /// `blank` blank records.
    static func end(rows: Int, blank: Int) -> JournalRecord {
        .object(
            JSONWriter.object { json in
                json.member("type", "end")
                json.member("rows", rows)
                json.member("blank", blank)
            })
    }
}
