import BatchInvite
import Foundation

/// `run --dry-run`: the plan of the run the same command would make.
extension RunCommand {
    /// Plans every row (`RunPlan`) from what the run would read, and writes the report,
    /// the page and the summary of the plan; the exit code is the one the run would end
    /// with if every request it sent succeeded. Nothing is sent, and neither the journal
    /// nor the ledger is written.
    func plan(_ summary: inout JobSummary) throws -> Int32 {
        let planner = try RunPlan(
            input: input, target: target, configuration: configuration,
            onWarning: { [redactor] in printNote(redactor.redact($0)) })
        summary.inputFingerprint = planner.inputFingerprint
        let result = try planner.plan(invalidRowsReported: nightly.invalidRowsReported)
        summary.statistics.counts = result.counts
        summary.plan = result.counts
        summary.page.overview = result.overview
        summary.page.path = report.html
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
