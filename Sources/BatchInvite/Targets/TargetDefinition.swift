/// An invitation API described as data (README, "Targets"): what `--target FILE.json` names.
/// Loaded and checked whole by `TargetDefinition.load` (every problem with its JSON
/// pointer), its templates parsed once; `DefinitionTarget` runs it.
public struct TargetDefinition: Sendable {
    /// The name used in journals, ledgers and reports (`github-org-invitations`).
    public var name: String
    /// One line saying what it does.
    public var description: String
    /// The page of the API's documentation it follows.
    public var documentation: String
    /// The base URL `run` uses when `--base-url` is not given.
    public var baseURL: String?
    /// The constants a run gives with `--var NAME=VALUE`.
    public var vars: [Variable]
    public var fields: [Field]
    /// Which of `fields` is the row's key.
    public var keyField: Int
    public var request: Request
    /// The header the token goes in: nil for `Authorization: Bearer TOKEN`.
    public var tokenHeader: String?
    /// The word written before the token in `tokenHeader` (`SSWS TOKEN`); nil: the token
    /// alone.
    public var tokenScheme: String?
    /// Where `--client-id` gets tokens when `--oauth-token-url` is not given; nil when the
    /// definition names no token endpoint.
    public var oauth: OAuthDefaults?
    public var answer: AnswerRules
    public var rate: RateRules
    /// The two name fields a full-name column can fill, and the headers meaning one.
    public var fullName: FullNameSpec?
    /// The definition's bytes as read, for `targets show`.
    public var source: [UInt8]
    /// SHA-256 of `source`, in hex: a journal written with another definition is another run.
    public var digest: String { SHA256.digest(source).map { String(format: "%02x", $0) }.joined() }

    /// A constant given on the command line (`--var org=acme`).
    public struct Variable: Sendable, Equatable {
        public var name: String
        public var description: String
        /// Whether a run must give it (else it is empty when not given).
        public var required: Bool
    }

    /// One field a row carries.
    public struct Field: Sendable {
        public var name: String
        public var aliases: [String]
        public var rule: Rule
        /// Whether a row may leave it empty (then it is left out of the request).
        public var required: Bool
        /// The tool's option that fills it for rows without it (`--role`), with its help.
        public var defaultOption: FieldSpec.DefaultOption?
        /// The `--var` that fills it for rows without it.
        public var defaultVar: String?
        /// For the key field: whether the key is lower-cased (an e-mail address, a UUID).
        public var keyLowercased: Bool
    }

    /// The tool's checks a field may name.
    public enum Rule: Sendable {
        /// A name or other text: not empty, no control characters, at most this long.
        case text(maxLength: Int)
        case email
        /// A UUID, braces allowed; sent bare and lower-cased.
        case uuid
        /// One of these words, any case; sent as written here.
        case choice(FieldRules.Choices)
        /// A whole number in the range; sent as a JSON number.
        case integer(ClosedRange<Int64>)
        /// E.164; sent as `+` and digits.
        case phone
        case url
    }

    /// The request for one row.
    public struct Request: Sendable {
        public var method: String
        /// The path, each placeholder a percent-encoded path segment.
        public var path: TextTemplate
        /// Query parameters: name and template, each value percent-encoded.
        public var query: [(name: String, value: TextTemplate)]
        /// Header lines of the API's own: name and template (`{{var.NAME}}` only).
        public var headers: [(name: String, value: TextTemplate)]
        public var body: Body
        /// The header that carries a key derived from the row's key and the job, for APIs
        /// that honour one (a resend after a lost answer is then safe); nil when none.
        public var idempotencyHeader: String? = nil
    }

    /// The token endpoint of the API's identity provider, for OAuth client credentials.
    public struct OAuthDefaults: Sendable {
        /// An `https://` URL whose path may place `{{var.NAME}}`, each value percent-encoded
        /// as a path segment (`https://login.microsoftonline.com/{{var.tenant}}/...`).
        public var tokenURL: TextTemplate
        /// The scope to ask for (`--oauth-scope` replaces it); nil for none.
        public var scope: String?
    }

