import Foundation
import Testing

/// Files in the encodings of Japanese, Chinese, Korean and Cyrillic Windows, and in the
/// 8-bit code pages of Central Europe, Turkey, the Baltic, Greece, Israel and the Arab
/// countries (issue 25, item 4): read right when the encoding is plain from the bytes,
/// stopped with the readings to choose from when it is not, never read as windows-1252
/// letter salad; Western files still read as windows-1252.
/// Fixtures/encodings holds real files' layouts (see its README); the smaller files are
/// made here, converted by the system's iconv program.
@Suite struct LegacyEncodingTests {
    static let fixtures = Tool.packageRoot.appendingPathComponent(
        "Tests/EndToEndTests/Fixtures/encodings")

    @discardableResult
    func fixture(_ tool: Tool, _ name: String) throws -> String {
        let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
        return try tool.write(name, Array(bytes))
    }

    /// Writes `text` to `name` in `encoding`, converted by iconv(1).
    func write(_ tool: Tool, _ name: String, _ text: String, in encoding: String) throws {
        try tool.write(name + ".utf8", text)
        let converted = try tool.runShell("iconv -f UTF-8 -t \(encoding) \(name).utf8 > \(name)")
        #expect(converted.status == 0, "iconv to \(encoding): \(converted.stderr)")
    }

    /// A sendoso file of five people.
    func people(_ names: [(String, String)]) -> String {
        var text = "First Name,Last Name,Email,Role,Team\n"
        for (index, (first, last)) in names.enumerated() {
            text += "\(first),\(last),p\(index + 1)@example.com,regular,1\n"
        }
        return text
    }

    let japanese = [("太郎", "山田"), ("花子", "佐藤"), ("一郎", "鈴木"), ("美咲", "高橋"), ("さくら", "田中")]
    let chinese = [("伟", "王"), ("娜", "李"), ("敏", "张"), ("洋", "刘"), ("静", "陈")]
    let taiwanese = [("志明", "陳"), ("淑芬", "林"), ("怡君", "黃"), ("家豪", "張"), ("美玲", "李")]
    let korean = [("민준", "김"), ("서연", "이"), ("지훈", "박"), ("수빈", "최"), ("하은", "정")]
    let russian = [
        ("Сергей", "Иванов"), ("Анна", "Петрова"), ("Дмитрий", "Смирнов"), ("Ольга", "Кузнецова"),
        ("Алексей", "Попов"),
    ]
    let western = [
        ("Jürgen", "Müller"), ("José", "García"), ("Émile", "Dupont"), ("Zoë", "Smith"),
        ("Seán", "O'Brien"),
    ]
    let polish = [
        ("Łukasz", "Wiśniewski"), ("Małgorzata", "Dąbrowska"), ("Paweł", "Kozłowski"),
        ("Zofia", "Jabłońska"), ("Grzegorz", "Wójcik"),
    ]
    let czech = [
        ("Jiří", "Dvořák"), ("Petra", "Černá"), ("Tomáš", "Kučera"), ("Zdeněk", "Růžička"),
        ("Václav", "Konečný"),
    ]
    let hungarian = [
        ("Győző", "Erdős"), ("Zsófia", "Szűcs"), ("Ödön", "Kovács"), ("Lőrinc", "Hegedűs"),
        ("Réka", "Tóth"),
    ]
    let turkish = [
        ("Gökhan", "Yılmaz"), ("Şule", "Aydın"), ("İsmail", "Öztürk"), ("Ayşe", "Doğan"),
        ("Çağlar", "Kılıç"),
    ]
    let lithuanian = [
        ("Jonas", "Stankevičius"), ("Rūta", "Kazlauskienė"), ("Tomas", "Šimkus"),
        ("Aistė", "Petrauskaitė"), ("Mindaugas", "Žukauskas"),
    ]
    let greek = [
        ("Γιώργος", "Παπαδόπουλος"), ("Μαρία", "Νικολάου"), ("Ελένη", "Γεωργίου"),
        ("Άννα", "Ιωάννου"), ("Δημήτρης", "Οικονόμου"),
    ]
    let hebrew = [
        ("דוד", "כהן"), ("שרה", "לוי"), ("יוסף", "מזרחי"), ("רחל", "פרץ"), ("משה", "ביטון"),
    ]
    let arabic = [
        ("محمد", "العلي"), ("فاطمة", "حسن"), ("أحمد", "إبراهيم"), ("مريم", "الخطيب"),
        ("علي", "يوسف"),
    ]

