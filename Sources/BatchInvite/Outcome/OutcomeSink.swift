/// Where a run's outcomes go once they are on record: the report. The journal hands it
/// each row's outcome in input order (`JournalReader.writeOutcomes`), read back from its own
/// file, so the report says what the journal says and nothing passes through the pipeline
/// on the way.
public protocol OutcomeSink: AnyObject {
    /// Takes one row's outcome, its columns borrowed for the call.
    func write(_ columns: OutcomeColumns) throws
}
