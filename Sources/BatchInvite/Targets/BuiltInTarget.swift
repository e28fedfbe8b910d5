/// A target built into the tool: a definition compiled in as text (`definition`), run by
/// `DefinitionTarget` like any other. Built-ins are known by name: their journals carry no
/// digest, so a journal an earlier version wrote resumes.
public protocol BuiltInTarget: Target {
    /// The definition's text, as `batch-invite targets show NAME` prints it.
    static var definition: String { get }
    /// The target the definition describes, loaded once.
    var defined: DefinitionTarget { get }
}

extension BuiltInTarget {
    public var name: String { defined.name }
    public var fields: [FieldSpec] { defined.fields }
    public var keyField: Int { defined.keyField }
    public var defaultPath: String { defined.defaultPath }
    public var defaultRate: Double { defined.defaultRate }
    public var fullName: FullNameSpec? { defined.fullName }
    public var defaultBaseURL: String? { defined.defaultBaseURL }
    public var tokenHeader: String? { defined.tokenHeader }
    public var tokenScheme: String? { defined.tokenScheme }
    public var idempotencyHeader: String? { defined.idempotencyHeader }
    public var definitionDigest: String? { nil }
    public var varValues: [(name: String, value: String)] { [] }

    public func validate(_ values: RowValues, key: inout RowKey, problems: inout RowProblems) {
        defined.validate(values, key: &key, problems: &problems)
    }

    public func payload(_ values: RowValues, path: String) -> [UInt8] {
        defined.payload(values, path: path)
    }

    public func requestFrame(path: String) -> APIRequest { defined.requestFrame(path: path) }

    public func interpret(status: Int, body: [UInt8]) -> Answer {
        defined.interpret(status: status, body: body)
    }

    public func rateLimitWait(_ headers: HTTPHeaders, now: Double) -> Double? {
        defined.rateLimitWait(headers, now: now)
    }

    public func isRateLimit(status: Int, headers: HTTPHeaders) -> Bool {
        defined.isRateLimit(status: status, headers: headers)
    }
}
