import Testing

@testable import BatchInvite

@Suite struct HeaderMatcherTests {
    let sendoso = SendosoTarget()

    func fields(_ headers: [String], maps: [HeaderMapping] = []) throws -> [String?] {
        let matcher = try HeaderMatcher(target: sendoso, mappings: maps)
        let assignment = try matcher.assign(headers)
        return assignment.columnOfField.map { $0.map { headers[$0] } }
    }

    @Test(
        arguments: [
            ["First Name", "Last Name", "Email"], ["firstName", "lastName", "emailAddress"],
            ["first_name", "LAST_NAME", "E-Mail"], ["Prénom", "Nom", "Courriel"],
            ["Vorname", "Nachname", "E-Mail-Adresse"],
            ["Nombre", "Apellidos", "Correo electrónico"],
            ["Primeiro nome", "Sobrenome", "Endereço de e-mail"],
            ["Nome", "Cognome", "Indirizzo email"],
            ["Voornaam", "Achternaam", "E-mailadres"],
            ["PRENOM", "NOM DE FAMILLE", "ADRESSE MAIL"],
            ["First name [givenName]", "Last name [surname] Required", "Email *"],
        ])
    func namesInSevenLanguagesAndEveryCaseMatch(headers: [String]) throws {
        #expect(try fields(headers + ["Role", "Team"]) == headers + ["Role", "Team"])
    }

    @Test func annotatedHeadersMatchOnEitherPart() {
        #expect(
            HeaderMatcher.parts(of: "User name [userPrincipalName] Required") == [
                "username[userprincipalname]required", "username", "userprincipalname",
            ])
        #expect(
            HeaderMatcher.parts(of: "Name (example: Chris Green) [displayName] *").contains(
                "displayname"))
    }

    @Test func aMapByPositionChoosesAmongRepeatedHeaders() throws {
        let headers = ["email", "First Name", "email", "Last Name"]
        let chosen = try fields(headers, maps: [HeaderMapping(header: "#3", field: "email")])
        #expect(chosen[2] == "email")
        let matcher = try HeaderMatcher(
            target: sendoso, mappings: [HeaderMapping(header: "#3", field: "email")])
        #expect(try matcher.assign(headers).columnOfField[2] == 2)
        #expect(throws: BatchInviteError.self) {
            try HeaderMatcher(
                target: sendoso, mappings: [HeaderMapping(header: "#0", field: "email")])
        }
        let far = try HeaderMatcher(
            target: sendoso, mappings: [HeaderMapping(header: "#9", field: "email")])
        #expect(throws: BatchInviteError.self) { try far.assign(headers) }
    }

    @Test func nearMatchesAllowSlipsScaledToTheNamesLength() {
        #expect(HeaderMatcher.editDistance(Array("emial".utf8), Array("email".utf8)) == 1)
        #expect(HeaderMatcher.editDistance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
        #expect(HeaderMatcher.near("emial", "email"))
        #expect(!HeaderMatcher.near("0", "id"))
        #expect(!HeaderMatcher.near("username", "surname"))
        #expect(HeaderMatcher.near("emailaddres", "emailaddress"))
        #expect(HeaderMatcher.closest(to: "emialalt", among: ["Email", "Email_alt"]) == 1)
    }

    @Test func mapNamesArePlainTextOrAPosition() {
        #expect(
            HeaderMatcher.mapName("User name [userPrincipalName] Required", position: 1)
                == "User name [userPrincipalName] Required")
        #expect(HeaderMatcher.mapName("", position: 0) == "#1")
        #expect(HeaderMatcher.mapName("say \"hi\"", position: 4) == "#5")
        #expect(HeaderMatcher.mapName("$HOME", position: 2) == "#3")
    }
}
