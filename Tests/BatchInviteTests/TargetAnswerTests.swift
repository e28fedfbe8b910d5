import Testing

@testable import BatchInvite

@Suite struct TargetAnswerTests {
    func answer(_ status: Int, _ body: String) -> Answer {
        SendosoTarget().interpret(status: status, body: Array(body.utf8))
    }

    @Test(
        arguments: [
            "Email has already been invited", "User has already been invited",
            "ALREADY INVITED", "This address was already invited to the team",
        ])
    func anAddressAlreadyInvitedIsToldApartHoweverItIsWorded(message: String) {
        #expect(
            answer(400, #"{"success":false,"message":"\#(message)"}"#)
                == .alreadyInvited(message: message))
    }

    @Test func otherRefusalsStayRefusals() {
        #expect(
            answer(400, #"{"success":false,"message":"Email is invalid"}"#)
                == .refused(message: "Email is invalid"))
        #expect(
            answer(400, #"{"success":false,"message":"Invitation already expired"}"#)
                == .refused(message: "Invitation already expired"))
    }
}
