import Foundation
import Testing

@testable import BatchInvite

/// `text` in `encoding`, converted by the system's iconv program (a second reading of the
/// encoding's table, beside the C library's).
func encoded(_ text: String, in encoding: String) throws -> [UInt8] {
    let scratch = try ScratchDirectory()
    let source = try scratch.file("text", Array(text.utf8))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
    process.arguments = ["-f", "UTF-8", "-t", encoding, source]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "iconv -t \(encoding) of \(text.prefix(40))")
    return Array(data)
}

@Suite struct TextEncodingNameTests {
    @Test func iconvNamesAreAcceptedInAnyCaseAndMadeCanonical() {
        let cases: [(String, String)] = [
            ("Shift_JIS", "shift_jis"), ("SJIS", "shift_jis"), ("SHIFT_JIS//", "shift_jis"),
            ("CP932", "cp932"), ("Windows-31J", "cp932"), ("GB18030", "gb18030"),
            ("cp936", "gbk"), ("BIG5", "big5"), ("EUC-KR", "euc-kr"), ("UHC", "cp949"),
            ("cp1251", "windows-1251"), ("WINDOWS-1256", "windows-1256"), ("latin9", "iso-8859-15"),
            ("ISO8859-5", "iso-8859-5"), ("KOI8R", "koi8-r"), ("EUCJP", "euc-jp"),
        ]
        for (given, canonical) in cases {
            let encoding = TextEncoding(optionValue: given)
            #expect(encoding == .iconv(canonical), "\(given)")
            // What the journal records reads back as the same encoding.
            #expect(encoding.flatMap { TextEncoding(optionValue: $0.description) } == encoding)
        }
        #expect(TextEncoding(optionValue: "CP1252") == .windows1252)
        #expect(TextEncoding(optionValue: "UTF8") == .utf8)
    }

    @Test func namesIconvDoesNotKnowOrThatDropBytesAreRefused() {
        for name in ["shift-jjs", "", "cp932//IGNORE", "utf-8//TRANSLIT", "big5 ", "../x"] {
            #expect(TextEncoding(optionValue: name) == nil, "\(name)")
        }
    }
}

@Suite struct IconvConverterTests {
    @Test func aCharacterCutBetweenChunksIsReadWhole() throws {
        let text = "姓,名\n山田,太郎\nｶﾜﾀ,①\n"
        let bytes = try encoded(text, in: "CP932")
        let scratch = try ScratchDirectory()
        let path = try scratch.file("jp.csv", bytes)
        for chunkSize in [1, 2, 3, 5, 1024] {
            let input = try TextInput(path: path, encoding: .iconv("cp932"), chunkSize: chunkSize)
            var out: [UInt8] = []
            try input.forEachChunk { out += $0 }
            #expect(String(decoding: out, as: UTF8.self) == text, "chunk \(chunkSize)")
        }
    }

    @Test func anInvalidSequenceBecomesOneInvalidByteAndReadingGoesOn() throws {
        guard let converter = IconvConverter(from: "shift_jis") else {
            Issue.record("no shift_jis")
            return
        }
        var out: [UInt8] = []
        // A lead byte before a space; a lead byte cut by the end of the input.
        let bytes: [UInt8] = [0x41, 0x81, 0x20, 0x42, 0x88]
        let invalid = bytes.withUnsafeBytes {
            converter.convert($0, isFinal: true, into: &out)
        }
        #expect(invalid == 2)
        #expect(out == [0x41, 0xFF, 0x20, 0x42, 0xFF])
    }

    @Test func aCopyOfADecoderDecodesOnItsOwn() throws {
        let bytes = try encoded("山田太郎", in: "SHIFT_JIS")
        var decoder = TextDecoder(encoding: .iconv("shift_jis"))
        var copy = decoder
        var first: [UInt8] = []
        var second: [UInt8] = []
        bytes.withUnsafeBytes {
            // The copy stops half-way through a character; the original is not disturbed.
            copy.decode(
                UnsafeRawBufferPointer(rebasing: $0.prefix(3)), isFinal: false, into: &second)
            decoder.decode($0, isFinal: true, into: &first)
        }
        #expect(String(decoding: first, as: UTF8.self) == "山田太郎")
        #expect(String(decoding: second, as: UTF8.self) == "山")
    }
}

@Suite struct LegacyGuessTests {
    func guess(_ bytes: [UInt8]) -> EncodingGuess {
        bytes.withUnsafeBytes { EncodingGuess.guess($0, isWhole: true) }
    }