    /// The warning a guessed encoding gives, up to the word it quotes.
    func guessed(_ encoding: String, in stderr: String) -> Bool {
        stderr.contains("reading it as \(encoding); give --encoding to read it otherwise")
    }

    @Test func cjkAndCyrillicFilesAreGuessedAndTheirNamesReadRight() throws {
        let tool = try Tool()
        let cases: [(String, [(String, String)], String)] = [
            ("SHIFT_JIS", japanese, "cp932"), ("EUC-JP", japanese, "euc-jp"),
            ("GB18030", chinese, "gb18030"), ("BIG5", taiwanese, "big5"),
            ("CP949", korean, "cp949"), ("WINDOWS-1251", russian, "windows-1251"),
            ("KOI8-R", russian, "koi8-r"),
        ]
        for (iconvName, names, guess) in cases {
            try write(tool, "people.csv", people(names), in: iconvName)
            let validate = try tool.run([
                "validate", "people.csv", "--target", "sendoso", "--report", "-",
            ])
            #expect(validate.status == 0, "\(iconvName): \(validate.stderr)")
            #expect(validate.stdout.hasSuffix("5 rows: 5 valid, 0 invalid, 0 duplicate\n"))
            #expect(guessed(guess, in: validate.stderr), "\(iconvName): \(validate.stderr)")
            let inspect = try tool.run(["inspect", "people.csv", "--target", "sendoso"])
            let (first, last) = names[3]
            #expect(
                inspect.stdout.contains(
                    #""row":4,"line":5,"first_name":"\#(first)","last_name":"\#(last)""#),
                "\(iconvName): \(inspect.stdout)")
            #expect(inspect.stderr.contains("encoding: \(guess) (guessed)"), "\(inspect.stderr)")
        }
    }

    @Test func europeanGreekHebrewAndArabicFilesAreGuessedAndTheirNamesReadRight() throws {
        let tool = try Tool()
        // ISO 8859-8 Hebrew without points is the same text in windows-1255: read as that.
        let cases: [(String, [(String, String)], String)] = [
            ("WINDOWS-1250", polish, "windows-1250"), ("ISO-8859-2", polish, "iso-8859-2"),
            ("WINDOWS-1250", czech, "windows-1250"), ("ISO-8859-2", czech, "iso-8859-2"),
            ("WINDOWS-1250", hungarian, "windows-1250"), ("WINDOWS-1254", turkish, "windows-1254"),
            ("WINDOWS-1257", lithuanian, "windows-1257"), ("WINDOWS-1253", greek, "windows-1253"),
            ("ISO-8859-7", greek, "iso-8859-7"), ("WINDOWS-1255", hebrew, "windows-1255"),
            ("ISO-8859-8", hebrew, "windows-1255"), ("WINDOWS-1256", arabic, "windows-1256"),
        ]
        for (iconvName, names, guess) in cases {
            try write(tool, "people.csv", people(names), in: iconvName)
            let validate = try tool.run([
                "validate", "people.csv", "--target", "sendoso", "--report", "-",
            ])
            #expect(validate.status == 0, "\(iconvName): \(validate.stderr)")
            #expect(validate.stdout.hasSuffix("5 rows: 5 valid, 0 invalid, 0 duplicate\n"))
            #expect(guessed(guess, in: validate.stderr), "\(iconvName): \(validate.stderr)")
            let inspect = try tool.run(["inspect", "people.csv", "--target", "sendoso"])
            let (first, last) = names[3]
            #expect(
                inspect.stdout.contains(
                    #""row":4,"line":5,"first_name":"\#(first)","last_name":"\#(last)""#),
                "\(iconvName): \(inspect.stdout)")
        }
    }

