import BatchInvite
import Foundation

/// `run --dry-run`: the plan of the run the same command would make.
extension RunCommand {
    /// Plans every row (`RunPlan`) from what the run would read, and writes the report,
    /// the page and the summary of the plan; the exit code is the one the run would end
    /// with if every request it sent succeeded. Nothing is sent, and neither the journal
    /// nor the ledger is written.
    func plan(_ summary: inout JobSummary) throws -> Int32 {
        var input = self.input
        // Standard input (or a pipe) is read once, into a scratch file: fingerprinted like
        // a run's, to be told apart from the input of the journal.
        let scratch = try ScratchDirectory()
        if StandardInputSpool.isNeeded(for: input.path) {
            let spool = try StandardInputSpool(from: input.path, beside: scratch.path + "/input")
            input.path = spool.path
            return try withExtendedLifetime(spool) { try plan(input, &summary) }
        }
        return try plan(input, &summary)
    }

    private func plan(_ input: InputOptions, _ summary: inout JobSummary) throws -> Int32 {
        var configuration = self.configuration
        configuration.header.fingerprint = try InputFingerprint.of(path: input.path)
        summary.inputFingerprint = configuration.header.fingerprint
        let result = try RunPlan(
            input: input, target: target, configuration: configuration,
            onWarning: { [redactor] in printNote(redactor.redact($0)) }
        ).plan(invalidRowsReported: nightly.invalidRowsReported)
        summary.statistics.counts = result.counts
        summary.plan = result.counts
        summary.overview = result.overview
        summary.htmlPath = report.html
        printSummary(result.line + "\n")
        StandardOutput.shared.flush()
        if report.path != "-" { printNote("report: \(report.path)") }
        let sent =
            result[.wouldSend] + result[.wouldReinvite]
            + (result.inDoubtSent ? result[.inDoubt] : 0)
        outputs.sayLast(
            "batch-invite run: dry run, nothing sent; the same command without --dry-run sends "
                + "\(sent) \(sent == 1 ? "row" : "rows")", note: true)
        return result.exitCode.code
    }
}
