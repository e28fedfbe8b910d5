/// CyberArk Identity "Send Invitation SMS" (`POST /UserMgmt/SendSmsInvite?ID=<uuid>`): one
/// field, the user's UUID, which is also the key, as README, "The two APIs", describes it.
/// Success is `success` not false and `Error` null or absent; otherwise the most specific
/// text: `Error`, then `Message`, then `ErrorID`. A definition compiled into the tool as
/// text; `batch-invite targets show cyberark-sms` prints it.
public struct CyberArkSMSTarget: BuiltInTarget {
    public var defined: DefinitionTarget { Self.loaded }
    /// The target the definition describes, as `Targets` lists it.
    public static let loaded = DefinitionTarget.builtIn(definition)

    public init() {}

    /// The definition.
    public static let definition = #"""
        {
          "$schema": "./target.schema.json",
          "format": 1,
          "name": "cyberark-sms",
          "description": "CyberArk Identity \"Send Invitation SMS\": text an invitation to a user, by UUID",
          "documentation": "https://identity-developer.cyberark.com/reference/post_usermgmt-sendsmsinvite",
          "fields": [
            {
              "name": "ID",
              "aliases": [
                "User ID", "User UUID", "UUID", "Identifier", "Identifiant", "Benutzer-ID",
                "ID de usuario"
              ],
              "rule": "uuid",
              "key": "lowercased"
            }
          ],
          "request": {
            "method": "POST",
            "path": "/UserMgmt/SendSmsInvite",
            "query": {"ID": "{{ID}}"}
          },
          "auth": {"type": "bearer"},
          "answer": {
            "success_tests": [
              {"pointer": "/success", "not_equals": false},
              {"pointer": "/Error", "absent_or_null": true}
            ],
            "success_message": ["/Message"],
            "message": ["/Error", "/Message", "/ErrorID"],
            "unreadable_success": {"other": "unclear"},
            "failed_tests": "refusal",
            "errors_are_json": true
          },
          "rate": {"default": 10}
        }

        """#
}
