/// A run's report written from its journal.
extension ReportWriter {
    /// Appends the lines of the outcomes written at `offsets` of the journal `reader` reads.
    func writeOutcomes(at offsets: some Sequence<Int64>, from reader: JournalReader) throws {
        for offset in offsets {
            try reader.withReportColumns(at: offset) { try write($0) }
        }
    }
}
