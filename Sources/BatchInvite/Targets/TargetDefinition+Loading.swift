import Foundation

/// Reading a definition: every problem found with its JSON pointer and what is expected.
extension TargetDefinition {
    /// The version of the format this tool reads (`"format": 1`).
    public static let formatVersion: Int64 = 1

    /// The tool's options a field may name as its default (`--role R`).
    public static let defaultOptions: [FieldSpec.DefaultOption] = [
        .init(name: "--role", value: "R", help: "role for rows whose role is empty or missing"),
        .init(
            name: "--team-group-id", value: "TEAM_ID",
            help: "team_group_id for rows where it is empty or missing"),
    ]

    /// The definition in `bytes`, or every problem it has.
    public static func parse(_ bytes: [UInt8]) -> Result<TargetDefinition, DefinitionProblems> {
        let document: JSONValue
        do {
            document = try bytes.withUnsafeBytes {
                try JSONParser.parse($0, loneSurrogates: .refused)
            }
        } catch {
            return .failure(
                DefinitionProblems([
                    DefinitionProblem(pointer: "", message: "not JSON: \(error)")
                ]))
        }
        var reader = DefinitionReader()
        let definition = read(document, bytes: bytes, reader: &reader)
        guard let definition, reader.problems.isEmpty else {
            return .failure(DefinitionProblems(reader.problems))
        }
        return .success(definition)
    }

    /// The definition in the file at `path` (which only its owner or root may change: it
    /// says where the token goes); a usage error listing every problem otherwise.
    public static func load(path: String) throws -> TargetDefinition {
        let file: TrustedFile
        do {
            file = try TrustedFile(path: path)
        } catch let problem as TrustedFile.Problem {
            throw BatchInviteError.usage("--target \(path): \(problem)")
        } catch {
            throw BatchInviteError.usage("--target \(path): \(error)")
        }
        switch parse(file.contents) {
        case .success(let definition): return definition
        case .failure(let problems):
            throw BatchInviteError.usage(
                "--target \(path) is not a valid target definition (batch-invite targets check "
                    + "\(path) lists its problems): " + problems.description)
        }
    }

    private static let topKeys = [
        "$schema", "format", "name", "description", "documentation", "base_url", "vars",
        "fields", "full_name", "request", "auth", "idempotency", "answer", "rate",
    ]

    private static func read(
        _ document: JSONValue, bytes: [UInt8], reader: inout DefinitionReader
    ) -> TargetDefinition? {
        guard
            let top = reader.object(
                document, "", allowed: topKeys,
                required: ["format", "name", "description", "documentation", "fields", "request"])
        else { return nil }
        _ = reader.string(top["$schema"], "/$schema")
        if let format = top["format"], reader.integer(format, "/format", in: 1...1) == nil {
            return nil
        }
        let (name, description, documentation, baseURL) = readIdentity(top, reader: &reader)
        let vars = readVars(top["vars"], reader: &reader)
        let (fields, keyField) = readFields(top["fields"], vars: vars, reader: &reader)
        let names = fields.map(\.name)
        let request = readRequest(
            top["request"], fields: names, vars: vars.map(\.name), reader: &reader)
        let auth = readAuth(top["auth"], fields: names, vars: vars.map(\.name), reader: &reader)
        let answer = readAnswer(top["answer"], reader: &reader)
        let rate = readRate(top["rate"], reader: &reader)
        let fullName = readFullName(top["full_name"], fields: fields, reader: &reader)
        let idempotency = readIdempotency(top["idempotency"], reader: &reader)
        if let request {
            checkPlaces(request, fields: fields, reader: &reader)
            if let idempotency,
                request.headers.contains(where: { $0.name.lowercased() == idempotency.lowercased() }
                )
            {
                reader.fail(
                    "/idempotency/header", "also set by /request/headers: the tool sets it per row")
            }
        }
        guard let name, let description, let documentation, var request, let keyField else {
            return nil
        }
        request.idempotencyHeader = idempotency
        return TargetDefinition(
            name: name, description: description, documentation: documentation, baseURL: baseURL,
            vars: vars, fields: fields, keyField: keyField, request: request,
            tokenHeader: auth.header, tokenScheme: auth.scheme, oauth: auth.oauth, answer: answer,
            rate: rate,
            fullName: fullName, source: bytes)
    }

    /// The name, description, documentation and base URL.
    private static func readIdentity(_ top: [String: JSONValue], reader: inout DefinitionReader)
        -> (name: String?, description: String?, documentation: String?, baseURL: String?)
    {
        let name = reader.string(top["name"], "/name")
        if let name, !isTargetName(name) {
            reader.fail(
                "/name",
                "expected a name of lower-case letters, digits and hyphens (github-org-invitations)"
            )
        }
        let description = reader.string(top["description"], "/description")
        let documentation = reader.string(top["documentation"], "/documentation")
        if let documentation, !documentation.hasPrefix("https://") {
            reader.fail("/documentation", "expected the documentation's https:// address")
        }
        let baseURL = reader.string(top["base_url"], "/base_url")
        if let baseURL, !Self.isBaseURL(baseURL) {
            reader.fail(
                "/base_url",
                "expected an https:// address: a host (and port), maybe a path, without user "
                    + "information, query, fragment or a trailing /")
        }
        return (name, description, documentation, baseURL)
    }

    /// Whether `text` can be a base URL the requests' paths are appended to: `https://`, a
    /// host (and port) alone, then printable ASCII, with no user information (a secret in a
    /// file), query or fragment (the paths would land in them) and no trailing `/`.
    static func isBaseURL(_ text: String) -> Bool {
        guard text.hasPrefix("https://"), !text.hasSuffix("/") else { return false }
        let rest = text.utf8.dropFirst(8)
        let host = rest.prefix { $0 != UInt8(ascii: "/") }
        return !host.isEmpty
            && host.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A)
                    || [
                        UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["),
                        UInt8(ascii: "]"),
                    ].contains($0)
            }
            && rest.allSatisfy {
                $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#")
            }
    }

    /// Whether `name` may name a target: lower-case ASCII letters, digits and hyphens.
    static func isTargetName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D
            }
    }

    /// Whether `name` may name a field or a var: ASCII letters, digits and `_`.
    static func isPlaceholderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name != "full_name"
            && name.utf8.allSatisfy {
                ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
                    || $0 == 0x5F
            }
    }

    private static func readVars(_ value: JSONValue?, reader: inout DefinitionReader)
        -> [Variable]
    {
        guard let value else { return [] }
        guard case .object(let members) = value else {
            reader.fail("/vars", "expected an object of vars by name")
            return []
        }
        var vars: [Variable] = []
        for member in members {
            let at = DefinitionReader.child("/vars", member.key)
            if !isPlaceholderName(member.key) {
                reader.fail(at, "expected a var name of letters, digits and _")
            }
            guard
                let spec = reader.object(
                    member.value, at, allowed: ["description", "required"],
                    required: ["description"])
            else { continue }
            vars.append(
                Variable(
                    name: member.key,
                    description: reader.string(spec["description"], at + "/description") ?? "",
                    required: reader.bool(spec["required"], at + "/required") ?? true))
        }
        return vars
    }
}

/// Every problem of a definition.
public struct DefinitionProblems: Error, Sendable, CustomStringConvertible {
    public let problems: [DefinitionProblem]

    init(_ problems: [DefinitionProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "; ") }
}
