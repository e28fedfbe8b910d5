/// An invitation API the tool can send to. A target knows its fields, how to check a row
/// and what the row's key is. Adding an API means one new file with a type conforming to
/// `Target`, plus its line in `Targets.all`.
public protocol Target: Sendable {
    /// The name used on the command line (`--target sendoso`).
    var name: String { get }
    /// The fields a row carries for this API, in the order they are reported.
    var fields: [FieldSpec] { get }
    /// Which of `fields` is the row's key (for duplicates and the report's `key` column).
    var keyField: Int { get }
    /// Checks one row's values. Writes the row's key (normalised, as bytes) into `key`
    /// even when the row is invalid, if there is one, and appends one message per problem
    /// (`email: "bob@" is not an email address`) to `problems`.
    func validate(_ values: RowValues, key: inout [UInt8], problems: inout [String])

    /// What the request for a valid row carries (Sendoso: the JSON body; CyberArk: the
    /// UUID), built once from the checked values so that sending needs no re-parsing.
    func payload(_ values: RowValues) -> [UInt8]

    /// The path requests go to when `--path` is not given.
    var defaultPath: String { get }

    /// The HTTP request for a row's payload (without the token, which the sender adds).
    func request(payload: [UInt8], path: String) -> APIRequest

    /// What an answer means for the row. Called for every HTTP status; the statuses every
    /// target treats alike (401/403, 429, 408, 5xx) are classified before it is asked,
    /// so it sees 2xx and the remaining 4xx.
    func interpret(status: Int, body: [UInt8]) -> Answer
}

/// An HTTP request as a target builds it: method, path with query, body.
public struct APIRequest: Sendable, Equatable {
    public var method: String
    /// Path and query, appended to the base URL (`/api/v3/users`).
    public var pathAndQuery: String
    public var body: [UInt8]
    /// Content-Type of the body, if there is one.
    public var contentType: String?

    public init(method: String, pathAndQuery: String, body: [UInt8], contentType: String?) {
        self.method = method
        self.pathAndQuery = pathAndQuery
        self.body = body
        self.contentType = contentType
    }
}

/// What an API's answer means for a row, as far as the target can tell.
public enum Answer: Sendable, Equatable {
    /// The invitation was made; Sendoso adds its invitation status and expiry.
    case invited(message: String, invitationStatus: String, expiresAt: String)
    /// The API refused this row; final. The API's message, verbatim.
    case refused(message: String)
    /// The answer does not say whether the API acted (a success status whose body, where
    /// the API puts its verdict, cannot be read): the row is in doubt, like a lost answer.
    case unclear(message: String)
}

/// One field a target needs from each row.
public struct FieldSpec: Sendable {
    /// The field's name as in the API contract and in messages (`first_name`).
    public let name: String
    /// Header texts that mean this field besides its name (`Given Name`); matched the
    /// forgiving way of `HeaderMatcher`.
    public let aliases: [String]
    /// Whether a JSON number is accepted as well as a string (`team_group_id`).
    public let acceptsNumber: Bool
    /// Whether `--role`/`--team-group-id`-style defaults may fill it (`default` option name).
    public let defaultOption: String?

    public init(
        name: String, aliases: [String], acceptsNumber: Bool = false, defaultOption: String? = nil
    ) {
        self.name = name
        self.aliases = aliases
        self.acceptsNumber = acceptsNumber
        self.defaultOption = defaultOption
    }
}

/// The registry of targets: the one place a new API is added.
public enum Targets {
    /// Every target, by command-line name.
    public static let all: [any Target] = [SendosoTarget(), CyberArkSMSTarget()]

    /// The target named `name`, if there is one.
    public static func named(_ name: String) -> (any Target)? {
        all.first { $0.name == name }
    }

    /// The names, for help texts and errors (`sendoso|cyberark-sms`).
    public static var names: String { all.map(\.name).joined(separator: "|") }
}

/// The values of one row, by field index of the target: each a view of bytes valid only
/// during the call that received it.
public struct RowValues {
    private let values: UnsafeBufferPointer<FieldValue>

    /// Values held in `values`, which must outlive this view.
    public init(_ values: UnsafeBufferPointer<FieldValue>) {
        self.values = values
    }

    public subscript(field: Int) -> FieldValue { values[field] }
}

/// One field's value as it came from the input.
public enum FieldValue {
    /// No such column or key.
    case missing
    /// Text (a CSV cell, a JSON string, or a default), untrimmed.
    case text(UnsafeRawBufferPointer)
    /// A JSON number, as written.
    case number(UnsafeRawBufferPointer)
    /// A JSON value of another kind (`a boolean`, `an array`, ...).
    case wrongKind(JSONKind)
}
