import Foundation

/// A target run from a definition file (`--target ./github-org-invitations.json`), its
/// `--var` values bound: the rows are checked with the tool's own rules, the request built
/// from templates parsed when the definition loaded, the answer read as the definition says.
public final class DefinitionTarget: Target {
    public let definition: TargetDefinition
    public var name: String { definition.name }
    public let fields: [FieldSpec]
    public var keyField: Int { definition.keyField }
    /// The `--var` values by name, as given (for the journal: other values, another run).
    public let vars: [(name: String, value: String)]
    /// Fields filled from a `--var` for rows without them: field name and value.
    public let defaultsFromVars: [(field: String, value: String)]
    /// The request's templates with the vars in place.
    private let request: TargetDefinition.Request
    private let headerLines: [String]
    /// The JSON body, ready for rows (nil without one).
    private let jsonBody: JSONBody?
    /// How an answer is read.
    private let answer: DefinitionAnswer
    /// The path and query when they place no field (then every row's are the same).
    private let fixedPathAndQuery: String?
    /// Each field's check, of plain values (a row copies none that needs counting).
    let checks: [Check]
    /// What the checks lend each row: the fields' names and words.
    let words: [FieldWords]

    /// Binds `given` (`--var` name and value, in order) to `definition`: a usage error
    /// names a var it does not declare, or a required one that is missing.
    public init(
        _ definition: TargetDefinition, vars given: [(name: String, value: String)],
        path: String? = nil, builtIn: Bool = false
    ) throws {
        self.definition = definition
        definitionPath = path
        isBuiltIn = builtIn
        let values = try Self.varValues(definition, given)
        self.vars = given.sorted { $0.name < $1.name }
        defaultsFromVars = definition.fields.compactMap { field in
            guard let name = field.defaultVar, given.contains(where: { $0.name == name }),
                let index = definition.vars.firstIndex(where: { $0.name == name })
            else { return nil }
            return (field.name, values[index])
        }
        let request = Self.bound(definition.request, values)
        self.request = request
        headerLines = request.headers.map {
            "\($0.name): " + ($0.value.render([], encode: { $0 }) ?? "")
        }
        fields = definition.fields.map {
            var accepts = false
            if case .integer = $0.rule { accepts = true }
            var spec = FieldSpec(
                name: $0.name, aliases: $0.aliases, acceptsNumber: accepts,
                defaultOption: $0.defaultOption)
            spec.optional = !$0.required
            return spec
        }
        answer = DefinitionAnswer(rules: definition.answer)
        if case .json(let template) = request.body {
            jsonBody = JSONBody(template, numeric: fields.map(\.acceptsNumber))
        } else {
            jsonBody = nil
        }
        let words = definition.fields.map(FieldWords.init)
        self.words = words
        checks = definition.fields.enumerated().map {
            Check(
                $1, isKey: $0 == definition.keyField,
                inPath: definition.request.path.fields.contains($0), words: words[$0])
        }
        let placesFields =
            !request.path.fields.isEmpty || request.query.contains { !$0.value.fields.isEmpty }
        fixedPathAndQuery =
            !placesFields
            ? Self.pathAndQuery(request, [String?](repeating: nil, count: fields.count)) : nil
    }

