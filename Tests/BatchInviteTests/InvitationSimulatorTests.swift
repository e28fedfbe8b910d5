import Foundation
import Testing

@testable import BatchInvite

/// The simulator's Sendoso answer to `body`: its status and its `message`, and its
/// `receiver_email` when it invited.
func simulatedInvite(_ body: [UInt8], teams: Set<Int64>? = nil) -> (
    status: Int, message: String, receiver: String?
) {
    var configuration = SimulatorConfiguration()
    configuration.token = "t"
    configuration.teams = teams
    let simulator = InvitationSimulator(configuration: configuration, log: nil)
    let request = HTTPRequest(
        method: "POST", target: InvitationSimulator.sendosoPath,
        headers: [(name: "authorization", value: "Bearer t")], body: body, wantsClose: false)
    guard case .respond(let response, _) = simulator.handle(request),
        let answer = try? JSONSerialization.jsonObject(with: Data(response.body))
            as? [String: Any]
    else { return (0, "no JSON answer", nil) }
    return (
        response.status, answer["message"] as? String ?? "", answer["receiver_email"] as? String
    )
}

func simulatedInvite(_ body: String, teams: Set<Int64>? = nil) -> (
    status: Int, message: String, receiver: String?
) {
    simulatedInvite(Array(body.utf8), teams: teams)
}

