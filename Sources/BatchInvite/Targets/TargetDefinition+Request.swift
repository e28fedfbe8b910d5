/// Reading a definition's request, authentication, answer rules and rate.
extension TargetDefinition {
    static let methods = ["POST", "PUT", "PATCH", "GET", "DELETE"]
    /// Headers a definition may not set: the tool's own, or the token's.
    static let reservedHeaders = [
        "authorization", "content-type", "content-length", "host", "transfer-encoding",
        "user-agent", "expect", "connection", "cookie", "proxy-authorization",
    ]

    static func readRequest(
        _ value: JSONValue?, fields: [String], vars: [String], reader: inout DefinitionReader
    ) -> Request? {
        guard
            let spec = reader.object(
                value, "/request", allowed: ["method", "path", "query", "headers", "json", "form"],
                required: ["method", "path"])
        else { return nil }
        let method = reader.string(spec["method"], "/request/method")
        if let method, !methods.contains(method) {
            reader.fail("/request/method", "expected one of " + methods.joined(separator: ", "))
        }
        func template(_ text: String?, _ at: String) -> TextTemplate? {
            guard let text else { return nil }
            switch TextTemplate.parse(text, fields: fields, vars: vars) {
            case .success(let template): return template
            case .failure(let problem):
                reader.fail(at, problem.message)
                return nil
            }
        }
        let path = template(reader.string(spec["path"], "/request/path"), "/request/path")
        if let path, !isPathLiteral(path) {
            reader.fail(
                "/request/path",
                "expected a path starting with / whose text is printable ASCII without spaces, "
                    + "? or # (query parameters go in /request/query)")
        }
        func pairs(_ key: String) -> [(name: String, value: TextTemplate)] {
            guard let value = spec[key] else { return [] }
            guard case .object(let members) = value else {
                reader.fail("/request/" + key, "expected an object of names and templates")
                return []
            }
            return members.compactMap { member in
                let at = DefinitionReader.child("/request/" + key, member.key)
                return template(reader.string(member.value, at, emptyAllowed: true), at).map {
                    (member.key, $0)
                }
            }
        }
        let query = pairs("query")
        let headers = pairs("headers")
        checkHeaders(headers, reader: &reader)
        if spec["json"] != nil && spec["form"] != nil {
            reader.fail("/request/form", "a request has one body: json or form, not both")
        }
        var body = Body.none
        if let json = spec["json"] {
            body = .json(jsonTemplate(json, "/request/json", fields, vars, &reader))
        } else if spec["form"] != nil {
            body = .form(pairs("form"))
        }
        guard let method, let path else { return nil }
        return Request(method: method, path: path, query: query, headers: headers, body: body)
    }

    private static func isPathLiteral(_ template: TextTemplate) -> Bool {
        guard case .literal(let first)? = template.parts.first, first.hasPrefix("/") else {
            return false
        }
        return hasPlainLiterals(template)
    }

    /// Whether the template's text is printable ASCII without spaces, `?` or `#`.
    private static func hasPlainLiterals(_ template: TextTemplate) -> Bool {
        template.parts.allSatisfy { part in
            guard case .literal(let text) = part else { return true }
            return text.utf8.allSatisfy {
                $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#")
            }
        }
    }

    private static func jsonTemplate(
        _ value: JSONValue, _ at: String, _ fields: [String], _ vars: [String],
        _ reader: inout DefinitionReader
    ) -> JSONTemplate {
        switch value {
        case .string(let text) where text.contains("{{"):
            switch TextTemplate.parse(text, fields: fields, vars: vars) {
            case .success(let template):
                if template.parts.count == 1, case .literal = template.parts[0] {
                    return .literal(value)
                }
                return template.parts.count == 1 ? .value(template.parts[0]) : .string(template)
            case .failure(let problem):
                reader.fail(at, problem.message)
                return .literal(value)
            }
        case .object(let members):
            return .object(
                members.map {
                    (
                        $0.key,
                        jsonTemplate(
                            $0.value, DefinitionReader.child(at, $0.key), fields, vars, &reader)
                    )
                })
        case .array(let elements):
            return .array(
                elements.enumerated().map {
                    jsonTemplate($1, at + "/\($0)", fields, vars, &reader)
                })
        default:
            return .literal(value)
        }
    }

