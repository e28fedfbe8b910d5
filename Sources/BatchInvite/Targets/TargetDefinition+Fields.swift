/// Reading a definition's fields.
extension TargetDefinition {
    /// The rules a field may name.
    public static let ruleNames = ["text", "email", "uuid", "choice", "integer", "phone", "url"]

    private static let fieldKeys = [
        "name", "aliases", "rule", "choices", "min", "max", "max_length", "required",
        "default_option", "default_var", "key",
    ]

    static func readFields(
        _ value: JSONValue?, vars: [Variable], reader: inout DefinitionReader
    ) -> ([Field], Int?) {
        guard let value else { return ([], nil) }
        guard case .array(let elements) = value, !elements.isEmpty, elements.count <= 64 else {
            reader.fail("/fields", "expected an array of 1 to 64 fields")
            return ([], nil)
        }
        var fields: [Field] = []
        var keys: [Int] = []
        var unread = false
        for (index, element) in elements.enumerated() {
            let at = "/fields/\(index)"
            guard let field = readField(element, at: at, vars: vars, reader: &reader) else {
                unread = true
                continue
            }
            if fields.contains(where: { $0.name == field.field.name }) {
                reader.fail(at + "/name", "expected a name no other field has")
            }
            if field.isKey { keys.append(fields.count) }
            fields.append(field.field)
        }
        guard keys.count == 1 else {
            // A field that could not be read may be the key: nothing more to say then.
            if unread && keys.isEmpty { return (fields, nil) }
            reader.fail(
                "/fields",
                "expected exactly one field with \"key\" (lowercased or exact), found \(keys.count)"
            )
            return (fields, nil)
        }
        if !fields[keys[0]].required {
            reader.fail("/fields/\(keys[0])/required", "expected the key field to be required")
        }
        return (fields, keys[0])
    }

    private static func readField(
        _ value: JSONValue, at: String, vars: [Variable], reader: inout DefinitionReader
    ) -> (field: Field, isKey: Bool)? {
        guard let spec = reader.object(value, at, allowed: fieldKeys, required: ["name", "rule"])
        else { return nil }
        let name = reader.string(spec["name"], at + "/name")
        if let name, !isPlaceholderName(name) {
            reader.fail(
                at + "/name", "expected a field name of letters, digits and _ (not full_name)")
        }
        let aliases = reader.strings(spec["aliases"], at + "/aliases") ?? []
        let rule = readRule(spec, at: at, reader: &reader)
        let required = reader.bool(spec["required"], at + "/required") ?? true
        var key = false
        var lowercased = false
        if let text = reader.string(spec["key"], at + "/key") {
            guard text == "lowercased" || text == "exact" else {
                reader.fail(at + "/key", "expected \"lowercased\" or \"exact\"")
                return nil
            }
            key = true
            lowercased = text == "lowercased"
        }
        var option: FieldSpec.DefaultOption?
        if let optionName = reader.string(spec["default_option"], at + "/default_option") {
            if let known = defaultOptions.first(where: { $0.name == optionName }) {
                var choices: [String] = []
                if case .choice(let words)? = rule { choices = words.words }
                option = .init(
                    name: known.name, value: known.value, help: known.help, choices: choices)
            } else {
                reader.fail(
                    at + "/default_option",
                    "expected one of the tool's options: "
                        + defaultOptions.map(\.name).joined(separator: ", ")
                        + " (or \"default_var\" to fill it from a --var)")
            }
        }
        let defaultVar = reader.string(spec["default_var"], at + "/default_var")
        if let defaultVar, !vars.contains(where: { $0.name == defaultVar }) {
            reader.fail(
                at + "/default_var",
                "expected the name of a declared var (/vars): "
                    + (vars.isEmpty ? "none is declared" : vars.map(\.name).joined(separator: ", "))
            )
        }
        guard let name, let rule else { return nil }
        return (
            Field(
                name: name, aliases: aliases, rule: rule, required: required,
                defaultOption: option, defaultVar: defaultVar, keyLowercased: lowercased),
            key
        )
    }