    @Test func westernFilesAreStillReadAsWindows1252() throws {
        let tool = try Tool()
        // Each has letters that read as letters in another code page too: è as Czech č,
        // ñ as Polish ń, ø as ř, ã as Romanian ă, ð and ý as Turkish ğ and ı.
        let files: [[(String, String)]] = [
            [
                ("Hélène", "Lefèvre"), ("Thérèse", "Girard"), ("Michèle", "Benoît"),
                ("Agnès", "Noël"), ("Loïc", "Brûlé"),
            ],
            [
                ("José", "Muñoz"), ("Iñaki", "Núñez"), ("Ángel", "Peña"), ("Lucía", "Ibáñez"),
                ("María", "García"),
            ],
            [
                ("João", "Simões"), ("Conceição", "Gonçalves"), ("Sebastião", "Leão"),
                ("Inês", "Guimarães"), ("Estêvão", "Falcão"),
            ],
            [
                ("Søren", "Kierkegaard"), ("Åsa", "Lindström"), ("Bjørn", "Sæther"),
                ("Jörgen", "Åkesson"), ("Øystein", "Ødegård"),
            ],
            [
                ("Guðrún", "Jónsdóttir"), ("Þórður", "Sigurðsson"), ("Sigríður", "Ólafsdóttir"),
                ("Björk", "Guðmundsdóttir"), ("Ýr", "Hafþórsdóttir"),
            ],
            [
                ("Niccolò", "Rossi"), ("Mosè", "Bianchi"), ("Gianluca", "Marinò"),
                ("Jürgen", "Weiß"), ("Käthe", "Groß"),
            ],
        ]
        for names in files {
            try write(tool, "western.csv", people(names), in: "WINDOWS-1252")
            let inspect = try tool.run(["inspect", "western.csv", "--target", "sendoso"])
            #expect(guessed("windows-1252", in: inspect.stderr), "\(names): \(inspect.stderr)")
            let (first, last) = names[3]
            #expect(
                inspect.stdout.contains(#""first_name":"\#(first)","last_name":"\#(last)""#),
                "\(names): \(inspect.stdout)")
        }
    }

    @Test func latinReadingsTooCloseToTellStopWithBothReadings() throws {
        let tool = try Tool()
        // Byte 0xF8 is ø in windows-1252 and ř in windows-1250: "Ondøej" or "Ondřej".
        try write(
            tool, "one.csv",
            "First Name,Last Name,Email,Role,Team\nOndřej,Svoboda,o@x.io,regular,1\n",
            in: "WINDOWS-1250")
        let result = try tool.run(["validate", "one.csv", "--target", "sendoso"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: one.csv is not UTF-8, and reads as more than one encoding "
                + "(line 2 has byte 0xF8 in \"Ond\\xf8ej\": \"Ondøej\" in windows-1252, \"Ondřej\" in "
                + "windows-1250); give the one whose reading is right: --encoding windows-1252 or "
                + "--encoding windows-1250\n")
        let given = try tool.run([
            "inspect", "one.csv", "--target", "sendoso", "--encoding", "windows-1250",
        ])
        #expect(given.stdout.contains(#""first_name":"Ondřej","last_name":"Svoboda""#))
        // Where the readings part is quoted, not the first byte that is not UTF-8 ("é" is
        // the same in both).
        try write(
            tool, "two.csv",
            "First Name,Last Name,Email,Role,Team\nRené,Svoboda,r@x.io,regular,1\n"
                + "Ondřej,Novák,o@x.io,regular,1\n", in: "WINDOWS-1250")
        let second = try tool.run(["validate", "two.csv", "--target", "sendoso"])
        #expect(second.status == 2)
        #expect(
            second.stderr.contains("(line 3 has byte 0xF8 in \"Ond\\xf8ej\""), "\(second.stderr)")
    }

