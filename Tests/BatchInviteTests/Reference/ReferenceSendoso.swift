@testable import BatchInvite

/// The Sendoso target as it was written in Swift before the built-ins became definitions
/// (version 1.0.0), kept as the oracle that `BuiltInDefinitionTests` holds the compiled-in
/// definition to: same checks, same requests, same reading of every answer.
struct ReferenceSendoso: Target {
    let name = "sendoso"
    let keyField = Field.email.rawValue

    /// The fields' positions in `fields`.
    enum Field: Int, CaseIterable {
        case firstName, lastName, email, role, teamGroupID
    }

    /// The values `role` accepts (case-insensitive on input, sent in lower case).
    static let roles = FieldRules.Choices(["regular", "manager"])

    let fields: [FieldSpec] = [
        // Header names in English, French, German, Spanish, Portuguese, Italian, Dutch, the
        // Nordic languages, Polish, Czech, Hungarian, Turkish, Russian, Greek, Hebrew, Arabic,
        // Chinese, Japanese and Korean, with the field names of Thunderbird's address book
        // export in those languages (matched without regard to case, accents, spaces, `_`,
        // `-` or `.`).
        FieldSpec(
            name: "first_name",
            aliases: [
                "First Name", "Given Name", "Forename", "First", "Prénom", "Vorname", "Nombre",
                "Nombres", "Nombre de pila", "Primeiro Nome", "Nome", "Nome próprio", "Voornaam",
                "Roepnaam", "Имя", "Adı", "Ad", "İsim", "Imię", "Jméno", "Křestní jméno",
                "Keresztnév",
                "Etunimi", "Förnamn", "Fornavn", "Όνομα", "שם פרטי", "الاسم الأول", "名", "名字",
            ]),
        FieldSpec(
            name: "last_name",
            aliases: [
                "Last Name", "Surname", "Family Name", "Last", "Nom", "Nom de famille",
                "Nachname", "Familienname", "Apellido", "Apellidos", "Sobrenome", "Apelido",
                "Último nome", "Cognome", "Achternaam", "Familienaam", "Фамилия", "Soyadı", "Soyad",
                "Nazwisko", "Příjmení", "Vezetéknév", "Sukunimi", "Efternamn", "Etternavn",
                "Επώνυμο",
                "שם משפחה", "الاسم الأخير", "اسم العائلة", "الاسم العائلي", "姓", "姓氏", "성",
            ]),
        FieldSpec(
            name: "email",
            aliases: [
                "E-mail", "Email Address", "E-mail Address", "Mail", "Mail Address",
                "Work Email", "Business Email", "Primary Email", "Work Email Address",
                "Courriel", "Adresse e-mail", "Adresse mail", "Adresse électronique",
                "E-Mail-Adresse", "Mailadresse", "Correo", "Correo electrónico",
                "Dirección de correo", "Correio eletrónico", "Correio eletrônico",
                "Endereço de e-mail", "Posta elettronica", "Indirizzo e-mail", "Indirizzo email",
                "E-mailadres", "Mailadres", "E-mail 1 - Value", "Электронная почта",
                "Эл. почта", "Почта", "E-posta", "Eposta", "E-posta adresi", "Birinci e-posta",
                "Adres e-mail", "Podstawowy e-mail", "První e-mail", "Κύριο email",
                "Ηλεκτρονικό ταχυδρομείο", "דוא״ל", "דוא\"ל", "דוא״ל ראשי", "דואר אלקטרוני",
                "אימייל",
                "البريد الإلكتروني", "البريد الرئيسي", "البريد", "メールアドレス", "メール", "电子邮件",
                "電子郵件", "电子邮箱", "邮箱", "이메일", "전자우편", "Sähköposti", "E-post",
            ]),
        FieldSpec(
            name: "role", aliases: ["Rôle", "Rolle", "Rol", "Função", "Ruolo"],
            defaultOption: .init(
                name: "--role", value: "R", help: "role for rows whose role is empty or missing",
                choices: ["regular", "manager"])),
        FieldSpec(
            name: "team_group_id",
            aliases: ["Team Group ID", "Team ID", "Team", "Équipe", "Equipo", "Equipe", "Squadra"],
            acceptsNumber: true,
            defaultOption: .init(
                name: "--team-group-id", value: "TEAM_ID",
                help: "team_group_id for rows where it is empty or missing")),
    ]

    init() {}

    /// A column of whole names can fill first_name and last_name (`--map "Name=full_name"`).
    let fullName: FullNameSpec? = FullNameSpec(
        first: Field.firstName.rawValue, last: Field.lastName.rawValue,
        aliases: [
            "Name", "Full Name", "Fullname", "Display Name", "Real Name", "Contact Name",
            "Employee Name", "Member Name", "Student Name",
            "Nom complet", "Nom et prénom", "Vollständiger Name", "Name Vorname",
            "Nombre completo", "Nombre y apellidos", "Nome completo", "Nome e sobrenome",
            "Nome", "Nominativo", "Volledige naam", "ФИО", "Ф.И.О.", "ФИО сотрудника",
            "Полное имя", "Имя и фамилия", "Adı Soyadı", "Ad Soyad", "Adı ve Soyadı",
            "Imię i nazwisko", "Jméno a příjmení", "Ονοματεπώνυμο", "שם מלא", "الاسم الكامل", "姓名",
            "氏名", "名前", "이름", "성명",
        ])

