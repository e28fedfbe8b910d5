/// CyberArk Identity "Send Invitation SMS" (`POST /UserMgmt/SendSmsInvite?ID=<uuid>`):
/// one field, the user's UUID, which is also the key. Rules from api-contracts.md.
public struct CyberArkSMSTarget: Target {
    public let name = "cyberark-sms"
    public let keyField = 0
    public let fields: [FieldSpec] = [
        FieldSpec(name: "ID", aliases: ["User ID", "User UUID", "UUID"])
    ]

    public init() {}

    public func validate(_ values: RowValues, key: inout [UInt8], problems: inout [String]) {
        guard let id = trimmedText(values, 0, problems: &problems) else { return }
        FieldRules.appendLowercased(id, to: &key)
        if let message = FieldRules.checkUUID(id) { problems.append("ID: \(message)") }
    }
}
