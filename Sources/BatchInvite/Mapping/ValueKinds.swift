import Foundation

/// What a column's values are, in words, for the message that turns a column down:
/// `job titles ("Chief Executive Officer", "Sales Manager", ...)`.
enum ValueKinds {
    /// Words for `values` (the ones that failed a field's rule), with a few of them; the
    /// header helps name free text (a "Role" of several words is job titles).
    static func describe(_ values: [String], header: String) -> String {
        "\(kind(of: values, header: header)) (\(ColumnAdvice.examples(values)))"
    }

    private static func kind(of values: [String], header: String) -> String {
        let trimmed = values.map { $0.trimmingCharacters(in: .whitespaces) }
        func share(_ test: (String) -> Bool) -> Bool {
            trimmed.filter(test).count * 5 >= trimmed.count * 4
        }
        if share({ $0.contains("@") }) { return "e-mail addresses" }
        if share(isUUID) { return "UUIDs" }
        if share({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) { return "numbers" }
        if share(isDate) { return "dates" }
        if share(isPhone) { return "phone numbers" }
        if share({ ["true", "false", "yes", "no", "y", "n", "0", "1"].contains($0.lowercased()) }) {
            return "yes/no values"
        }
        let name = HeaderMatcher.normalize(header)
        let jobWords = [
            "role", "rolle", "rol", "ruolo", "funcao", "function", "fonction", "title", "job",
            "position", "poste", "cargo", "puesto", "stelle", "должность", "職", "직책", "役職",
        ]
        let teamWords = [
            "team", "group", "equipe", "equipo", "squadra", "department", "departement",
            "abteilung",
            "departamento", "division", "отдел", "部", "팀",
        ]
        if jobWords.contains(where: { name.contains($0) }) { return "job titles" }
        if teamWords.contains(where: { name.contains($0) }) { return "names of teams or groups" }
        if share({ $0.split(separator: " ").count >= 2 }) { return "text of several words" }
        return "other values"
    }

    private static func isUUID(_ text: String) -> Bool {
        let bare = text.trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
        let groups = bare.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12]
            && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    private static func isDate(_ text: String) -> Bool {
        let digits = text.filter(\.isNumber).count
        let separators = text.filter { "-./".contains($0) }.count
        return digits >= 6 && digits <= 8 && separators == 2
            && text.allSatisfy { $0.isNumber || "-./".contains($0) }
    }

    private static func isPhone(_ text: String) -> Bool {
        let digits = text.filter(\.isNumber).count
        return digits >= 7 && text.allSatisfy { $0.isNumber || " +-().".contains($0) }
    }
}