    func validate(_ values: RowValues, key: inout RowKey, problems: inout RowProblems) {
        if let first = trimmedText(values, Field.firstName.rawValue, problems: &problems) {
            FieldRules.checkName(first, field: "first_name", problems: &problems)
        }
        if let last = trimmedText(values, Field.lastName.rawValue, problems: &problems) {
            FieldRules.checkName(last, field: "last_name", problems: &problems)
        }
        if let email = trimmedText(values, Field.email.rawValue, problems: &problems) {
            key.setLowercased(email)
            FieldRules.checkEmail(email, field: "email", problems: &problems)
        }
        if let role = trimmedText(values, Field.role.rawValue, problems: &problems) {
            FieldRules.checkChoice(role, Self.roles, field: "role", problems: &problems)
        }
        if let team = trimmedText(values, Field.teamGroupID.rawValue, problems: &problems) {
            FieldRules.checkPositiveInteger(team, field: "team_group_id", problems: &problems)
        }
    }

    let defaultPath = "/api/v3/users"

    /// Sendoso throttles clients above 10 requests per second.
    let defaultRate = 10.0

    /// Sendoso's `X-Rate-Limit-Reset`: seconds to wait, or the Unix time when the limit
    /// resets.
    func rateLimitWait(_ headers: HTTPHeaders, now: Double) -> Double? {
        guard let value = headers["x-rate-limit-reset"].flatMap(Double.init) else { return nil }
        return value > 1_000_000_000 ? max(0, value - now) : max(0, value)
    }

    func payload(_ values: RowValues, path: String) -> [UInt8] {
        Array(path.utf8) + [0] + body(values)
    }

    func body(_ values: RowValues) -> [UInt8] {
        var discard = RowProblems()
        func text(_ field: Field) -> String {
            String(
                decoding: trimmedText(values, field.rawValue, problems: &discard)
                    ?? UnsafeRawBufferPointer(start: nil, count: 0), as: UTF8.self)
        }
        var body: [UInt8] = []
        body.append(contentsOf: "{\"user\":{\"first_name\":".utf8)
        TextBytes.appendJSONString(text(.firstName), to: &body)
        body.append(contentsOf: ",\"last_name\":".utf8)
        TextBytes.appendJSONString(text(.lastName), to: &body)
        body.append(contentsOf: ",\"email\":".utf8)
        TextBytes.appendJSONString(text(.email), to: &body)
        body.append(contentsOf: ",\"role\":".utf8)
        TextBytes.appendJSONString(text(.role).lowercased(), to: &body)
        body.append(contentsOf: ",\"team_group_id\":".utf8)
        // Digits only (checked), so leading zeros are all that can differ from a JSON integer.
        let digits = text(.teamGroupID).drop { $0 == "0" }
        body.append(contentsOf: (digits.isEmpty ? "0" : String(digits)).utf8)
        body.append(contentsOf: "}}".utf8)
        return body
    }

    func requestFrame(path: String) -> APIRequest {
        APIRequest(method: "POST", pathAndQuery: "", body: [], contentType: "application/json")
    }

    /// Whether a refusal's message says the address already has an invitation, in any of
    /// the ways it may be worded ("Email has already been invited", "User has already been
    /// invited", "already invited", any case).
    static func saysAlreadyInvited(_ message: String) -> Bool {
        let lower = message.lowercased()
        guard let already = lower.range(of: "already") else { return false }
        return lower[already.upperBound...].contains("invit")
    }

    func interpret(status: Int, body: [UInt8]) -> Answer {
        let json = try? body.withUnsafeBytes { try JSONParser.parse($0) }
        if (200..<300).contains(status) {
            guard let json, case .object = json else {
                // 201 Created says the user was created, whatever the body turned out to be.
                if status == 201 {
                    return .invited(
                        message: "invited (note: HTTP 201 Created, but the answer was not the "
                            + "JSON the API documents: " + AnswerText.excerpt(body) + ")",
                        invitationStatus: "", expiresAt: "")
                }
                return .refused(
                    message: "unexpected answer (HTTP \(status)): " + AnswerText.excerpt(body))
            }
            guard case .bool(true)? = json["success"] else {
                return .refused(
                    message: "unexpected answer (HTTP \(status)): " + AnswerText.excerpt(body))
            }
            return .invited(
                message: json["message"]?.text ?? "",
                invitationStatus: json["invitation_status"]?.text ?? "",
                expiresAt: json["expires_at"]?.text ?? "")
        }
        if let message = json?["message"]?.text, !message.isEmpty {
            return Self.saysAlreadyInvited(message)
                ? .alreadyInvited(message: message) : .refused(message: message)
        }
        return .refused(message: "HTTP \(status): " + AnswerText.excerpt(body))
    }
}
