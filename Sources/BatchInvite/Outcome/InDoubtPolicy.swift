/// What to do with a row that may or may not have reached the API (a request whose answer
/// was lost, or one an earlier run was making when it died).
public enum InDoubtPolicy: String, Sendable {
    /// Send it again (the message says it may have arrived twice).
    case retry
    /// Do not send it again; report it `in_doubt` (at-most-once delivery).
    case skip
}