    static let names: [(String, String, TextEncoding)] = [
        ("山田 太郎\n佐藤 花子\n鈴木 一郎\n高橋 美咲\n", "SHIFT_JIS", .iconv("cp932")),
        ("山田 太郎\n佐藤 花子\n鈴木 一郎\n高橋 美咲\n", "EUC-JP", .iconv("euc-jp")),
        ("王 伟\n李 娜\n张 敏\n刘 洋\n陈 静\n杨 帆\n", "GB18030", .iconv("gb18030")),
        ("陳 志明\n林 淑芬\n黃 怡君\n張 家豪\n", "BIG5", .iconv("big5")),
        ("김 민준\n이 서연\n박 지훈\n최 수빈\n정 하은\n", "CP949", .iconv("cp949")),
        ("Иванов Сергей\nПетрова Анна\nСмирнов Дмитрий\n", "WINDOWS-1251", .iconv("windows-1251")),
        ("Иванов Сергей\nПетрова Анна\nСмирнов Дмитрий\n", "KOI8-R", .iconv("koi8-r")),
        (
            "Müller Jürgen\nGarcía José\nDupont Émile\nSmith Zoë\nO'Brien Seán\n", "WINDOWS-1252",
            .windows1252
        ),
        (
            "Wiśniewski Łukasz\nDąbrowska Małgorzata\nKozłowski Paweł\n", "WINDOWS-1250",
            .iconv("windows-1250")
        ),
        (
            "Dvořák Jiří\nČerná Petra\nKučera Tomáš\nRůžička Zdeněk\n", "ISO-8859-2",
            .iconv("iso-8859-2")
        ),
        ("Erdős Győző\nSzűcs Zsófia\nKovács Ödön\n", "WINDOWS-1250", .iconv("windows-1250")),
        (
            "Yılmaz Gökhan\nAydın Şule\nÖztürk İsmail\nDoğan Ayşe\n", "WINDOWS-1254",
            .iconv("windows-1254")
        ),
        (
            "Stankevičius Jonas\nKazlauskienė Rūta\nŠimkus Tomas\nPetrauskaitė Aistė\n",
            "WINDOWS-1257", .iconv("windows-1257")
        ),
        (
            "Παπαδόπουλος Γιώργος\nΝικολάου Μαρία\nΙωάννου Άννα\n", "WINDOWS-1253",
            .iconv("windows-1253")
        ),
        (
            "Παπαδόπουλος Γιώργος\nΝικολάου Μαρία\nΙωάννου Άννα\n", "ISO-8859-7",
            .iconv("iso-8859-7")
        ),
        ("כהן דוד\nלוי שרה\nמזרחי יוסף\nפרץ רחל\n", "WINDOWS-1255", .iconv("windows-1255")),
        (
            "العلي محمد\nحسن فاطمة\nإبراهيم أحمد\nالخطيب مريم\n", "WINDOWS-1256",
            .iconv("windows-1256")
        ),
    ]

    @Test func eachLanguageIsGuessedInItsOwnEncoding() throws {
        for (text, iconvName, encoding) in Self.names {
            let bytes = try encoded("name\n" + text, in: iconvName)
            let firstInvalid = bytes.withUnsafeBytes {
                EncodingGuess.firstInvalidUTF8($0, isWhole: true) ?? -1
            }
            let expected: EncodingGuess =
                encoding == .windows1252
                ? .windows1252(firstInvalid: firstInvalid)
                : .legacy(encoding, firstInvalid: firstInvalid)
            #expect(guess(bytes) == expected, "\(iconvName)")
        }
    }

    @Test func readingsOfTheWrongScriptScoreLow() throws {
        let korean = try encoded("김 민준\n이 서연\n박 지훈\n최 수빈\n정 하은\n", in: "CP949")
        let readings = korean.withUnsafeBytes { EncodingGuess.readings(of: $0, isWhole: true) }
        let scores = Dictionary(
            uniqueKeysWithValues: readings.map { ($0.encoding, $0.score.value) })
        #expect(scores[.iconv("cp949")] ?? 0 > 0.9)
        // Korean bytes are common hanzi in GB2312, but not the frequent ones.
        #expect(scores[.iconv("gb18030")] ?? 1 < 0.6)
        #expect(scores[.windows1252] ?? 1 < 0)
    }
}

@Suite struct LatinLanguageTests {
    /// The weight `language` gives the letter at `index` of `word`.
    func weight(_ language: LatinLanguage, _ word: String, _ index: Int) -> Double {
        let original = Array(word.unicodeScalars)
        return language.weight(
            at: index, in: original.map(LatinLanguage.lowered), original: original)
    }