    /// Header names must be tokens the tool does not set itself; values place no field.
    private static func checkHeaders(
        _ headers: [(name: String, value: TextTemplate)], reader: inout DefinitionReader
    ) {
        for header in headers {
            let at = DefinitionReader.child("/request/headers", header.name)
            if !DefinitionReader.isHeaderName(header.name) {
                reader.fail(at, "expected a header name (letters, digits, - and the like)")
            } else if reservedHeaders.contains(header.name.lowercased()) {
                reader.fail(at, "a header the tool sets itself (the token's goes by /auth)")
            } else if !header.value.fields.isEmpty {
                reader.fail(at, "expected a header value without fields (only {{var.NAME}})")
            }
        }
    }

    /// Fields in the path must be required (a path cannot leave a segment out).
    static func checkPlaces(_ request: Request, fields: [Field], reader: inout DefinitionReader) {
        for index in request.path.fields where !fields[index].required {
            reader.fail(
                "/request/path",
                "{{\(fields[index].name)}} is optional; a path can only place required fields")
        }
    }

    /// The header the token goes in (nil: `Authorization: Bearer`), the scheme written
    /// before the token there (`SSWS`: Okta), and the OAuth token endpoint, if the
    /// definition names one.
    static func readAuth(
        _ value: JSONValue?, fields: [String], vars: [String], reader: inout DefinitionReader
    ) -> (header: String?, scheme: String?, oauth: OAuthDefaults?) {
        guard let value else { return (nil, nil, nil) }
        guard
            let spec = reader.object(
                value, "/auth", allowed: ["type", "header", "scheme", "oauth"], required: ["type"])
        else { return (nil, nil, nil) }
        let oauth = readOAuth(spec["oauth"], fields: fields, vars: vars, reader: &reader)
        switch reader.string(spec["type"], "/auth/type") {
        case "bearer"?:
            for key in ["header", "scheme"] where spec[key] != nil {
                reader.fail("/auth/" + key, "goes with \"type\": \"header\"")
            }
            return (nil, nil, oauth)
        case "header"?:
            var scheme: String?
            if let value = spec["scheme"] {
                scheme = reader.string(value, "/auth/scheme")
                if let word = scheme, !DefinitionReader.isHeaderName(word) {
                    reader.fail(
                        "/auth/scheme",
                        "expected one word written before the token (SSWS, Token, Basic)")
                    scheme = nil
                }
            }
            guard let name = reader.string(spec["header"], "/auth/header"),
                DefinitionReader.isHeaderName(name),
                !reservedHeaders.dropFirst().contains(name.lowercased())
            else {
                reader.fail("/auth/header", "expected the name of the header the token goes in")
                return (nil, nil, oauth)
            }
            return (name, scheme, oauth)
        case let other?:
            reader.fail(
                "/auth/type",
                "\"\(other)\" is not a kind of authentication; expected bearer or header")
            return (nil, nil, oauth)
        case nil:
            return (nil, nil, oauth)
        }
    }

    /// `/auth/oauth`: the token URL (places vars only, in its path) and the scope.
    private static func readOAuth(
        _ value: JSONValue?, fields: [String], vars: [String], reader: inout DefinitionReader
    ) -> OAuthDefaults? {
        guard let value,
            let spec = reader.object(
                value, "/auth/oauth", allowed: ["token_url", "scope"], required: ["token_url"])
        else { return nil }
        let scope = reader.string(spec["scope"], "/auth/oauth/scope")
        let at = "/auth/oauth/token_url"
        guard let text = reader.string(spec["token_url"], at) else { return nil }
        switch TextTemplate.parse(text, fields: fields, vars: vars) {
        case .failure(let problem):
            reader.fail(at, problem.message)
            return nil
        case .success(let template) where !template.fields.isEmpty:
            reader.fail(
                at,
                "expected {{var.NAME}} placeholders only: one token endpoint serves the whole "
                    + "run, not a row")
            return nil
        case .success(let template) where !isTokenURL(template):
            reader.fail(
                at,
                "expected an https:// address with a host and a path, placeholders only in "
                    + "the path, in printable ASCII without spaces, ? or #")
            return nil
        case .success(let template):
            return OAuthDefaults(tokenURL: template, scope: scope)
        }
    }

    /// `https://HOST/PATH`: the host written out (no user name, no placeholder), every
    /// literal printable ASCII without spaces, `?` or `#` (a token URL has no query).
    private static func isTokenURL(_ template: TextTemplate) -> Bool {
        guard case .literal(let first)? = template.parts.first, first.hasPrefix("https://")
        else { return false }
        let afterScheme = first.utf8.dropFirst("https://".count)
        guard let slash = afterScheme.firstIndex(of: UInt8(ascii: "/")) else { return false }
        let host = afterScheme[..<slash]
        guard
            !host.isEmpty,
            host.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                    || ".-:[]".utf8.contains(byte)
            })
        else { return false }
        return hasPlainLiterals(template)
    }
}