    private static func readRule(
        _ spec: [String: JSONValue], at: String, reader: inout DefinitionReader
    ) -> Rule? {
        guard let name = reader.string(spec["rule"], at + "/rule") else { return nil }
        let extras: [String: [String]] = [
            "text": ["max_length"], "choice": ["choices"], "integer": ["min", "max"],
        ]
        for key in ["choices", "min", "max", "max_length"]
        where spec[key] != nil && !(extras[name] ?? []).contains(key) {
            reader.fail(at + "/" + key, "goes with another rule than \"\(name)\"")
        }
        switch name {
        case "text":
            let length = reader.integer(spec["max_length"], at + "/max_length", in: 1...100_000)
            return .text(maxLength: Int(length ?? 255))
        case "email": return .email
        case "uuid": return .uuid
        case "phone": return .phone
        case "url": return .url
        case "choice":
            guard let words = reader.strings(spec["choices"], at + "/choices"), !words.isEmpty
            else {
                reader.fail(at + "/choices", "expected the words the field may be (an array)")
                return nil
            }
            guard words.allSatisfy({ $0 == $0.lowercased() && $0.utf8.allSatisfy { $0 < 0x80 } })
            else {
                reader.fail(at + "/choices", "expected words of ASCII lower case")
                return nil
            }
            return .choice(FieldRules.Choices(words))
        case "integer":
            let range: ClosedRange<Int64> = Int64.min...Int64.max
            let low = reader.integer(spec["min"], at + "/min", in: range) ?? 1
            let high = reader.integer(spec["max"], at + "/max", in: range) ?? Int64.max
            guard low <= high else {
                reader.fail(at + "/max", "expected a maximum no lower than the minimum")
                return nil
            }
            return .integer(low...high)
        default:
            reader.fail(
                at + "/rule",
                "\"\(name)\" is not a rule; expected one of " + ruleNames.joined(separator: ", "))
            return nil
        }
    }

    /// The two text fields a column of whole names fills (`"full_name": {"first":
    /// "first_name", "last": "last_name", "aliases": ["Name"]}`).
    static func readFullName(
        _ value: JSONValue?, fields: [Field], reader: inout DefinitionReader
    ) -> FullNameSpec? {
        guard let value,
            let spec = reader.object(
                value, "/full_name", allowed: ["first", "last", "aliases"],
                required: ["first", "last"])
        else { return nil }
        func textField(_ key: String) -> Int? {
            guard let name = reader.string(spec[key], "/full_name/" + key) else { return nil }
            guard let index = fields.firstIndex(where: { $0.name == name }),
                case .text = fields[index].rule
            else {
                let texts = fields.filter {
                    if case .text = $0.rule { return true }
                    return false
                }
                reader.fail(
                    "/full_name/" + key,
                    "expected the name of a field with the text rule: "
                        + (texts.isEmpty
                            ? "there is none" : texts.map(\.name).joined(separator: ", ")))
                return nil
            }
            return index
        }
        let first = textField("first")
        let last = textField("last")
        let aliases = reader.strings(spec["aliases"], "/full_name/aliases") ?? []
        guard let first, let last else { return nil }
        guard first != last else {
            reader.fail("/full_name/last", "expected another field than /full_name/first")
            return nil
        }
        return FullNameSpec(first: first, last: last, aliases: aliases)
    }

    /// The header an idempotency key goes in (`"idempotency": {"header": "Idempotency-Key"}`).
    static func readIdempotency(_ value: JSONValue?, reader: inout DefinitionReader) -> String? {
        guard let value,
            let spec = reader.object(
                value, "/idempotency", allowed: ["header"], required: ["header"]),
            let name = reader.string(spec["header"], "/idempotency/header")
        else { return nil }
        guard DefinitionReader.isHeaderName(name), !reservedHeaders.contains(name.lowercased())
        else {
            reader.fail(
                "/idempotency/header",
                "expected a header name the tool does not set itself (Idempotency-Key)")
            return nil
        }
        return name
    }
}
