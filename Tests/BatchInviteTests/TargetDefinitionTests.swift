import Foundation
import Testing

@testable import BatchInvite

/// A small definition's JSON, with `extra` members added at the top and `fields`,
/// `request` and `answer` replaceable.
func definitionJSON(
    fields: String = #"[{"name": "email", "rule": "email", "key": "lowercased"}]"#,
    request: String = #"{"method": "POST", "path": "/invite", "json": {"email": "{{email}}"}}"#,
    extra: String = ""
) -> String {
    """
    {"format": 1, "name": "demo", "description": "a demo API",
     "documentation": "https://example.com/docs", \(extra)
     "fields": \(fields), "request": \(request)}
    """
}

func definition(_ text: String) -> Result<TargetDefinition, DefinitionProblems> {
    TargetDefinition.parse(Array(text.utf8))
}

/// The pointers of the problems `text` has (none when it is valid).
func problemPointers(_ text: String) -> [String] {
    switch definition(text) {
    case .success: return []
    case .failure(let problems): return problems.problems.map(\.pointer)
    }
}

/// The target of a valid definition, its vars bound.
func definitionTarget(_ text: String, vars: [(String, String)] = []) throws -> DefinitionTarget {
    try DefinitionTarget(definition(text).get(), vars: vars.map { (name: $0.0, value: $0.1) })
}

/// What `target` makes of one row of `cells` (nil: the field is missing): its problems,
/// its key, and its request.
func check(_ target: any Target, _ cells: [String?]) -> (
    problems: String, key: String, request: APIRequest
) {
    var storage = cells.map { $0.map { Array($0.utf8) } }
    return storage.withUnsafeMutableBufferPointer { buffers in
        var values: [FieldValue] = []
        for index in buffers.indices {
            if buffers[index] == nil {
                values.append(.missing)
            } else {
                values.append(
                    buffers[index]!.withUnsafeBytes { .text($0) })
            }
        }
        return values.withUnsafeBufferPointer { pointer in
            let row = RowValues(pointer)
            var key = RowKey()
            var problems = RowProblems()
            target.validate(row, key: &key, problems: &problems)
            let payload = problems.isEmpty ? target.payload(row, path: target.defaultPath) : []
            return (
                problems.text, key.withUnsafeBytes { String(decoding: $0, as: UTF8.self) },
                APIRequest(target.requestFrame(path: target.defaultPath), payload: payload)
            )
        }
    }
}

