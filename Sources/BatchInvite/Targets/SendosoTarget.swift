/// Sendoso "Invite New User" (`POST /api/v3/users`): five fields, keyed by e-mail.
/// Rules from api-contracts.md, "Target sendoso".
public struct SendosoTarget: Target {
    public let name = "sendoso"
    public let keyField = Field.email.rawValue

    /// The fields' positions in `fields`.
    public enum Field: Int, CaseIterable {
        case firstName, lastName, email, role, teamGroupID
    }

    /// The values `role` accepts (case-insensitive on input, sent in lower case).
    public static let roles = ["regular", "manager"]

    public let fields: [FieldSpec] = [
        FieldSpec(name: "first_name", aliases: ["First Name", "Firstname", "Given Name"]),
        FieldSpec(name: "last_name", aliases: ["Last Name", "Surname", "Family Name"]),
        FieldSpec(name: "email", aliases: ["E-mail", "Email Address", "Mail"]),
        FieldSpec(name: "role", aliases: [], defaultOption: "--role"),
        FieldSpec(
            name: "team_group_id", aliases: ["Team Group ID", "Team ID", "Team"],
            acceptsNumber: true,
            defaultOption: "--team-group-id"),
    ]

    public init() {}

    public func validate(_ values: RowValues, key: inout [UInt8], problems: inout [String]) {
        if let first = trimmedText(values, Field.firstName.rawValue, problems: &problems),
            let message = FieldRules.checkName(first)
        {
            problems.append("first_name: \(message)")
        }
        if let last = trimmedText(values, Field.lastName.rawValue, problems: &problems),
            let message = FieldRules.checkName(last)
        {
            problems.append("last_name: \(message)")
        }
        if let email = trimmedText(values, Field.email.rawValue, problems: &problems) {
            FieldRules.appendLowercased(email, to: &key)
            if let message = FieldRules.checkEmail(email) { problems.append("email: \(message)") }
        }
        if let role = trimmedText(values, Field.role.rawValue, problems: &problems),
            let message = FieldRules.checkChoice(role, Self.roles)
        {
            problems.append("role: \(message)")
        }
        if let team = trimmedText(values, Field.teamGroupID.rawValue, problems: &problems),
            let message = FieldRules.checkPositiveInteger(team)
        {
            problems.append("team_group_id: \(message)")
        }
    }
}
