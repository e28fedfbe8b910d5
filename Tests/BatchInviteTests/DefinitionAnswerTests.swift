import Testing

@testable import BatchInvite

/// What a definition's `answer` and `rate` rules make of answers.
@Suite struct DefinitionAnswerTests {
    /// CyberArk's rules written as a definition: success unless `/success` is false or
    /// `/Error` is neither absent nor null; the message from `/Error`, `/Message`,
    /// `/ErrorID`; a 2xx without readable JSON in doubt.
    let cyberArkLike = try! definitionTarget(
        definitionJSON(
            extra: #"""
                "answer": {
                  "success_tests": [{"pointer": "/success", "not_equals": false},
                                    {"pointer": "/Error", "absent_or_null": true}],
                  "success_message": ["/Message"],
                  "message": ["/Error", "/Message", "/ErrorID"]
                },
                """#))

    /// GitHub's, as the sample has them.
    let gitHubLike = try! definitionTarget(
        definitionJSON(
            extra: #"""
                "answer": {
                  "success_statuses": [201],
                  "success_tests": [{"pointer": "/id", "not_equals": null}],
                  "invitation_status": "/state/name",
                  "expires_at": "/expires_at",
                  "message": ["/errors/*/message", "/message"],
                  "unreadable_success": {"201": "invited", "other": "refused"},
                  "already_invited": {"statuses": [422], "words": [["already", "part of"], ["already", "invit"]]}
                },
                "rate": {"default": 2, "reset_header": "x-ratelimit-reset", "reset_unit": "unix",
                         "limited_when": [{"status": 403, "header": "x-ratelimit-remaining", "equals": "0"}]},
                """#))

    func answer(_ target: DefinitionTarget, _ status: Int, _ body: String) -> Answer {
        target.interpret(status: status, body: Array(body.utf8))
    }

    @Test func successIsWhatTheTestsSay() {
        #expect(
            answer(cyberArkLike, 200, #"{"success":true,"Message":"sent","Error":null}"#)
                == .invited(message: "sent", invitationStatus: "", expiresAt: ""))
        #expect(
            answer(cyberArkLike, 200, #"{"Message":"sent"}"#)
                == .invited(message: "sent", invitationStatus: "", expiresAt: ""))
        #expect(
            answer(cyberArkLike, 200, #"{"success":false,"Message":"no phone"}"#)
                == .refused(message: "no phone"))
        #expect(
            answer(cyberArkLike, 200, #"{"success":true,"Error":"User not found","ErrorID":"E1"}"#)
                == .refused(message: "User not found"))
    }

    @Test func theFirstNonEmptyMessageWinsAndAnObjectIsQuotedAsJSON() {
        #expect(
            answer(cyberArkLike, 400, #"{"Error":"","Message":null,"ErrorID":"E42"}"#)
                == .refused(message: "E42"))
        #expect(
            answer(cyberArkLike, 400, #"{"Error":{"code":7,"why":["x"]}}"#)
                == .refused(message: #"{"code":7,"why":["x"]}"#))
        #expect(
            answer(cyberArkLike, 400, #"{"other":1}"#)
                == .refused(message: #"HTTP 400: {"other":1}"#))
    }

    @Test func aTwoHundredWithoutReadableJSONFollowsItsStatusRule() {
        #expect(
            answer(cyberArkLike, 200, "<html>ok</html>")
                == .unclear(
                    message: "HTTP 200 with an answer that is not the API's JSON: <html>ok</html>"))
        guard case .invited = answer(gitHubLike, 201, "") else {
            Issue.record("a 201 without a body is an invitation under the GitHub rules")
            return
        }
        #expect(
            answer(gitHubLike, 202, "")
                == .refused(message: "unexpected answer (HTTP 202): (empty body)"))
    }

    @Test func aSuccessStatusNotListedIsNoSuccess() {
        #expect(
            answer(gitHubLike, 200, #"{"id":1}"#)
                == .refused(message: #"unexpected answer (HTTP 200): {"id":1}"#))
        #expect(
            answer(
                gitHubLike, 201, #"{"id":1,"state":{"name":"pending"},"expires_at":"2027-01-01"}"#)
                == .invited(message: "", invitationStatus: "pending", expiresAt: "2027-01-01"))
    }

    @Test func alreadyInvitedIsReadFromAnyMessageAtItsStatuses() {
        let member =
            #"{"message":"Validation Failed","errors":[{"field":"data","message":"Invitee is already a part of this organization"}]}"#
        #expect(
            answer(gitHubLike, 422, member)
                == .alreadyInvited(message: "Invitee is already a part of this organization"))
        #expect(
            answer(gitHubLike, 400, member)
                == .refused(message: "Invitee is already a part of this organization"))
        #expect(
            answer(
                gitHubLike, 422,
                #"{"message":"Validation Failed","errors":[{"message":"role is not included in the list"}]}"#
            )
                == .refused(message: "role is not included in the list"))
        #expect(
            answer(
                gitHubLike, 422,
                #"{"message":"Validation Failed","errors":[{"code":"x"},{"message":"Already INVITED"}]}"#
            )
                == .alreadyInvited(message: "Already INVITED"))
    }

    @Test func aStatusIsARateLimitWhenItsHeaderSaysSo() {
        let limited = HTTPHeaders([
            ("X-RateLimit-Remaining", "0"), ("x-ratelimit-reset", "1000000100"),
        ])
        #expect(gitHubLike.isRateLimit(status: 403, headers: limited))
        #expect(
            !gitHubLike.isRateLimit(
                status: 403, headers: HTTPHeaders([("x-ratelimit-remaining", "12")])))
        #expect(!gitHubLike.isRateLimit(status: 401, headers: limited))
        #expect(gitHubLike.rateLimitWait(limited, now: 1_000_000_040) == 60)
        #expect(gitHubLike.rateLimitWait(HTTPHeaders(), now: 0) == nil)
        #expect(gitHubLike.defaultRate == 2)
        #expect(!cyberArkLike.isRateLimit(status: 403, headers: limited))
    }

    @Test(arguments: [("seconds", 30.0), ("unix", 0.0), ("seconds_or_unix", 30.0)])
    func aResetHeaderCountsAsItsUnitSays(unit: String, wait: Double) throws {
        let target = try definitionTarget(
            definitionJSON(
                extra: #""rate": {"reset_header": "X-Reset", "reset_unit": "\#(unit)"},"#))
        #expect(target.rateLimitWait(HTTPHeaders([("X-Reset", "30")]), now: 1_700_000_000) == wait)
    }
}