    @Test func realLegacyFilesAreGuessedAsTheirOwnEncoding() throws {
        let tool = try Tool()
        // File, the encoding it is in, `inspect --raw` options, and a record it holds.
        let cases: [(String, String, [String], String)] = [
            ("cn_roll_call_gb18030.csv", "gb18030", [], #"["1","姓名1","1","1"]"#),
            (
                "jp_employee_register_cp932.csv", "cp932", [],
                #"["75096","木蒼","ﾌｿﾒ","vxbwfy","伯翔","メタ","Yva","女","#
            ),
            (
                "kr_caregivers_cp949_preamble.csv", "cp949", ["--skip-lines", "1"],
                #"["오원나","여","47지","448-5957-9241","#
            ),
            ("kr_roster_cp949_no_header.csv", "cp949", [], #"["황나나","983604","#),
            (
                "ru_canteen_access_report_cp1251.csv", "windows-1251", ["--delimiter", ";"],
                "\"Северцев Варвара Петрович\""
            ),
            (
                "ru_staff_cp1251_semicolon.csv", "windows-1251", [],
                #"["Загорский Тимофей Аркадьевна","#
            ),
            ("thunderbird_shift_jis.csv", "cp932", [], #"["雲湊真","槙菜ゆ","久莉すて奏希澪","#),
            (
                "thunderbird_zh_cn_gb18030.csv", "gb18030", [],
                #"["潘文梓","","董浩杰","","liamcaskey3@example.com","#
            ),
            ("tw_temple_register_big5.csv", "big5", [], #"["馮文欣","05","05","22","#),
        ]
        for (name, encoding, options, record) in cases {
            try fixture(tool, name)
            let inspect = try tool.run(["inspect", name, "--raw"] + options)
            #expect(inspect.status == 0, "\(name): \(inspect.stderr)")
            #expect(guessed(encoding, in: inspect.stderr), "\(name): \(inspect.stderr)")
            #expect(inspect.stdout.contains(record), "\(name): \(inspect.stdout.prefix(600))")
        }
    }

    @Test func windows1252IsChosenOnlyWhenItsReadingIsPlausible() throws {
        let tool = try Tool()
        try write(tool, "western.csv", people(western), in: "WINDOWS-1252")
        let western = try tool.run(["inspect", "western.csv", "--target", "sendoso"])
        #expect(western.status == 0)
        #expect(guessed("windows-1252", in: western.stderr))
        #expect(western.stdout.contains(#""first_name":"Seán","last_name":"O'Brien""#))
        // DOS Cyrillic (cp866) read as windows-1252 is letter salad ("ˆ¢"), and no
        // encoding the tool tells apart reads it plausibly: no guess.
        let cyrillic = [("Иван", "Иванов"), ("Анна", "Жукова"), ("Ольга", "Козлова")]
        try write(tool, "dos.csv", people(cyrillic), in: "CP866")
        let stopped = try tool.run(["validate", "dos.csv", "--target", "sendoso"])
        #expect(stopped.status == 2)
        #expect(
            stopped.stderr
                == "batch-invite validate: dos.csv is not UTF-8, and reads as none of the encodings the "
                + "tool tells apart (line 2 has byte 0x88 in \"\\x88\\xa2\\xa0\\xad\", \"ˆ¢\u{A0}\u{AD}\" in "
                + "windows-1252); save it as UTF-8, or give --encoding with its encoding (any name iconv "
                + "knows, such as cp866, iso-8859-5 or windows-874)\n")
        let given = try tool.run([
            "inspect", "dos.csv", "--target", "sendoso", "--encoding", "cp866",
        ])
        #expect(given.stdout.contains(#""first_name":"Анна","last_name":"Жукова""#))
    }

    @Test func aFileMixingUTF8WithAnotherEncodingIsNotReadAsWindows1252() throws {
        let tool = try Tool()
        // Two rows in UTF-8, then one a windows-1252 editor added: read as windows-1252,
        // "José" would become "JosÃ©".
        try tool.write(
            "mixed.csv",
            Array(people([("José", "García"), ("Zoë", "Müller")]).utf8) + Array("Ren".utf8) + [0xE9]
                + Array(",Roy,r@example.com,regular,1\n".utf8))
        let result = try tool.run(["validate", "mixed.csv", "--target", "sendoso"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: mixed.csv mixes UTF-8 with another encoding (line 4 has byte "
                + "0xE9 in \"Ren\\xe9\", \"René\" in windows-1252, and line 2 is UTF-8); give --encoding "
                + "utf-8 to read it as UTF-8 with the rows that are not reported invalid, or save it again "
                + "as UTF-8 all through\n")
        let advised = try tool.run([
            "validate", "mixed.csv", "--target", "sendoso", "--encoding", "utf-8", "--report", "-",
        ])
        #expect(advised.stdout.hasSuffix("3 rows: 2 valid, 1 invalid, 0 duplicate\n"))
        let inspect = try tool.run([
            "inspect", "mixed.csv", "--target", "sendoso", "--encoding", "utf-8",
        ])
        #expect(inspect.stdout.contains(#""first_name":"José","last_name":"García""#))
    }

    @Test func bytesThatReadWellInTwoEncodingsStopWithBothReadings() throws {
        let tool = try Tool()
        // 从代 in GB18030 is 植測 in Big5: both frequent characters of their script.
        try write(
            tool, "two.csv", "First Name,Last Name,Email,Role,Team\n代,从,a@x.io,regular,1\n",
            in: "GB18030")
        let result = try tool.run(["validate", "two.csv", "--target", "sendoso"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite validate: two.csv is not UTF-8, and reads as more than one encoding "
                + "(line 2 has byte 0xB4 in \"\\xb4\\xfa\": \"代\" in gb18030, \"測\" in big5); give the one "
                + "whose reading is right: --encoding gb18030 or --encoding big5\n")
        let fixed = try tool.runShell(
            "'\(Tool.binary.path)' inspect two.csv --target sendoso --encoding gb18030")
        #expect(fixed.stdout.contains(#""first_name":"代","last_name":"从""#))
    }

    @Test func anIconvEncodingIsReadWhenGivenAndAnUnknownOneRefused() throws {
        let tool = try Tool()
        try write(tool, "sjis.csv", people(japanese), in: "SHIFT_JIS")
        let given = try tool.run([
            "validate", "sjis.csv", "--target", "sendoso", "--encoding", "Shift_JIS",
        ])
        #expect(given.status == 0)
        #expect(given.stderr == "report: sjis.report.csv\n")
        let inspect = try tool.run([
            "inspect", "sjis.csv", "--target", "sendoso", "--encoding", "sjis",
        ])
        #expect(inspect.stdout.contains(#""first_name":"太郎","last_name":"山田""#))
        #expect(inspect.stderr.contains("encoding: shift_jis, delimiter"))
        let unknown = try tool.run([
            "validate", "sjis.csv", "--target", "sendoso", "--encoding", "shift-jjs",
        ])
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr.hasPrefix(
                "batch-invite validate: --encoding \"shift-jjs\" is not an encoding this system's iconv knows; "
                    + "give one such as utf-8, windows-1252, utf-16, shift_jis,"))
        // iconv's orders to drop or replace what it cannot read are not encodings.
        let dropping = try tool.run([
            "validate", "sjis.csv", "--target", "sendoso", "--encoding", "shift_jis//IGNORE",
        ])
        #expect(dropping.status == 2)
    }

    @Test func aRowNotValidInTheGivenEncodingIsInvalidAndNamesIt() throws {
        let tool = try Tool()
        try write(tool, "sjis.csv", people(japanese), in: "SHIFT_JIS")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: tool.path("sjis.csv"))))
        // 0x81 0x20: a lead byte without its second byte, on line 7.
        bytes += Array("Ken,".utf8) + [0x81, 0x20] + Array("Ito,ken@example.com,regular,1\n".utf8)
        try tool.write("bad.csv", bytes)
        let result = try tool.run([
            "validate", "bad.csv", "--target", "sendoso", "--encoding", "shift_jis", "--report",
            "-",
        ])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\n6,7,ken@example.com,invalid,,line 7: not valid shift_jis text,"))
        #expect(result.stdout.hasSuffix("6 rows: 5 valid, 1 invalid, 0 duplicate\n"))
        #expect(
            result.stderr
                == "warning: bad.csv: 1 row is not valid shift_jis text (the first on line 7); they are "
                + "reported invalid\n")
    }

    @Test func aRunReadsAGuessedEncodingAgainOnResumeAndRefusesAnother() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        try write(tool, "kr.csv", people(korean), in: "CP949")
        let first = try runAgainst(
            simulator, tool, file: "kr.csv", ["--rate", "0", "--limit", "2"])
        #expect(first.status == 4)
        #expect(guessed("cp949", in: first.stderr))
        #expect(try tool.read("report.csv.journal").contains(#""input_encoding":"cp949""#))
        let other = try runAgainst(
            simulator, tool, file: "kr.csv", ["--rate", "0", "--encoding", "euc-kr"])
        #expect(other.status == 2)
        #expect(other.stderr.contains("belongs to another run (the input read as cp949)"))
        let same = try runAgainst(
            simulator, tool, file: "kr.csv", ["--rate", "0", "--encoding", "UHC"])
        #expect(same.status == 0, "\(same.stderr)")
        simulator.stop()
        let sent = try simulator.logEntries().compactMap { $0["key"] as? String }
        #expect(sent.sorted() == (1...5).map { "p\($0)@example.com" })
    }

    @Test func runStopsAtARowPastTheFirst64KiBThatTheGuessedEncodingCannotRead() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let tool = try Tool()
        var text = "First Name,Last Name,Email,Role,Team\n"
        for index in 1...3000 { text += "太郎,山田,taro\(index)@example.com,regular,1\n" }
        try write(tool, "late.csv", text, in: "SHIFT_JIS")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: tool.path("late.csv"))))
        #expect(bytes.count > 64 * 1024 + 1000)
        bytes += Array("Ken,".utf8) + [0x81, 0x20] + Array("Ito,ken@example.com,regular,1\n".utf8)
        try tool.write("late.csv", bytes)
        let result = try runAgainst(simulator, tool, file: "late.csv", ["--rate", "0"])
        #expect(result.status == 2)
        #expect(
            result.stderr.hasSuffix(
                "batch-invite run: late.csv: line 3002 is not valid cp932 text, though the file's first "
                    + "64 KiB are; nothing was sent. If the file is in another encoding, give it with "
                    + "--encoding; with --encoding cp932 such rows are reported invalid and the others sent\n"
            ))
        simulator.stop()
        #expect(try simulator.logEntries().isEmpty)
    }
}
