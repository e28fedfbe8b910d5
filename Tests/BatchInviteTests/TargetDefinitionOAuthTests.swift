import Foundation
import Testing

@testable import BatchInvite

/// A definition's OAuth token endpoint (`/auth/oauth`), and the Microsoft Graph sample that
/// names one.
@Suite struct TargetDefinitionOAuthTests {
    static let graphSample: [UInt8] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("samples/targets/microsoft-graph-invitations.json")
        return (try? [UInt8](Data(contentsOf: url))) ?? []
    }()

    /// A definition with a `tenant` var and `auth` as given.
    func withAuth(_ auth: String) -> String {
        definitionJSON(
            extra:
                #""vars": {"tenant": {"description": "the tenant", "required": false}}, "auth": "#
                + auth + ",")
    }

    func graph(_ vars: [(String, String)]) throws -> DefinitionTarget {
        try DefinitionTarget(
            TargetDefinition.parse(Self.graphSample).get(),
            vars: vars.map { (name: $0.0, value: $0.1) })
    }

    @Test func theGraphSampleNamesMicrosoftsTokenEndpointAndScope() throws {
        let loaded = try TargetDefinition.parse(Self.graphSample).get()
        #expect(loaded.name == "microsoft-graph-invitations")
        #expect(loaded.fields.map(\.name) == ["email", "display_name"])
        #expect(loaded.vars.map(\.name) == ["redirect_url", "tenant"])
        #expect(loaded.baseURL == "https://graph.microsoft.com")
        #expect(loaded.tokenHeader == nil)
        #expect(
            loaded.oauth?.tokenURL.source
                == "https://login.microsoftonline.com/{{var.tenant}}/oauth2/v2.0/token")
        #expect(loaded.oauth?.scope == "https://graph.microsoft.com/.default")
    }

    @Test func theGraphSampleSendsWhatCreateInvitationDocuments() throws {
        let target = try graph([("redirect_url", "https://myapps.microsoft.com")])
        let full = check(target, [" Ada@Example.com ", "Ada Lovelace"])
        #expect(full.problems == "")
        #expect(full.key == "ada@example.com")
        #expect(full.request.method == "POST")
        #expect(full.request.pathAndQuery == "/v1.0/invitations")
        #expect(
            String(decoding: full.request.body, as: UTF8.self)
                == #"{"invitedUserEmailAddress":"Ada@Example.com","invitedUserDisplayName":"Ada Lovelace","inviteRedirectUrl":"https://myapps.microsoft.com","sendInvitationMessage":true}"#
        )
        let bare = check(target, ["bob@example.com", ""])
        #expect(
            String(decoding: bare.request.body, as: UTF8.self)
                == #"{"invitedUserEmailAddress":"bob@example.com","inviteRedirectUrl":"https://myapps.microsoft.com","sendInvitationMessage":true}"#
        )
    }

    @Test func theGraphSampleReadsTheStatusAndGraphsErrorMessage() throws {
        let target = try graph([("redirect_url", "https://example.com")])
        func answer(_ status: Int, _ body: String) -> Answer {
            target.interpret(status: status, body: Array(body.utf8))
        }
        #expect(
            answer(201, #"{"id":"9071bfde","status":"PendingAcceptance"}"#)
                == .invited(message: "", invitationStatus: "PendingAcceptance", expiresAt: ""))
        #expect(
            answer(400, #"{"error":{"code":"BadRequest","message":"Invalid email address."}}"#)
                == .refused(message: "Invalid email address."))
        #expect(
            answer(201, #"{"id":"9071bfde","status":"Error"}"#)
                == .refused(
                    message: #"unexpected answer (HTTP 201): {"id":"9071bfde","status":"Error"}"#))
    }

    @Test func theTokenURLTakesTheVarsValuesEachAPathSegment() throws {
        let bound = try graph([
            ("redirect_url", "https://example.com"), ("tenant", "contoso.onmicrosoft.com"),
        ]).oauthEndpoint()
        #expect(
            bound?.tokenURL
                == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
        #expect(bound?.scope == "https://graph.microsoft.com/.default")
        let encoded = try graph([("redirect_url", "x"), ("tenant", "a/b c?d")]).oauthEndpoint()
        #expect(
            encoded?.tokenURL == "https://login.microsoftonline.com/a%2Fb%20c%3Fd/oauth2/v2.0/token"
        )
    }

    @Test func aTokenURLWhoseVarIsNotGivenIsAUsageErrorNamingIt() throws {
        for vars in [[("redirect_url", "x")], [("redirect_url", "x"), ("tenant", "")]] {
            let target = try graph(vars)
            #expect {
                _ = try target.oauthEndpoint()
            } throws: { error in
                guard case BatchInviteError.usage(let message) = error else { return false }
                return message.contains("needs --var tenant=VALUE (the tenant's ID or domain")
                    && message.contains("or give --oauth-token-url URL")
            }
        }
    }

    @Test func aDefinitionWithoutATokenEndpointHasNone() throws {
        #expect(try definitionTarget(definitionJSON()).oauthEndpoint() == nil)
        let header = try definitionTarget(
            withAuth(
                #"{"type": "header", "header": "X-Api-Key", "oauth": {"token_url": "https://id.example.com/token"}}"#
            ))
        #expect(header.tokenHeader == "X-Api-Key")
        #expect(try header.oauthEndpoint()?.tokenURL == "https://id.example.com/token")
        #expect(try header.oauthEndpoint()?.scope == nil)
    }

    @Test(arguments: [
        (#"{"type": "bearer", "oauth": {}}"#, "/auth/oauth/token_url"),
        (#"{"type": "bearer", "oauth": "https://id.example.com/t"}"#, "/auth/oauth"),
        (
            #"{"type": "bearer", "oauth": {"token_url": "http://id.example.com/t"}}"#,
            "/auth/oauth/token_url"
        ),
        (
            #"{"type": "bearer", "oauth": {"token_url": "https://id.example.com"}}"#,
            "/auth/oauth/token_url"
        ),
        (
            #"{"type": "bearer", "oauth": {"token_url": "https://{{var.tenant}}.example.com/t"}}"#,
            "/auth/oauth/token_url"
        ),
        (
            #"{"type": "bearer", "oauth": {"token_url": "https://u@id.example.com/t"}}"#,
            "/auth/oauth/token_url"
        ),
        (
            #"{"type": "bearer", "oauth": {"token_url": "https://id.example.com/t?x=1"}}"#,
            "/auth/oauth/token_url"
        ),
        (
            #"{"type": "bearer", "oauth": {"token_url": "https://id.example.com/{{email}}"}}"#,
            "/auth/oauth/token_url"
        ),
        (
            #"{"type": "bearer", "oauth": {"token_url": "https://id.example.com/{{var.org}}"}}"#,
            "/auth/oauth/token_url"
        ),
        (
            #"{"type": "bearer", "oauth": {"token_url": "https://id.example.com/t", "scope": 1}}"#,
            "/auth/oauth/scope"
        ),
        (
            #"{"type": "bearer", "oauth": {"token_url": "https://id.example.com/t", "audience": "x"}}"#,
            "/auth/oauth/audience"
        ),
    ])
    func aBrokenTokenEndpointIsPointedAt(auth: String, pointer: String) {
        #expect(problemPointers(withAuth(auth)) == [pointer], "\(auth)")
    }
}