    @Test func aLetterWhereTheLanguagesSpellingNeverPutsItScoresLow() {
        let polish = LatinLanguage.centralEuropean[0]
        let czech = LatinLanguage.centralEuropean[1]
        let slovak = LatinLanguage.centralEuropean[2]
        let turkish = LatinLanguage.turkish[0]
        let western = LatinLanguage.western[0]
        // Polish writes ń only before a consonant or last: Spanish ñ read as windows-1250.
        #expect(weight(polish, "Kamiński", 4) == 1)
        #expect(weight(polish, "Peńa", 2) == -1)
        // No Czech word has č between consonants after a vowel: French è read so.
        #expect(weight(czech, "Kučera", 2) == 1)
        #expect(weight(czech, "Hélčne", 3) == -1)
        #expect(weight(czech, "Michčle", 4) == -1)
        // r or l between consonants is a syllable's vowel in Czech.
        #expect(weight(czech, "Smrčka", 3) == 1)
        #expect(weight(czech, "Vlčková", 2) == 1)
        // Czech ř never beside an r: Nordic ø read as windows-1250 ("Sřren").
        #expect(weight(czech, "Jiří", 2) == 1)
        #expect(weight(czech, "Sřren", 1) == -1)
        // A Slovak ľ is no Czech letter ("Kříľ" is Czech "Kříž" in ISO 8859-2 read as
        // windows-1250).
        #expect(weight(czech, "Kříľ", 3) == -1)
        #expect(weight(slovak, "Kráľ", 3) == 1)
        // Western letters read in another code page land where its languages never write:
        // Danish æ as Polish ć, Portuguese õ as Hungarian ő, French ï as Latvian ļ.
        let hungarian = LatinLanguage.centralEuropean[3]
        let latvian = LatinLanguage.baltic[1]
        #expect(weight(polish, "Brćnne", 2) == -1)
        #expect(weight(polish, "Maćkowiak", 2) == 1)
        #expect(weight(hungarian, "Simőes", 3) == -1)
        #expect(weight(hungarian, "Erdős", 3) == 1)
        #expect(weight(latvian, "Anaļs", 3) == -1)
        #expect(weight(latvian, "Kļaviņš", 1) == 1)
        // Turkish ı keeps to words of back vowels (an upper-case I is ı's capital).
        #expect(weight(turkish, "Yılmaz", 1) == 1)
        #expect(weight(turkish, "Işık", 2) == 1)
        #expect(weight(turkish, "Veselı", 5) == -1)
        // Spanish ñ is before a vowel: Polish ń read as windows-1252 is not.
        #expect(weight(western, "Peña", 2) == 1)
        #expect(weight(western, "Kamiñski", 4) == 0)
        // A letter of the Western languages in a Polish name from abroad; one of no language.
        #expect(weight(polish, "Müller", 1) == 0.25)
        #expect(weight(polish, "Mőller", 1) == -1)
    }

    @Test func readingsThatAreTheSameTextAreOne() throws {
        // German letters are the same in windows-1252, -1250, -1254, -1257 and ISO 8859-2.
        let german = try encoded(
            "name\nJürgen Müller\nKäthe Weiß\nSören Schröder\n", in: "WINDOWS-1252")
        let readings = german.withUnsafeBytes { EncodingGuess.readings(of: $0, isWhole: true) }
        let encodings = readings.map(\.encoding)
        #expect(encodings.contains(.windows1252))
        for other in ["windows-1250", "iso-8859-2", "windows-1254", "windows-1257"] {
            #expect(!encodings.contains(.iconv(other)), "\(other)")
        }
    }
}

@Suite struct FrequentCharactersTests {
    /// Every character of a list is in the table of the encoding it stands for, so that a
    /// file in that encoding can hold it.
    @Test func everyFrequentCharacterIsInItsEncodingsTable() throws {
        let lists: [(Set<UInt32>, String)] = [
            (FrequentCharacters.simplifiedChinese, "GB2312"),
            (FrequentCharacters.traditionalChinese, "BIG5"),
            (FrequentCharacters.japaneseKanji, "SHIFT_JIS"),
            (FrequentCharacters.koreanSyllables, "EUC-KR"),
            (FrequentCharacters.cyrillicLetters, "KOI8-U"),
            (FrequentCharacters.greekLetters, "ISO-8859-7"),
        ]
        for (list, encoding) in lists {
            #expect(list.count >= 12)
            let characters = String(
                String.UnicodeScalarView(list.sorted().compactMap(Unicode.Scalar.init)))
            // iconv stops at the first character it cannot convert, and says which.
            _ = try encoded(characters, in: encoding)
        }
    }
}
