/// What a run is told, as plain settings: the executable hands them over, and the run makes
/// its transport, dispatcher, rate limiter and journal from them.
extension BatchRun {
    /// Everything a run is told, but its input, target and token.
    public struct Configuration: Sendable {
        /// How requests reach the API.
        public var connection: ConnectionSettings
        /// How rows are sent.
        public var sending: Sending
        /// The journal (`--journal`, or the report's path and `.journal`).
        public var journalPath: String
        /// The report, and its format.
        public var reportPath: String
        public var reportFormat: ReportFormat
        /// The progress shown on standard error (`--progress`, `--quiet`). Default `auto`.
        public var progress: ProgressDisplay.Mode = .auto
        /// Whether the journal is synced (only benchmarks switch this off).
        public var syncsJournal = true
        /// Start a new journal even if one exists (the old one set aside as
        /// `<journal>.<its start time>`, its history kept: `RestartHistory`).
        public var restart = false
        /// Send again to people the journal set aside by `--restart` had invited
        /// (`--reinvite`).
        public var reinvite = false
        /// Send again rows that failed on transient errors in an earlier run.
        public var retryFailed = false
        /// The job's ledger across runs (`--ledger`), if any.
        public var ledgerPath: String?
        /// Days after which a key the ledger holds as invited is sent again
        /// (`--reinvite-after`); nil: never.
        public var reinviteAfterDays: Double?
        /// Whether the result carries the report's overview (for `--html`).
        public var overview = false

        public init(
            connection: ConnectionSettings, sending: Sending, journalPath: String,
            reportPath: String, reportFormat: ReportFormat
        ) {
            self.connection = connection
            self.sending = sending
            self.journalPath = journalPath
            self.reportPath = reportPath
            self.reportFormat = reportFormat
        }
    }

    /// How rows are sent: requests at once, attempts, pace, and what is sent at all.
    public struct Sending: Sendable {
        /// The request path (`--path`, else the target's).
        public var path: String
        /// Requests in flight at most. Default 8.
        public var concurrency = 8
        /// Attempts per row, the first included. Default 5.
        public var maxAttempts = 5
        /// The longest `Retry-After` honoured, in seconds. Default 120.
        public var maxRetryAfter = 120.0
        /// Requests per second (0: no limit). Default 10.
        public var rate = 10.0
        /// Requests that may go at once after a pause. Default 1.
        public var burst = 1
        /// What to do with a row whose answer was lost, or that an earlier run left in
        /// doubt. Default `retry`.
        public var inDoubt = InDoubtPolicy.retry
        /// Report a row the API says already has an invitation `failed` (`--already-invited
        /// fail`) rather than `already_invited`. Default false.
        public var alreadyInvitedFails = false
        /// Rows sent at most in this run (`--limit`); nil: no limit.
        public var limit: Int?

        public init(path: String) {
            self.path = path
        }
    }
}

extension BatchRun.Configuration {
    /// The journal's header for a run of `target` over `input` (its options as given, its
    /// path as the user named it), whose content has `fingerprint`.
    func header(target: any Target, input: InputOptions, fingerprint: InputFingerprint?)
        -> JournalHeader
    {
        var header = JournalHeader(
            target: target.name, baseURL: connection.baseURL, path: sending.path,
            input: input.path, fingerprint: fingerprint, inputOptions: input)
        header.targetDigest = target.definitionDigest
        header.targetDefinition = (target as? DefinitionTarget)?.definitionPath
        header.targetVars = Dictionary(
            target.varValues.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        return header
    }

    /// The dispatcher's configuration, the run's `redactor` and `credentials` in it.
    func dispatcher(
        redactor: Redactor, credentials: RunCredentials, idempotency: IdempotencyKey?
    ) -> Dispatcher.Configuration {
        var delivery = Dispatcher.Configuration()
        delivery.path = sending.path
        delivery.limit = sending.limit
        delivery.concurrency = sending.concurrency
        delivery.retry.maxAttempts = sending.maxAttempts
        delivery.retry.maxRetryAfter = sending.maxRetryAfter
        delivery.inDoubt = sending.inDoubt
        delivery.alreadyInvitedFails = sending.alreadyInvitedFails
        delivery.redactor = redactor
        delivery.credentials = credentials.keeper
        delivery.idempotency = idempotency
        return delivery
    }
}
