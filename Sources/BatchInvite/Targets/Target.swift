/// An invitation API the tool can send to. A target knows everything particular to its
/// API: its fields and their header aliases, how to check a row and what its key is, the
/// request, what an answer means, its safe rate and its own rate-limit header. Every
/// target is a definition (README, "Targets") run by `DefinitionTarget`: the two built-ins
/// compiled in (`Targets.all`, `BuiltInTarget`), any other read from a file.
public protocol Target: Sendable {
    /// The name used on the command line (`--target sendoso`).
    var name: String { get }
    /// The fields a row carries for this API, in the order they are reported.
    var fields: [FieldSpec] { get }
    /// Which of `fields` is the row's key (for duplicates and the report's `key` column).
    var keyField: Int { get }
    /// Checks one row's values. Sets the row's key (normalised) in `key`
    /// even when the row is invalid, if there is one, and adds one reason per problem
    /// (`email: "bob@" is not an email address`) to `problems`.
    func validate(_ values: RowValues, key: inout RowKey, problems: inout RowProblems)

    /// What the request for a valid row carries, built once from the checked values so that
    /// sending needs nothing more of the target: its path and query when they place a value
    /// of the row (`path`, when it is not `defaultPath`, in place of the target's path:
    /// `--path`), else nothing (the frame has them), then a 0 byte and its body
    /// (`APIRequest.init(_:payload:)` reads it). No value holds a 0 byte: every rule
    /// refuses control characters.
    func payload(_ values: RowValues, path: String) -> [UInt8]

    /// The path requests go to when `--path` is not given.
    var defaultPath: String { get }

    /// What every request to `path` (as in `payload`) has alike: its method, content type
    /// and header lines (the token aside, which the sender adds), and its path and query
    /// when no row places a value in them; a row's payload gives the rest.
    func requestFrame(path: String) -> APIRequest

    /// What an answer means for the row. Called for every HTTP status; the statuses every
    /// target treats alike (401/403, 429, 408, 500, 502, 503, 504; `RetryPolicy.classify`)
    /// are classified before it is asked, so it sees 2xx, the remaining 4xx and the other
    /// 5xx (501, 505, ...: final).
    func interpret(status: Int, body: [UInt8]) -> Answer

    /// Requests per second when `--rate` is not given: what the API documents as safe.
    var defaultRate: Double { get }

    /// Seconds a 429 asks to wait by a header of this API's own, beyond the standard
    /// `Retry-After` (which is read first); nil when it says nothing. `now` is the time in
    /// seconds since 1970.
    func rateLimitWait(_ headers: HTTPHeaders, now: Double) -> Double?

    /// The two name fields a full-name column can fill (`--map "Name=full_name"`), and the
    /// headers that mean a full name; nil for a target without names.
    var fullName: FullNameSpec? { get }

    /// Whether an answer with a status every target treats as a rejected token (401, 403)
    /// is a rate limit instead, by a header of this API's own (GitHub's 403 with
    /// `x-ratelimit-remaining: 0`).
    func isRateLimit(status: Int, headers: HTTPHeaders) -> Bool

    /// The base URL when `--base-url` is not given; nil when it must be.
    var defaultBaseURL: String? { get }

    /// The header the token goes in, as `NAME: TOKEN`; nil for `Authorization: Bearer`.
    var tokenHeader: String? { get }

    /// The word before the token in `tokenHeader` (`Authorization: SSWS TOKEN`); nil: the
    /// token alone.
    var tokenScheme: String? { get }

    /// A digest of the definition the target was loaded from (nil for a built-in): a
    /// journal written under another one belongs to another run.
    var definitionDigest: String? { get }

    /// The `--var` values the target was given, by name (for the journal).
    var varValues: [(name: String, value: String)] { get }

    /// The header that carries an idempotency key (a digest of the job and the row's
    /// key, the same on every resend), for APIs that honour one; nil when the API has none.
    var idempotencyHeader: String? { get }
}

extension Target {
    public var fullName: FullNameSpec? { nil }
    public func isRateLimit(status: Int, headers: HTTPHeaders) -> Bool { false }
    public var defaultBaseURL: String? { nil }
    public var tokenHeader: String? { nil }
    public var tokenScheme: String? { nil }
    public var definitionDigest: String? { nil }
    public var varValues: [(name: String, value: String)] { [] }
    public var idempotencyHeader: String? { nil }
}

/// A target's first and last name fields, which one column holding whole names can fill
/// (`FullName` splits each value), and the header texts that mean such a column.
public struct FullNameSpec: Sendable {
    /// The field (index in `Target.fields`) the given names go to.
    public let first: Int
    /// The field the family names go to.
    public let last: Int
    /// Header texts that mean a full name (`Name`, `Full Name`, `Nome`, `ФИО`, `氏名`).
    public let aliases: [String]

    public init(first: Int, last: Int, aliases: [String]) {
        self.first = first
        self.last = last
        self.aliases = aliases
    }
}

/// One field a target needs from each row.
public struct FieldSpec: Sendable {
    /// The field's name as in the API contract and in messages (`first_name`).
    public let name: String
    /// Header texts that mean this field besides its name (`Given Name`); matched the
    /// forgiving way of `HeaderMatcher`.
    public let aliases: [String]
    /// Whether a JSON number is accepted as well as a string (a whole number's field).
    public let acceptsNumber: Bool
    /// The command-line option that gives the field a value for rows without one
    /// (`--role R`), when there is one: its name, its value's placeholder, and its help.
    public let defaultOption: DefaultOption?
    /// Whether a file may lack its column altogether (a definition's optional field).
    public var optional = false

    /// An option that fills a field for rows where it is empty or missing.
    public struct DefaultOption: Sendable {
        public let name: String
        public let value: String
        public let help: String
        /// The values it takes, when they are few (for advice that can be followed as is).
        public let choices: [String]

        public init(name: String, value: String, help: String, choices: [String] = []) {
            self.name = name
            self.value = value
            self.help = help
            self.choices = choices
        }
    }

    public init(
        name: String, aliases: [String], acceptsNumber: Bool = false,
        defaultOption: DefaultOption? = nil
    ) {
        self.name = name
        self.aliases = aliases
        self.acceptsNumber = acceptsNumber
        self.defaultOption = defaultOption
    }
}

/// The registry of targets: the one place a new API is added.
public enum Targets {
    /// Every built-in target, by command-line name: each its definition, loaded once (a
    /// row is checked by it directly, with nothing in between).
    public static let all: [any Target] = [SendosoTarget.loaded, CyberArkSMSTarget.loaded]

    /// The target named `name`, if there is one.
    public static func named(_ name: String) -> (any Target)? {
        all.first { $0.name == name }
    }

    /// The names, for help texts and errors (`sendoso|cyberark-sms`).
    public static var names: String { all.map(\.name).joined(separator: "|") }
}
