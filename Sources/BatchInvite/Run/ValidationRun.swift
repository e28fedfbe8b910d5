/// `batch-invite validate`: every row of an input checked and reported, nothing sent.
public enum ValidationRun {
    /// Checks every row of `input` for `target` and writes the report to `reportPath`;
    /// returns the counts. `onWarning` hears what the user should know.
    /// When `overview` is not nil, the report's overview is gathered into it.
    public static func run(
        input: InputOptions, target: any Target, reportPath: String, reportFormat: ReportFormat,
        overview: inout ReportOverview?, onWarning: @escaping (String) -> Void
    ) throws -> ValidationSummary {
        let pipeline = try RowPipeline(options: input, target: target, onWarning: onWarning)
        let writer = try ReportWriter(
            path: reportPath, format: reportFormat, overview: overview != nil)
        defer { overview = writer.overview }
        var summary = ValidationSummary()
        try pipeline.checkedRows().forEachBatch { batch in
            for index in 0..<batch.count {
                let row = batch[index]
                summary.count(row.status)
                try writer.write(row.reportColumns)
            }
        }
        summary.blankRecordsSkipped = pipeline.source.blankRecordsSkipped
        // Not synced: validating again takes less time than syncing a large report would
        // add to every validation (a run's report is synced).
        try writer.finish(durable: false)
        if summary.rows == 0 {
            onWarning("warning: \(pipeline.source.displayName) has no data rows")
        }
        return summary
    }
}