/// A Sendoso body whose user has `members` after the five a valid one has (a repeated key
/// overrides the one before it).
func sendosoBody(_ members: String = "", around: (String) -> String = { $0 }) -> String {
    let user =
        #"{"first_name":"Ada","last_name":"Lovelace","email":"ada@x.io","role":"regular","#
        + #""team_group_id":1234"# + (members.isEmpty ? "" : ",") + members + "}"
    return around(#"{"user":"# + user + "}")
}

let invited = "Invitation sent successfully"
let notJSON = "The request body is not valid JSON"
let noUser = "param is missing or the value is empty: user"
let badTeam = "Please enter a valid team group"

/// The simulator reads request bodies with Foundation's JSONSerialization, which takes more
/// than RFC 8259 allows and refuses some of what it allows: the answers stay those of a
/// strict reader (what the simulator answered when it read bodies with the client's parser).
@Suite struct InvitationSimulatorTests {
    @Test(arguments: [
        (sendosoBody(), invited),
        (sendosoBody(#""note":1,"#), notJSON),
        (sendosoBody(#""tags":["a",]"#), notJSON),
        (sendosoBody(#""tags":{"a":1,}"#), notJSON),
        (sendosoBody(#""tags":[,]"#), notJSON),
        (sendosoBody(#""note":"a,]""#), invited),
        (sendosoBody() + " x", notJSON),
        ("", notJSON),
    ])
    func aCommaBeforeAClosingBracketIsNotJSON(body: String, message: String) {
        #expect(simulatedInvite(body).message == message, "\(body)")
    }

    @Test func aBodyInAnotherEncodingOrWithAByteOrderMarkIsNotJSON() {
        let text = sendosoBody()
        let utf16 = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(simulatedInvite(utf16).message == notJSON)
        #expect(simulatedInvite([0xFF, 0xFE] + utf16).message == notJSON)
        #expect(simulatedInvite([0xEF, 0xBB, 0xBF] + Array(text.utf8)).message == notJSON)
        #expect(simulatedInvite(" \u{FEFF}" + text).message == notJSON)
        #expect(simulatedInvite(Array(text.utf8) + [0]).message == notJSON)
    }

    @Test(arguments: [
        ("[]", noUser), (#""user""#, noUser), ("5", noUser), ("null", noUser), ("true", noUser),
        (#"{"user":[]}"#, noUser), (#"{"user":"ada@x.io"}"#, noUser), (" ", notJSON),
    ])
    func aBodyThatHoldsNoUserObjectSaysSo(body: String, message: String) {
        #expect(simulatedInvite(body).message == message, "\(body)")
    }

    @Test func theLastOfRepeatedKeysCounts() {
        let email = simulatedInvite(sendosoBody(#""email":"grace@x.io""#))
        #expect(email.status == 201 && email.receiver == "grace@x.io")
        #expect(simulatedInvite(sendosoBody { #"{"user":"x","# + $0.dropFirst() }).status == 201)
        #expect(simulatedInvite(sendosoBody { $0.dropLast() + #","user":"x"}"# }).message == noUser)
    }

    @Test(arguments: [
        ("1234", invited), (#""1234""#, badTeam), ("1234.0", badTeam), ("1.234e3", badTeam),
        ("1234E0", badTeam), ("true", badTeam), ("false", badTeam), ("null", badTeam),
        ("[1234]", badTeam), ("0", badTeam), ("-0", badTeam), ("-5", badTeam),
        ("9223372036854775807", invited), ("9223372036854775808", badTeam),
        ("123456789012345678901234567890", badTeam), ("1e400", badTeam), ("-1e400", badTeam),
        ("1", invited), ("01234", notJSON), ("+1234", notJSON), ("1234.", notJSON),
    ])
    func aTeamIsAWholePositiveNumberWrittenAsOne(team: String, message: String) {
        let answer = simulatedInvite(sendosoBody(#""team_group_id":"# + team))
        #expect(answer.message == message, "team_group_id \(team)")
    }

    @Test func aNumberTooLargeForADoubleIsANumberElsewhereToo() {
        #expect(simulatedInvite(sendosoBody(#""note":[1e400,-2E+999]"#)).status == 201)
        #expect(simulatedInvite(sendosoBody(#""note":01e400"#)).message == notJSON)
        #expect(simulatedInvite(sendosoBody(#""note":1.e400"#)).message == notJSON)
        #expect(simulatedInvite(sendosoBody(#""first_name":"1e400""#)).status == 201)
    }

    @Test func theTeamsGivenAreTheOnlyOnesTaken() {
        #expect(simulatedInvite(sendosoBody(), teams: [1234]).status == 201)
        #expect(simulatedInvite(sendosoBody(), teams: [5678]).message == badTeam)
    }

    @Test(arguments: [
        (#""first_name":"\u00c1da""#, invited, "ada@x.io"),
        (#""email":"\u0061da@x.io""#, invited, "ada@x.io"),
        (#""email":"\ud835\udc1a@x.io""#, "Email is invalid", nil),
        (#""first_name":"\ud800""#, invited, "ada@x.io"),
        (#""first_name":"\udc00x\ud800""#, invited, "ada@x.io"),
        (#""first_name":"\ud800\ud800\udc00""#, invited, "ada@x.io"),
        (#""first_name":"\ud83d\ude00""#, invited, "ada@x.io"),
        (#""first_name":"\\ud800""#, invited, "ada@x.io"),
        (#""email":"ad\udc00a@x.io""#, "Email is invalid", nil),
        (#""first_name":"\u0000""#, invited, "ada@x.io"),
        (#""first_name":"\#u{FEFF}""#, invited, "ada@x.io"),
        (#""role":"\#u{FEFF}regular""#, "Role can be one of these: manager,regular", nil),
        (#""\#u{FEFF}team_group_id":"x""#, invited, "ada@x.io"),
        (#""last_name":"\n\#u{FEFF}""#, invited, "ada@x.io"),
        (#""first_name":"\u12""#, notJSON, nil),
        (#""first_name":"\ud800\uzzzz""#, notJSON, nil),
        (#""first_name":"\q""#, notJSON, nil),
        (#""first_name":"a\#tb""#, notJSON, nil),
    ])
    func escapesAreReadAsAStrictReaderReadsThem(
        member: String, message: String, receiver: String?
    ) {
        let answer = simulatedInvite(sendosoBody(member))
        #expect(answer.message == message, "\(member)")
        #expect(answer.receiver == receiver, "\(member)")
    }

    @Test func anUnpairedSurrogateEscapeIsReadAsTheReplacementCharacter() {
        #expect(
            SimulatorJSON.strictText(Array(#"["\ud800x","\\udc00"]"#.utf8))
                == Array(#"["\ufffdx","\\udc00"]"#.utf8))
        let read = SimulatorJSON(Array(#"{"a":"\ud800\u0041","b":"\udc00\ud83d\ude00"}"#.utf8))
        #expect(read?["a"]?.string == "\u{FFFD}A")
        #expect(read?["b"]?.string == "\u{FFFD}\u{1F600}")
    }

    @Test func textThatIsNotUTF8IsNotJSON() throws {
        var body = Array(sendosoBody().utf8)
        let name = try #require(body.firstIndex(of: UInt8(ascii: "A")))
        body[name] = 0xC1
        #expect(simulatedInvite(body).message == notJSON)
        body[name] = 0xED
        body.insert(contentsOf: [0xA0, 0x80], at: name + 1)
        #expect(simulatedInvite(body).message == notJSON)
    }

    /// 256 containers around a value at most, as a strict reader allows.
    @Test func valuesInMoreThan255ContainersAreNotRead() {
        // The body's object and the user's hold "note": its arrays are inside two more.
        func note(_ arrays: Int, _ inner: String) -> String {
            sendosoBody(
                #""note":"# + String(repeating: "[", count: arrays) + inner
                    + String(repeating: "]", count: arrays))
        }
        #expect(simulatedInvite(note(254, "")).status == 201)
        #expect(simulatedInvite(note(255, "")).message == notJSON)
        #expect(simulatedInvite(note(253, "1")).status == 201)
        #expect(simulatedInvite(note(254, "1")).message == notJSON)
        #expect(simulatedInvite(note(253, "{}")).status == 201)
        #expect(simulatedInvite(note(253, #"{"a":1}"#)).message == notJSON)
        #expect(simulatedInvite(note(600, "")).message == notJSON)
    }

    @Test(arguments: [
        (#""first_name":1"#, "First name can't be blank"),
        (#""last_name":null"#, "Last name can't be blank"),
        (#""first_name":" \t""#, "First name can't be blank"),
        (#""email":["ada@x.io"]"#, "Email can't be blank"),
        (#""role":true"#, "Role can be one of these: manager,regular"),
        (#""role":"Regular""#, "Role can be one of these: manager,regular"),
    ])
    func aFieldOfAnotherKindIsRefusedAsMissing(member: String, message: String) {
        #expect(simulatedInvite(sendosoBody(member)).message == message, "\(member)")
    }

    @Test(arguments: [
        ("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
        ("{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", "3F2504E0-4F89-11D3-9A0C-0305E82C3301"),
        ("{3f2504e0-4f89-11d3-9a0c-0305e82c3301", nil),
        ("\u{FF13}f2504e0-4f89-11d3-9a0c-0305e82c3301", nil),
        ("3f2504e0-4f89-11d3-9a0c-0305e82c330", nil),
        ("3f2504e04f8911d39a0c0305e82c3301", nil), ("{}", nil), ("", nil),
    ])
    func aListedUserIsAUUIDOfASCIIHexDigitsBracesAllowed(text: String, id: String?) {
        #expect(APIRules.listedUserID(text) == id, "\(text)")
    }
}