    /// Each declared var's value (empty when not given), in the definition's order.
    private static func varValues(
        _ definition: TargetDefinition, _ given: [(name: String, value: String)]
    ) throws -> [String] {
        var values = [String](repeating: "", count: definition.vars.count)
        var seen = Set<String>()
        for (name, value) in given {
            guard let index = definition.vars.firstIndex(where: { $0.name == name }) else {
                let declared = definition.vars.map(\.name)
                throw BatchInviteError.usage(
                    "--var \(name): target \(definition.name) declares no such var ("
                        + (declared.isEmpty
                            ? "it declares none"
                            : "it declares " + declared.joined(separator: ", "))
                        + ")")
            }
            guard seen.insert(name).inserted else {
                throw BatchInviteError.usage("--var \(name) is given more than once")
            }
            guard
                !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw BatchInviteError.usage("--var \(name): the value holds a control character")
            }
            values[index] = value
        }
        // A var in the request's path must stay one segment of it (the token URL's are
        // checked when it is used: `--oauth-token-url` may replace it).
        for index in Set(definition.request.path.variables).sorted() {
            let variable = definition.vars[index]
            guard seen.contains(variable.name) else {
                // A required one missing is named below.
                guard !variable.required else { continue }
                throw BatchInviteError.usage(
                    "target \(definition.name) needs --var \(variable.name)=VALUE "
                        + "(\(variable.description)): the request's path places it")
            }
            if let problem = TextTemplate.pathProblem(values[index]) {
                throw BatchInviteError.usage("--var \(variable.name): " + problem)
            }
        }
        let missing = definition.vars.filter { $0.required && !seen.contains($0.name) }
        guard missing.isEmpty else {
            throw BatchInviteError.usage(
                "target \(definition.name) needs "
                    + missing.map { "--var \($0.name)=VALUE (\($0.description))" }.joined(
                        separator: ", "))
        }
        return values
    }

    /// The request's templates with the vars' values in place.
    private static func bound(_ template: TargetDefinition.Request, _ values: [String])
        -> TargetDefinition.Request
    {
        var request = template
        request.path = request.path.bound(values, encode: PercentEncoding.encode)
        request.query = request.query.map { ($0.name, $0.value.bound(values)) }
        request.headers = request.headers.map { ($0.name, $0.value.bound(values)) }
        switch request.body {
        case .none: break
        case .json(let template): request.body = .json(template.bound(values))
        case .form(let pairs): request.body = .form(pairs.map { ($0.name, $0.value.bound(values)) })
        }
        return request
    }

    /// The target the definition file at `path` describes, `vars` bound; a usage error
    /// listing every problem of the file, or of the vars.
    public static func load(path: String, vars: [(name: String, value: String)]) throws
        -> DefinitionTarget
    {
        try DefinitionTarget(
            TargetDefinition.load(path: path), vars: vars,
            path: path.hasPrefix("/")
                ? path : FileManager.default.currentDirectoryPath + "/" + path)
    }

    /// The target a built-in definition describes (its text compiled into the tool, checked
    /// by the tests): known by name, so its journals carry no digest.
    public static func builtIn(_ source: String) -> DefinitionTarget {
        switch TargetDefinition.parse(Array(source.utf8)) {
        case .success(let definition):
            do {
                return try DefinitionTarget(definition, vars: [], builtIn: true)
            } catch {
                preconditionFailure("built-in target \(definition.name): \(error)")
            }
        case .failure(let problems):
            preconditionFailure("a built-in target definition is not valid: \(problems)")
        }
    }

    /// The file it was read from, made absolute (nil for a built-in).
    public let definitionPath: String?

    /// Whether it is one of the tool's own (`Targets.all`).
    public let isBuiltIn: Bool

    public var defaultPath: String { definition.request.path.source }
    public var defaultRate: Double { definition.rate.defaultRate }
    public var defaultBaseURL: String? { definition.baseURL }
    public var tokenHeader: String? { definition.tokenHeader }
    public var tokenScheme: String? { definition.tokenScheme }
    public var definitionDigest: String? { isBuiltIn ? nil : definition.digest }
    public var fullName: FullNameSpec? { definition.fullName }
    public var idempotencyHeader: String? { definition.request.idempotencyHeader }
    public var varValues: [(name: String, value: String)] { vars }

    /// The definition's OAuth token URL with the `--var` values in place (each
    /// percent-encoded as a path segment), and its scope; nil when it names no token
    /// endpoint. A usage error names a var the URL places that was not given or is empty.
    public func oauthEndpoint() throws -> (tokenURL: String, scope: String?)? {
        guard let oauth = definition.oauth else { return nil }
        var values = [String](repeating: "", count: definition.vars.count)
        for case .variable(let index) in oauth.tokenURL.parts {
            let variable = definition.vars[index]
            guard let value = vars.first(where: { $0.name == variable.name })?.value,
                !value.isEmpty
            else {
                throw BatchInviteError.usage(
                    "the token URL of target \(name), \(oauth.tokenURL.source), needs --var "
                        + "\(variable.name)=VALUE (\(variable.description)); or give "
                        + "--oauth-token-url URL")
            }
            if let problem = TextTemplate.pathProblem(value) {
                throw BatchInviteError.usage("--var \(variable.name): " + problem)
            }
            values[index] = value
        }
        let url = oauth.tokenURL.bound(values, encode: PercentEncoding.encode).render(
            [], encode: { $0 })
        return url.map { ($0, oauth.scope) }
    }

    /// The path and query with the row's values in place, percent-encoded.
    private static func pathAndQuery(_ request: TargetDefinition.Request, _ sent: [String?])
        -> String
    {
        var out = request.path.render(sent, encode: PercentEncoding.encode) ?? ""
        var separator = "?"
        for pair in request.query {
            guard let value = pair.value.render(sent, encode: { $0 }) else { continue }
            out +=
                separator + PercentEncoding.encode(pair.name) + "="
                + PercentEncoding.encode(value)
            separator = "&"
        }
        return out
    }

    public func payload(_ values: RowValues, path: String) -> [UInt8] {
        let sent = sentValues(values)
        var out: [UInt8] = []
        if fixedPathAndQuery == nil {
            out += placed(Self.pathAndQuery(request, sent), path: path).utf8
        }
        out.append(0)
        switch request.body {
        case .none: break
        case .json: jsonBody?.render(sent, to: &out)
        case .form(let pairs):
            var first = true
            for pair in pairs {
                guard let value = pair.value.render(sent, encode: { $0 }) else { continue }
                if !first { out.append(UInt8(ascii: "&")) }
                first = false
                out += (FormEncoding.encode(pair.name) + "=" + FormEncoding.encode(value)).utf8
            }
        }
        return out
    }

    public func requestFrame(path: String) -> APIRequest {
        let contentType: String?
        switch request.body {
        case .none: contentType = nil
        case .json: contentType = "application/json"
        case .form: contentType = "application/x-www-form-urlencoded"
        }
        return APIRequest(
            method: request.method,
            pathAndQuery: fixedPathAndQuery.map { placed($0, path: path) } ?? "",
            body: [], contentType: contentType, headers: headerLines)
    }

    /// `pathAndQuery` with `path` in place of its path, when `path` is not the definition's
    /// (`--path`, taken as it is written).
    private func placed(_ pathAndQuery: String, path: String) -> String {
        guard path != defaultPath else { return pathAndQuery }
        let query = pathAndQuery.firstIndex(of: "?").map { pathAndQuery[$0...] } ?? ""
        return path + query
    }

    public func rateLimitWait(_ headers: HTTPHeaders, now: Double) -> Double? {
        guard let header = definition.rate.resetHeader,
            let value = headers[header].flatMap(Double.init), value.isFinite
        else { return nil }
        switch definition.rate.resetUnit {
        case .seconds: return max(0, value)
        case .unix: return max(0, value - now)
        case .either: return value > 1_000_000_000 ? max(0, value - now) : max(0, value)
        }
    }

    public func isRateLimit(status: Int, headers: HTTPHeaders) -> Bool {
        definition.rate.limitedWhen.contains { rule in
            guard rule.status == status, let value = headers[rule.header] else { return false }
            return rule.equals.map { value == $0 } ?? true
        }
    }

    public func interpret(status: Int, body: [UInt8]) -> Answer {
        answer.interpret(status: status, body: body)
    }
}
