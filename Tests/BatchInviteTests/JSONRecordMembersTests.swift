import Foundation
import Testing

@testable import BatchInvite

/// Pieces of JSON Lines records, ordinary and awkward, put together at random: each
/// record is read by `JSONRecordMembers.scan` and by `JSONParser`, which must agree.
private enum Pieces {
    static let keys = [
        #""first_name""#, #""last_name""#, #""email""#, #""Email""#, #""role""#,
        #""team_group_id""#, #""department""#, #""""#, #""e\u006dail""#, #""k\"ey""#,
        "\"caf\u{E9}\"",
    ]
    static let values = [
        #""Ada""#, #""Ren\u00e9e""#, "\"Zo\u{EB}\"", #""a\"b""#, #""back\\slash""#,
        #""sl\/ash""#, #""\b\f\n\r\t""#, #""\u0000""#, #""\u00""#, #""\uD83D\uDE00""#,
        #""\ud800""#, #""\ud800x""#, #""\x""#, "\"tab\there\"", #""""#, #""  ada@x.io ""#,
        #""ADA@X.IO""#, "\"\u{1F600}\"", #""\u20AC""#, "1234", "-1", "0", "01", "1.5", "1.",
        ".5", "1e3", "1E+3", "1e-3", "1e", "-", "-0", "9223372036854775808", "true", "false",
        "null", "nul", "truex", "True", "[1]", "{\"a\":1}", "[]", "{}", "\"unterminated",
    ]
    static let spaces = ["", " ", "  ", "\t", "\r", " \t "]
}

/// The members as (key, kind, value) text, from `scan` (nil when it declines) and from
/// `JSONParser` (nil when the line is not an object).
private func readBothWays(_ line: [UInt8]) -> (scanned: [String]?, parsed: [String]?) {
    let members = JSONRecordMembers()
    func described() -> [String] {
        members.members.indices.map { index in
            let member = members.members[index]
            return String(decoding: members.key(index), as: UTF8.self) + " \(member.kind) "
                + String(decoding: members.value(member), as: UTF8.self)
        }
    }
    let scanned = line.withUnsafeBytes { members.scan($0) } ? described() : nil
    guard case .object(let found)? = line.withUnsafeBytes({ try? JSONParser.parse($0) }) else {
        return (scanned, nil)
    }
    members.load(found)
    return (scanned, described())
}