@Suite struct TargetDefinitionTests {
    @Test func theShippedGitHubSampleLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let bytes = try [UInt8](
            Data(
                contentsOf: root.appendingPathComponent(
                    "samples/targets/github-org-invitations.json")))
        let loaded = try TargetDefinition.parse(bytes).get()
        #expect(loaded.name == "github-org-invitations")
        #expect(loaded.fields.map(\.name) == ["email", "role"])
        #expect(loaded.vars.map(\.name) == ["org", "role"])
        #expect(loaded.digest.count == 64)
    }

    @Test(arguments: [
        (#"{"format": 2}"#, "/format"),
        (definitionJSON(extra: #""colour": "red","#), "/colour"),
        (definitionJSON(extra: #""name": "Bad Name","#), "/name"),
        (
            definitionJSON(fields: #"[{"name": "email", "rule": "emial", "key": "lowercased"}]"#),
            "/fields/0/rule"
        ),
        (definitionJSON(fields: #"[{"name": "email", "rule": "email"}]"#), "/fields"),
        (
            definitionJSON(
                fields:
                    #"[{"name": "email", "rule": "email", "key": "lowercased"}, {"name": "n", "rule": "integer", "min": 5, "max": 1}]"#
            ),
            "/fields/1/max"
        ),
        (
            definitionJSON(
                fields:
                    #"[{"name": "email", "rule": "email", "key": "lowercased", "choices": ["a"]}]"#),
            "/fields/0/choices"
        ),
        (
            definitionJSON(
                fields:
                    #"[{"name": "email", "rule": "choice", "choices": ["Yes"], "key": "exact"}]"#),
            "/fields/0/choices"
        ),
        (
            definitionJSON(
                fields:
                    #"[{"name": "email", "rule": "email", "key": "lowercased", "default_option": "--colour"}]"#
            ), "/fields/0/default_option"
        ),
        (
            definitionJSON(
                fields:
                    #"[{"name": "email", "rule": "email", "key": "lowercased", "default_var": "nope"}]"#
            ), "/fields/0/default_var"
        ),
        (
            definitionJSON(request: #"{"method": "POST", "path": "/invite/{{emial}}"}"#),
            "/request/path"
        ),
        (definitionJSON(request: #"{"method": "POST", "path": "/invite?x=1"}"#), "/request/path"),
        (definitionJSON(request: #"{"method": "POST", "path": "invite"}"#), "/request/path"),
        (definitionJSON(request: #"{"method": "FETCH", "path": "/invite"}"#), "/request/method"),
        (
            definitionJSON(
                request: #"{"method": "POST", "path": "/i", "json": {"a": "{{var.org}}"}}"#),
            "/request/json/a"
        ),
        (
            definitionJSON(
                request: #"{"method": "POST", "path": "/i", "headers": {"Authorization": "x"}}"#),
            "/request/headers/Authorization"
        ),
        (
            definitionJSON(
                request: #"{"method": "POST", "path": "/i", "headers": {"X-Mail": "{{email}}"}}"#),
            "/request/headers/X-Mail"
        ),
        (
            definitionJSON(request: #"{"method": "POST", "path": "/i", "json": {}, "form": {}}"#),
            "/request/form"
        ),
        (definitionJSON(extra: #""auth": {"type": "basic"},"#), "/auth/type"),
        (definitionJSON(extra: #""base_url": "https://api.example.com/v1?key=1","#), "/base_url"),
        (
            definitionJSON(extra: #""base_url": "https://user:secret@api.example.com","#),
            "/base_url"
        ),
        (definitionJSON(extra: #""base_url": "https://api.example.com/v1#top","#), "/base_url"),
        (
            definitionJSON(
                extra: #""rate": {"limited_when": [{"status": 403, "header": "retry-after"}]},"#),
            "/rate/limited_when/0"
        ),
        (
            definitionJSON(
                extra:
                    #""rate": {"limited_when": [{"status": 403, "header": "retry-after", "present": false}]},"#
            ),
            "/rate/limited_when/0/present"
        ),
        (definitionJSON(extra: #""auth": {"type": "bearer", "scheme": "SSWS"},"#), "/auth/scheme"),
        (
            definitionJSON(
                extra:
                    #""auth": {"type": "header", "header": "Authorization", "scheme": "SSWS x"},"#),
            "/auth/scheme"
        ),
        (definitionJSON(extra: #""answer": {"message": ["message"]},"#), "/answer/message/0"),
        (
            definitionJSON(
                extra: #""answer": {"success_tests": [{"pointer": "/a/*", "equals": 1}]},"#),
            "/answer/success_tests/0/pointer"
        ),
        (
            definitionJSON(
                extra:
                    #""answer": {"success_tests": [{"pointer": "/a", "equals": 1, "not_equals": 2}]},"#
            ), "/answer/success_tests/0"
        ),
        (
            definitionJSON(extra: #""answer": {"unreadable_success": {"201": "maybe"}},"#),
            "/answer/unreadable_success/201"
        ),
        (definitionJSON(extra: #""rate": {"reset_unit": "minutes"},"#), "/rate/reset_unit"),
        (definitionJSON(extra: #""rate": {"default": 0},"#), "/rate/default"),
        (definitionJSON(extra: #""base_url": "http://api.example.com","#), "/base_url"),
        (definitionJSON(extra: #""vars": {"org": {}},"#), "/vars/org/description"),
    ])
    func aBrokenDefinitionIsRefusedWithThePointerToItsFault(text: String, pointer: String) {
        #expect(problemPointers(text).contains(pointer), "\(problemPointers(text))")
    }

    @Test func everyProblemIsListedNotOnlyTheFirst() {
        let pointers = problemPointers(
            definitionJSON(
                fields: #"[{"name": "email", "rule": "emial", "key": "lowercased"}]"#,
                request: #"{"method": "FETCH", "path": "/i"}"#, extra: #""colour": 1,"#))
        #expect(pointers == ["/colour", "/fields/0/rule", "/request/method"])
    }

    @Test func aValidDefinitionHasNoProblems() {
        #expect(problemPointers(definitionJSON()) == [])
    }

    @Test func placedValuesArePercentEncodedInThePathAndQuery() throws {
        let target = try definitionTarget(
            definitionJSON(
                fields: #"[{"name": "email", "rule": "email", "key": "lowercased"}]"#,
                request:
                    #"{"method": "PUT", "path": "/orgs/{{var.org}}/users/{{email}}", "query": {"notify": "yes please", "who": "{{email}}"}}"#,
                extra: #""vars": {"org": {"description": "the org"}},"#),
            vars: [("org", "a/b c?#")])
        let request = check(target, ["Ada+x@Example.com"]).request
        #expect(request.method == "PUT")
        #expect(
            request.pathAndQuery
                == "/orgs/a%2Fb%20c%3F%23/users/Ada%2Bx%40Example.com?notify=yes%20please&who=Ada%2Bx%40Example.com"
        )
        #expect(request.body.isEmpty)
        #expect(request.contentType == nil)
    }

    @Test func aJSONBodyCarriesTypedValuesAndLeavesOutEmptyOptionalFields() throws {
        let target = try definitionTarget(
            definitionJSON(
                fields: #"""
                    [{"name": "email", "rule": "email", "key": "lowercased"},
                     {"name": "team", "rule": "integer", "min": 1, "max": 999},
                     {"name": "role", "rule": "choice", "choices": ["admin", "direct_member"], "required": false},
                     {"name": "id", "rule": "uuid", "required": false},
                     {"name": "phone", "rule": "phone", "required": false}]
                    """#,
                request:
                    #"{"method": "POST", "path": "/i", "headers": {"X-Org": "{{var.org}}"}, "json": {"user": {"email": "{{email}}", "team": "{{team}}", "role": "{{role}}", "id": "{{id}}", "phone": "{{phone}}", "note": "for {{email}} in {{var.org}}", "tags": ["{{role}}", true]}}}"#,
                extra: #""vars": {"org": {"description": "the org"}},"#),
            vars: [("org", "Acme \"HQ\"")])
        let full = check(
            target,
            [
                " ada@x.io ", "007", "Direct_Member", "{123E4567-E89B-12D3-A456-426614174000}",
                "+1 (415) 555-0100",
            ])
        #expect(full.problems == "")
        #expect(full.key == "ada@x.io")
        #expect(
            String(decoding: full.request.body, as: UTF8.self)
                == #"{"user":{"email":"ada@x.io","team":7,"role":"direct_member","id":"123e4567-e89b-12d3-a456-426614174000","phone":"+14155550100","note":"for ada@x.io in Acme \"HQ\"","tags":["direct_member",true]}}"#
        )
        #expect(full.request.headers == ["X-Org: Acme \"HQ\""])
        #expect(full.request.contentType == "application/json")
        let sparse = check(target, ["bo@x.io", "12", "", nil, nil])
        #expect(sparse.problems == "")
        #expect(
            String(decoding: sparse.request.body, as: UTF8.self)
                == #"{"user":{"email":"bo@x.io","team":12,"note":"for bo@x.io in Acme \"HQ\"","tags":[true]}}"#
        )
    }

    @Test func membersAndElementsLeftOutAnywhereLeaveValidJSON() throws {
        // The empty optional field first, last, alone in an object and in an array, beside
        // constants that are objects and arrays themselves.
        let target = try definitionTarget(
            definitionJSON(
                fields: #"""
                    [{"name": "email", "rule": "email", "key": "lowercased"},
                     {"name": "role", "rule": "choice", "choices": ["admin", "member"], "required": false}]
                    """#,
                request:
                    #"{"method": "POST", "path": "/i", "json": {"role": "{{role}}", "email": "{{email}}", "extra": {"r": "{{role}}"}, "list": ["{{role}}"], "fixed": {"a": [1, {"b": null}], "s": "x,{"}, "pair": ["{{role}}", "{{email}}", "{{role}}"], "last": "{{role}}"}}"#
            ))
        let without = check(target, ["bo@x.io", ""])
        #expect(without.problems == "")
        #expect(
            String(decoding: without.request.body, as: UTF8.self)
                == #"{"email":"bo@x.io","extra":{},"list":[],"fixed":{"a":[1,{"b":null}],"s":"x,{"},"pair":["bo@x.io"]}"#
        )
        let with = check(target, ["bo@x.io", "Admin"])
        #expect(
            String(decoding: with.request.body, as: UTF8.self)
                == #"{"role":"admin","email":"bo@x.io","extra":{"r":"admin"},"list":["admin"],"fixed":{"a":[1,{"b":null}],"s":"x,{"},"pair":["admin","bo@x.io","admin"],"last":"admin"}"#
        )
    }

    @Test(arguments: ["refusal", "message"])
    func aRefusalInA200SaysAlreadyInvitedWhereTheAPIWritesIt(failedTests: String) throws {
        // Slack's way: every answer is HTTP 200, `ok` says whether it worked.
        let target = try definitionTarget(
            definitionJSON(
                extra: #"""
                    "answer": {"success_tests": [{"pointer": "/ok", "equals": true}],
                               "failed_tests": "\#(failedTests)", "message": ["/error"],
                               "already_invited": {"words": [["already", "invited"], ["already", "in", "team"]]}},
                    """#))
        func answer(_ status: Int, _ body: String) -> Answer {
            target.interpret(status: status, body: Array(body.utf8))
        }
        #expect(
            answer(200, #"{"ok":true}"#)
                == .invited(message: "", invitationStatus: "", expiresAt: ""))
        #expect(
            answer(200, #"{"ok":false,"error":"already_invited"}"#)
                == .alreadyInvited(message: "already_invited"))
        #expect(
            answer(200, #"{"ok":false,"error":"already_in_team"}"#)
                == .alreadyInvited(message: "already_in_team"))
        #expect(
            answer(200, #"{"ok":false,"error":"invalid_email"}"#)
                == .refused(message: "invalid_email"))
        #expect(
            answer(429, #"{"ok":false,"error":"ratelimited"}"#) == .refused(message: "ratelimited"))
    }

    @Test func alreadyInvitedStatusesLimitWhereTheWordsCount() throws {
        let target = try definitionTarget(
            definitionJSON(
                extra: #"""
                    "answer": {"message": ["/message"],
                               "already_invited": {"statuses": [409], "words": [["already"]]}},
                    """#))
        func answer(_ status: Int, _ body: String) -> Answer {
            target.interpret(status: status, body: Array(body.utf8))
        }
        #expect(
            answer(409, #"{"message":"already a member"}"#)
                == .alreadyInvited(message: "already a member"))
        #expect(
            answer(400, #"{"message":"already a member"}"#) == .refused(message: "already a member")
        )
    }

    @Test func aFormBodyIsFormEncoded() throws {
        let target = try definitionTarget(
            definitionJSON(
                request:
                    #"{"method": "POST", "path": "/i", "form": {"to": "{{email}}", "note": "a&b=c"}}"#
            ))
        let request = check(target, ["ada@x.io"]).request
        #expect(String(decoding: request.body, as: UTF8.self) == "to=ada%40x.io&note=a%26b%3Dc")
        #expect(request.contentType == "application/x-www-form-urlencoded")
    }

    @Test func rowsAreCheckedWithTheToolsOwnRules() throws {
        let target = try definitionTarget(
            definitionJSON(
                fields: #"""
                    [{"name": "email", "rule": "email", "key": "lowercased"},
                     {"name": "n", "rule": "integer", "min": 1, "max": 10},
                     {"name": "phone", "rule": "phone"},
                     {"name": "site", "rule": "url", "required": false},
                     {"name": "name", "rule": "text", "max_length": 5, "required": false}]
                    """#))
        let result = check(target, ["bob@", "11", "555-0100", "ftp://x", "Adelaide"])
        #expect(
            result.problems
                == #"email: "bob@" is not an email address; n: "11" must be a whole number from 1 to 10; "#
                + #"phone: "555-0100" is not a phone number in E.164 form (+, the country code and number, 8 to 15 digits, e.g. +14155550100); "#
                + #"site: "ftp://x" is not a web address (https://host/..., without spaces); "#
                + "name: is 8 characters long, at most 5 are allowed")
        #expect(check(target, [nil, "1", "+441632960961", nil, nil]).problems == "email: missing")
    }

    @Test func aMissingOrUndeclaredVarIsAUsageErrorNamingIt() throws {
        let text = definitionJSON(extra: #""vars": {"org": {"description": "the org"}},"#)
        #expect(throws: BatchInviteError.self) { try definitionTarget(text) }
        do {
            _ = try definitionTarget(text)
        } catch {
            #expect("\(error)".contains("--var org=VALUE"))
        }
        #expect(throws: BatchInviteError.self) {
            try definitionTarget(text, vars: [("org", "a"), ("orgg", "b")])
        }
        #expect(throws: BatchInviteError.self) {
            try definitionTarget(text, vars: [("org", "a\nb")])
        }
    }

    /// What a bound target refuses (its message), or "" when it binds.
    func bindingProblem(_ text: String, _ vars: [(String, String)]) -> String {
        do {
            _ = try definitionTarget(text, vars: vars)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func aVarInAPathStaysOneSegmentOfIt() throws {
        let text = definitionJSON(
            request:
                #"{"method": "POST", "path": "/orgs/{{var.org}}/invitations", "json": {"email": "{{email}}"}}"#,
            extra: #""vars": {"org": {"description": "the org", "required": false}},"#)
        #expect(bindingProblem(text, [("org", "acme")]) == "")
        #expect(bindingProblem(text, [("org", "a.b")]) == "")
        #expect(bindingProblem(text, [("org", "...")]) == "")
        #expect(
            bindingProblem(text, [("org", "..")]).hasSuffix(
                #"--var org: ".." cannot be placed in the URL's path"#))
        #expect(
            bindingProblem(text, [("org", ".")]).hasSuffix(
                #"--var org: "." cannot be placed in the URL's path"#))
        #expect(
            bindingProblem(text, [("org", "")]).hasSuffix(
                "--var org: an empty value cannot be placed in the URL's path"))
        // Optional, but the path needs it.
        #expect(
            bindingProblem(text, []).hasSuffix(
                "target demo needs --var org=VALUE (the org): the request's path places it"))
        // In a token URL's path too.
        let oauth = definitionJSON(
            extra:
                #""vars": {"tenant": {"description": "t", "required": false}}, "auth": {"type": "bearer", "oauth": {"token_url": "https://id.example.com/{{var.tenant}}/token"}},"#
        )
        // Checked when the token URL is used (`--oauth-token-url` may replace it).
        #expect(bindingProblem(oauth, []) == "")
        let tenant = try definitionTarget(oauth, vars: [("tenant", "..")])
        #expect {
            _ = try tenant.oauthEndpoint()
        } throws: { error in
            "\(error)".hasSuffix(#"--var tenant: ".." cannot be placed in the URL's path"#)
        }
        #expect(
            try definitionTarget(oauth, vars: [("tenant", "t1")]).oauthEndpoint()?.tokenURL
                == "https://id.example.com/t1/token")
    }

    @Test func aRowValueInAPathStaysOneSegmentOfIt() throws {
        let target = try definitionTarget(
            definitionJSON(
                fields: #"""
                    [{"name": "email", "rule": "email", "key": "lowercased"}, {"name": "team", "rule": "text"}]
                    """#,
                request:
                    #"{"method": "POST", "path": "/teams/{{team}}/members", "json": {"email": "{{email}}"}}"#
            ))
        #expect(
            check(target, ["a@x.io", ".."]).problems
                == #"team: ".." cannot be placed in the URL's path"#)
        #expect(
            check(target, ["a@x.io", " . "]).problems
                == #"team: "." cannot be placed in the URL's path"#)
        // Empty: said once.
        #expect(check(target, ["a@x.io", " "]).problems == "team: is empty")
        for fine in ["...", "a.b", ".a", "x/y"] {
            let row = check(target, ["a@x.io", fine])
            #expect(row.problems == "", "\(fine)")
        }
        #expect(check(target, ["a@x.io", "x/y"]).request.pathAndQuery == "/teams/x%2Fy/members")
    }
}