    /// What the request carries.
    public enum Body: Sendable {
        case none
        /// A JSON document whose placeholders become JSON values of their field's type.
        case json(JSONTemplate)
        /// `application/x-www-form-urlencoded` pairs.
        case form([(name: String, value: TextTemplate)])
    }

    /// What an answer means.
    public struct AnswerRules: Sendable {
        /// The 2xx statuses that can mean success (empty: any).
        public var successStatuses: [Int]
        /// Tests the body must pass for a 2xx to be a success.
        public var successTests: [JSONTest]
        /// Where a success's message is; the first non-empty wins.
        public var successMessage: [JSONPointer]
        public var invitationStatus: JSONPointer?
        public var expiresAt: JSONPointer?
        /// Where a refusal's message is; the first non-empty wins (an object or array
        /// quoted as JSON).
        public var message: [JSONPointer]
        /// What a 2xx whose body is not a JSON object means, by status (`other` for the rest).
        public var unreadable: [Int: Verdict]
        public var unreadableOther: Verdict
        /// The statuses at which a message saying so means "already invited" (empty: any
        /// that is not a success).
        public var alreadyInvitedStatuses: [Int]
        /// Alternatives, each words that must appear in this order in a message (any case).
        public var alreadyInvitedWords: [[String]]
        /// How a 2xx whose body fails `successTests` reads.
        public var failedTests: FailedTests
        /// Whether the API answers every error with a JSON object, so that an error whose
        /// body is not one is "unexpected" (CyberArk) rather than just its status.
        public var errorsAreJSON: Bool
    }

    /// What a 2xx that fails the success tests says.
    public enum FailedTests: String, Sendable, CaseIterable {
        /// The message the answer holds (at `message`), else "unexpected answer" and the body.
        case message
        /// "unexpected answer" and the body, whatever it holds: the API's success
        /// statuses never carry a refusal (Sendoso).
        case unexpected
        /// Read as an error answer: the message, else the status and the body (CyberArk
        /// refuses with HTTP 200 and `"success": false`).
        case refusal
    }

    /// What an unreadable 2xx means.
    public enum Verdict: String, Sendable, CaseIterable {
        case invited, refused, unclear
    }

    /// A test of one value of the answer's body.
    public struct JSONTest: Sendable {
        public enum Kind: Sendable {
            case equals(JSONValue)
            case notEquals(JSONValue)
            case absentOrNull
        }
        public var pointer: JSONPointer
        public var kind: Kind

        /// Whether `document` passes.
        public func holds(in document: JSONValue) -> Bool {
            let found = pointer.first(in: document)
            switch kind {
            case .equals(let wanted): return found == wanted
            case .notEquals(let unwanted): return found != unwanted
            case .absentOrNull: return found == nil || found == .null
            }
        }
    }

    /// The API's own rate-limit signals and its safe rate.
    public struct RateRules: Sendable {
        public var defaultRate: Double
        /// The header saying when the limit resets, and how.
        public var resetHeader: String?
        public var resetUnit: ResetUnit
        /// Statuses that are a rate limit (not a rejected token) when a header says so.
        public var limitedWhen: [(status: Int, header: String, equals: String?)]
    }

    /// How a reset header counts.
    public enum ResetUnit: String, Sendable, CaseIterable {
        /// Seconds to wait.
        case seconds
        /// The Unix time the limit resets.
        case unix
        /// Seconds, or a Unix time when over 10^9 (Sendoso's `X-Rate-Limit-Reset`).
        case either = "seconds_or_unix"
    }

    /// A key as a row with `text` in the key field would have it: trimmed, a UUID bare and
    /// lower case, lower-cased when the key is (`ledger forget` takes keys as people write
    /// them).
    public func key(of text: String) -> String {
        var bytes = Array(text.utf8)
        var key = RowKey()
        bytes.withUnsafeMutableBytes {
            let trimmed = FieldRules.trimmed(UnsafeRawBufferPointer($0))
            let field = fields[keyField]
            if case .uuid = field.rule {
                key.setLowercased(FieldRules.unbraced(trimmed))
            } else if field.keyLowercased {
                key.setLowercased(trimmed)
            } else {
                key.set(Array(trimmed))
            }
        }
        return key.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}
