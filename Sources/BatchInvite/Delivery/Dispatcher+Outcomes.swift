/// How the dispatcher records a row's outcome.
extension Dispatcher {
    /// Records a row the run stopped before sending (again): `not_sent`, or, when an
    /// answer to it was lost, `in_doubt` and unsettled, so that the next run treats it as
    /// in doubt (a note if it sends it again, or nothing sent under `--in-doubt skip`).
    func stopped(_ job: Job) {
        guard let lost = job.lostAnswers.last else {
            finish(
                job, status: .notSent, httpStatus: job.lastStatus, message: control.notSentMessage)
            return
        }
        finish(
            job, status: .inDoubt, httpStatus: job.lastStatus,
            message: "in doubt: \(lost), so the API may have acted on it; "
                + control.notSentMessage.replacingOccurrences(
                    of: "not sent: ", with: "not sent again: ")
                + "; the same run command sends it again (--in-doubt retry) or reports it "
                + "in_doubt (--in-doubt skip)",
            marks: OutcomeMarks(unsettled: true))
    }

    /// Why a retried row may have reached the API more than once; or, when every attempt
    /// carried the same idempotency key, why it did not.
    func note(_ lostAnswers: [String]) -> String {
        guard !lostAnswers.isEmpty else { return "" }
        if let idempotency = configuration.idempotency {
            return " (note: \(lostAnswers.joined(separator: ", ")); sent again with the same "
                + "\(idempotency.header), so the API acts on it once)"
        }
        return " (note: \(lostAnswers.joined(separator: ", ")); the API may have acted on "
            + (lostAnswers.count == 1 ? "it" : "them")
            + ", so \(RepeatNote.words) more than once)"
    }

    /// Counts and records `job`'s outcome, the run's secrets hidden from its texts.
    func finish(
        _ job: Job, status: RowStatus, httpStatus: Int? = nil, message: String,
        invitationStatus: String = "", expiresAt: String = "", marks: OutcomeMarks = OutcomeMarks()
    ) {
        statistics.count(status)
        let redactor = configuration.redactor
        let row = job.row
        log.append(
            OutcomeRecord(
                row: row.row, line: row.line, key: row.key, status: status, httpStatus: httpStatus,
                message: redactor.redact(message + row.note),
                invitationStatus: redactor.redact(invitationStatus),
                expiresAt: redactor.redact(expiresAt), attempts: job.attempts),
            marks: marks)
    }
}