@Suite struct JSONRecordMembersTests {
    @Test func readsTheCommonRecordAsTheParserDoes() {
        let line = Array(
            #" {"first_name": "Ren\u00e9e", "n":-1.5e3 ,"t":true,"f":false,"z":null,"e":"a\"\\\/\t"}"#
                .utf8)
        let (scanned, parsed) = readBothWays(line)
        #expect(
            scanned == [
                "first_name a string Renée", "n a number -1.5e3", "t a boolean true",
                "f a boolean false",
                "z null ", "e a string a\"\\/\t",
            ])
        #expect(scanned == parsed)
    }

    /// What `scan` leaves to the parser: nesting, surrogate escapes, escaped keys, and
    /// every kind of error. (Were it to accept them, the members would differ or an error
    /// would be lost; the test below checks the members, this one that these are declined.)
    @Test func leavesNestingSurrogatesEscapedKeysAndErrorsToTheParser() {
        for text in [
            #"{"a":[1]}"#, #"{"a":{}}"#, #"{"a":"\ud83d\ude00"}"#, #"{"a":"\ud800"}"#,
            #"{"\u0061":1}"#, #"{"a":1,}"#, #"{"a":1} x"#, #"{"a":01}"#, #"{"a":nul}"#,
            "{\"a\":\"\t\"}", "\u{FEFF}{}", #"["a"]"#, #"{"a":1"#, #"{"a" 1}"#,
        ] {
            #expect(readBothWays(Array(text.utf8)).scanned == nil, "\(text)")
        }
        #expect(
            readBothWays([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x22, 0x7D]).scanned == nil)
    }

    @Test func randomRecordsAreReadAsTheParserReadsThem() {
        var generator = SplitMix(seed: 20_261_201)
        func pick(_ choices: [String]) -> String {
            choices[Int(generator.next() % UInt64(choices.count))]
        }
        var scannedCount = 0
        for _ in 0..<20_000 {
            var text = pick(Pieces.spaces) + "{" + pick(Pieces.spaces)
            for index in 0..<Int(generator.next() % 6) {
                if index > 0 { text += pick(Pieces.spaces) + "," + pick(Pieces.spaces) }
                text += pick(Pieces.keys) + pick(Pieces.spaces) + ":" + pick(Pieces.spaces)
                text += pick(Pieces.values)
            }
            text += pick(Pieces.spaces) + "}" + pick(Pieces.spaces)
            var line = Array(text.utf8)
            // Now and then a byte changed: a broken record, or invalid UTF-8.
            if generator.next() % 8 == 0 && !line.isEmpty {
                let byte: [UInt8] = [0x22, 0x2C, 0x7D, 0x5C, 0xC3, 0xFF, 0x20, 0x01]
                line[Int(generator.next() % UInt64(line.count))] = byte[Int(generator.next() % 8)]
            }
            let (scanned, parsed) = readBothWays(line)
            if let scanned {
                scannedCount += 1
                #expect(scanned == parsed, "\(String(decoding: line, as: UTF8.self))")
            }
        }
        // Most records are of the common kind: the test checks the scanner, not the parser.
        #expect(scannedCount > 2000)
    }

    /// Every line of the other projects' JSON Lines corpus, where it is beside the project.
    @Test(needsConformanceCorpus) func conformanceLinesAreReadAsTheParserReadsThem() throws {
        let directory = try #require(conformanceDirectory())
        let folder = directory.appendingPathComponent("jsonl")
        var checked = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path)
        where name.hasSuffix(".jsonl") {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                let (scanned, parsed) = readBothWays(Array(line))
                if let scanned { #expect(scanned == parsed, "\(name)") }
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    /// The rows of a file are the same read either way, after the first 1,000 lines (where
    /// the keys are decided and the scanner takes over): values, problems, duplicates.
    @Test func rowsAreTheSameScannedOrParsed() throws {
        var text = keyDecidingLines
        var generator = SplitMix(seed: 20_261_202)
        func pick(_ choices: [String]) -> String {
            choices[Int(generator.next() % UInt64(choices.count))]
        }
        let fields = [
            (#""first_name""#, [#""Émile""#, #""Ren\u00e9e""#, "true", "null", #""  ""#, "[1]"]),
            (#""last_name""#, [#""O'Brien""#, #""a\"b""#, "12", #""""#]),
            (#""email""#, [#""z@x.io""#, #"" Z@X.IO ""#, #""bad@""#, #""\u007a@x.io""#, "null"]),
            (#""Email""#, [#""y@x.io""#]),
            (#""role""#, [#""Manager""#, #"" regular ""#, #""admin""#, "null", "1"]),
            (#""team_group_id""#, ["1234", #""5678""#, "1.5", "-3", "01", #""  9 ""#]),
            (#""unknown""#, [#""x""#, "{}", "[]"]),
        ]
        // Now and then a key above again: as written, and escaped.
        let repeated = [(#""unknown""#, #""y""#), (#""em\u0061il""#, #""w@x.io""#)]
        for _ in 0..<3000 {
            var members: [String] = []
            for (key, values) in fields where generator.next() % 5 != 0 {
                members.append(key + pick(Pieces.spaces) + ":" + pick(Pieces.spaces) + pick(values))
            }
            for (key, value) in repeated where generator.next() % 10 == 0 {
                members.append(key + ":" + value)
            }
            var line = "{" + members.shuffled(using: &generator).joined(separator: ",") + "}"
            if generator.next() % 20 == 0 { line.removeLast() }
            text += line + (generator.next() % 30 == 0 ? "\r\n\n" : "\n")
        }
        // Last, the same keys in other orders: each value must reach its own field.
        text += #"""
            {"email":"q1@x.io","role":"manager","team_group_id":7,"first_name":"Q","last_name":"One"}
            {"team_group_id":8,"last_name":"Two","first_name":"Q","role":"regular","email":"Q2@x.io"}
            {"role":"regular","email":"q3@x.io","x":1,"first_name":"Q","last_name":"3","team_group_id":"x"}

            """#
        let scratch = try ScratchDirectory()
        let path = try scratch.file("people.jsonl", text)
        let scanned = try checkedLines(path, scanning: true)
        let parsed = try checkedLines(path, scanning: false)
        #expect(scanned.count == 4003)
        #expect(scanned == parsed)
        let lines = text.utf8.filter { $0 == 0x0A }.count
        #expect(
            scanned.suffix(3) == [
                "4001 \(lines - 2) valid q1@x.io ", "4002 \(lines - 1) valid q2@x.io ",
                "4003 \(lines) invalid q3@x.io team_group_id: \"x\" must be a whole number from 1 to 9223372036854775807",
            ])
        // The mix holds every kind of row.
        #expect(scanned.contains { $0.contains(" valid ") })
        #expect(scanned.contains { $0.contains("given twice") })
        #expect(scanned.contains { $0.contains("key \"unknown\" appears twice") })
        #expect(scanned.contains { $0.contains("key \"email\" appears twice") })
        #expect(scanned.contains { $0.contains("same email as row") })
        #expect(scanned.contains { $0.contains("expected a string, found a boolean") })
    }

    /// One key written two ways (`é` as one character, or as `e` and a combining accent)
    /// is one key, as `JSONParser`'s strings compare: given twice, like a key written twice
    /// the same way; not two keys for one field.
    @Test func oneKeyWrittenTwoWaysIsOneKey() throws {
        var text = keyDecidingLines
        text +=
            "{\"first_name\":\"Q\",\"last_name\":\"R\",\"\u{E9}mail\":\"x1@x.io\",\"e\u{301}mail\":\"x2@x.io\","
            + "\"role\":\"regular\",\"team_group_id\":1}\n"
        let scratch = try ScratchDirectory()
        let path = try scratch.file("people.jsonl", text)
        for scanning in [true, false] {
            #expect(
                try checkedLines(path, scanning: scanning).last
                    == "1001 1001 invalid x2@x.io key \"e\u{301}mail\" appears twice (written two "
                    + "ways that are the same text)")
        }
    }
}

/// 1,000 ordinary records: the lines that decide the keys, before the scanner takes over.
private let keyDecidingLines = (0..<1000).map {
    #"{"first_name":"Ada","last_name":"L","email":"a\#($0)@x.io","role":"regular","team_group_id":1}"#
        + "\n"
}.joined()

/// Each checked row of the JSON Lines file at `path` (number, line, status, key, message),
/// with the scanner on or off.
private func checkedLines(_ path: String, scanning: Bool) throws -> [String] {
    let target = SendosoTarget()
    let source = try RowSource(options: InputOptions(path: path), target: target)
    source.scansJSONLines = scanning
    var lines: [String] = []
    try CheckedRows(source: source, check: RowCheck(target: target)).forEach {
        lines.append("\($0.row) \($0.line) \($0.status) \($0.key) \($0.message)")
    }
    return lines
}

extension SplitMix: RandomNumberGenerator {}
