/// Sendoso "Invite New User" (`POST /api/v3/users`): five fields, keyed by e-mail, as
/// README, "The two APIs", describes them. A definition like any other (README,
/// "Targets"), compiled into the tool as text so that it needs no file once installed;
/// `batch-invite targets show sendoso` prints it.
public struct SendosoTarget: BuiltInTarget {
    /// The values `role` accepts (case-insensitive on input, sent in lower case).
    public static let roles = FieldRules.Choices(["regular", "manager"])

    public var defined: DefinitionTarget { Self.loaded }
    /// The target the definition describes, as `Targets` lists it.
    public static let loaded = DefinitionTarget.builtIn(definition)

    public init() {}

    /// The definition. Header names in English, French, German, Spanish, Portuguese,
    /// Italian, Dutch, the Nordic languages, Polish, Czech, Hungarian, Turkish, Russian,
    /// Greek, Hebrew, Arabic, Chinese, Japanese and Korean, with the field names of
    /// Thunderbird's address book export in those languages (matched without regard to
    /// case, accents, spaces, `_`, `-` or `.`).
    public static let definition = #"""
        {
          "$schema": "./target.schema.json",
          "format": 1,
          "name": "sendoso",
          "description": "Sendoso \"Invite New User\": invite a person to a Sendoso team by e-mail",
          "documentation": "https://developer.sendoso.com/rest-api/reference/users/invite-user",
          "fields": [
            {
              "name": "first_name",
              "aliases": [
                "First Name", "Given Name", "Forename", "First", "Prénom", "Vorname", "Nombre",
                "Nombres", "Nombre de pila", "Primeiro Nome", "Nome", "Nome próprio", "Voornaam",
                "Roepnaam", "Имя", "Adı", "Ad", "İsim", "Imię", "Jméno", "Křestní jméno", "Keresztnév",
                "Etunimi", "Förnamn", "Fornavn", "Όνομα", "שם פרטי", "الاسم الأول", "名", "名字"
              ],
              "rule": "text"
            },
            {
              "name": "last_name",
              "aliases": [
                "Last Name", "Surname", "Family Name", "Last", "Nom", "Nom de famille", "Nachname",
                "Familienname", "Apellido", "Apellidos", "Sobrenome", "Apelido", "Último nome",
                "Cognome", "Achternaam", "Familienaam", "Фамилия", "Soyadı", "Soyad", "Nazwisko",
                "Příjmení", "Vezetéknév", "Sukunimi", "Efternamn", "Etternavn", "Επώνυμο", "שם משפחה",
                "الاسم الأخير", "اسم العائلة", "الاسم العائلي", "姓", "姓氏", "성"
              ],
              "rule": "text"
            },
            {
              "name": "email",
              "aliases": [
                "E-mail", "Email Address", "E-mail Address", "Mail", "Mail Address", "Work Email",
                "Business Email", "Primary Email", "Work Email Address", "Courriel", "Adresse e-mail",
                "Adresse mail", "Adresse électronique", "E-Mail-Adresse", "Mailadresse", "Correo",
                "Correo electrónico", "Dirección de correo", "Correio eletrónico", "Correio eletrônico",
                "Endereço de e-mail", "Posta elettronica", "Indirizzo e-mail", "Indirizzo email",
                "E-mailadres", "Mailadres", "E-mail 1 - Value", "Электронная почта", "Эл. почта",
                "Почта", "E-posta", "Eposta", "E-posta adresi", "Birinci e-posta", "Adres e-mail",
                "Podstawowy e-mail", "První e-mail", "Κύριο email", "Ηλεκτρονικό ταχυδρομείο", "דוא״ל",
                "דוא\"ל", "דוא״ל ראשי", "דואר אלקטרוני", "אימייל", "البريد الإلكتروني",
                "البريد الرئيسي", "البريد", "メールアドレス", "メール", "电子邮件", "電子郵件", "电子邮箱", "邮箱", "이메일",
                "전자우편", "Sähköposti", "E-post"
              ],
              "rule": "email",
              "key": "lowercased"
            },
            {
              "name": "role",
              "aliases": ["Rôle", "Rolle", "Rol", "Função", "Ruolo"],
              "rule": "choice",
              "choices": ["regular", "manager"],
              "default_option": "--role"
            },
            {
              "name": "team_group_id",
              "aliases": [
                "Team Group ID", "Team ID", "Team", "Équipe", "Equipo", "Equipe", "Squadra"
              ],
              "rule": "integer",
              "min": 1,
              "default_option": "--team-group-id"
            }
          ],
          "full_name": {
            "first": "first_name",
            "last": "last_name",
            "aliases": [
              "Name", "Full Name", "Fullname", "Display Name", "Real Name", "Contact Name",
              "Employee Name", "Member Name", "Student Name", "Nom complet", "Nom et prénom",
              "Vollständiger Name", "Name Vorname", "Nombre completo", "Nombre y apellidos",
              "Nome completo", "Nome e sobrenome", "Nome", "Nominativo", "Volledige naam", "ФИО",
              "Ф.И.О.", "ФИО сотрудника", "Полное имя", "Имя и фамилия", "Adı Soyadı", "Ad Soyad",
              "Adı ve Soyadı", "Imię i nazwisko", "Jméno a příjmení", "Ονοματεπώνυμο", "שם מלא",
              "الاسم الكامل", "姓名", "氏名", "名前", "이름", "성명"
            ]
          },
          "request": {
            "method": "POST",
            "path": "/api/v3/users",
            "json": {
              "user": {
                "first_name": "{{first_name}}",
                "last_name": "{{last_name}}",
                "email": "{{email}}",
                "role": "{{role}}",
                "team_group_id": "{{team_group_id}}"
              }
            }
          },
          "auth": {"type": "bearer"},
          "answer": {
            "success_tests": [
              {"pointer": "/success", "equals": true}
            ],
            "success_message": ["/message"],
            "invitation_status": "/invitation_status",
            "expires_at": "/expires_at",
            "message": ["/message"],
            "failed_tests": "unexpected",
            "unreadable_success": {"201": "invited", "other": "refused"},
            "already_invited": {
              "words": [["already", "invit"]]
            }
          },
          "rate": {"default": 10, "reset_header": "X-Rate-Limit-Reset", "reset_unit": "seconds_or_unix"}
        }

        """#
}
