import BatchInvite
import Foundation
import Testing

/// Parses one JSON text given as a string.
func parseJSON(_ text: String) -> Result<JSONValue, JSONParseError> {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBytes { buffer in
        Result { () throws(JSONParseError) in try JSONParser.parse(UnsafeRawBufferPointer(buffer)) }
    }
}

/// Each non-blank line of a JSON Lines file as the reader gives it: line number and
/// members or problem.
func readJSONLines(_ bytes: [UInt8], chunkSize: Int = 256 * 1024) throws -> (
    records: [JSONLinesReader.Record], blank: Int
) {
    let scratch = try ScratchDirectory()
    let path = try scratch.file("input.jsonl", bytes)
    let reader = JSONLinesReader(
        input: try TextInput(path: path, encoding: .utf8, chunkSize: chunkSize))
    var records: [JSONLinesReader.Record] = []
    try reader.forEachRecord { records.append($0) }
    return (records, reader.blankRecordsSkipped)
}

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try parseJSON(
            #"{"s":"a\"b\\c\u00e9\ud83d\ude00","n":-12.5e3,"t":true,"f":false,"z":null,"a":[1,[]],"o":{}}"#
        ).get()
        #expect(
            value
                == .object([
                    JSONMember(key: "s", value: .string("a\"b\\cé😀")),
                    JSONMember(key: "n", value: .number("-12.5e3")),
                    JSONMember(key: "t", value: .bool(true)),
                    JSONMember(key: "f", value: .bool(false)),
                    JSONMember(key: "z", value: .null),
                    JSONMember(key: "a", value: .array([.number("1"), .array([])])),
                    JSONMember(key: "o", value: .object([])),
                ]))
    }

    @Test(arguments: [
        (#"{"id":0,}"#, "expected a member name in double quotes, found '}' at column 9"),
        (#"{"a" b}"#, "expected ':' after the member name, found 'b' at column 6"),
        (#"{"a":"b"}#"#, "unexpected text after the JSON value at column 10"),
        (#"{"a":"a"#, "unterminated string at column 6"),
        (#"{"a":01}"#, "a number may not start with 0 at column 7"),
        (
            "[\"\t\"]",
            "control character byte 0x9 inside a string (write it as \\u escape) at column 3"
        ),
        (#"{"a":tru}"#, "expected a JSON value, found 't' at column 6"),
        ("", "expected a JSON value, found the end of the line at column 1"),
    ])
    func saysWhatIsWrongAndWhere(text: String, message: String) {
        guard case .failure(let error) = parseJSON(text) else {
            Issue.record("\(text) should not parse")
            return
        }
        #expect(error.description == message)
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        guard case .failure(let error) = parseJSON(deep) else {
            Issue.record("deep nesting should be refused")
            return
        }
        #expect(error.message.contains("nesting deeper"))
    }
}

@Suite struct JSONLinesReaderTests {
    @Test func skipsBlankLinesAcceptsCRLFAndABOMAndNumbersLines() throws {
        let text = "\u{FEFF}{\"a\":1}\r\n\r\n  \n{\"b\":\"x\"}\n{\"c\":null}"
        for chunk in [1, 5, 4096] {
            let (records, blank) = try readJSONLines(Array(text.utf8), chunkSize: chunk)
            #expect(records.map(\.line) == [1, 4, 5])
            #expect(blank == 2)
            #expect(records.allSatisfy { (try? $0.members.get()) != nil })
        }
    }

    @Test func aLineThatIsNotAnObjectIsReportedWithTheParsersReason() throws {
        let (records, _) = try readJSONLines(Array("[1,2]\n{\"a\":\n\"text\"\n".utf8))
        let problems = records.map { record -> RecordProblem? in
            if case .failure(let error) = record.members { return error.problem }
            return nil
        }
        #expect(
            problems == [
                .notAnObject("expected a JSON object, found an array"),
                .notAnObject("expected a JSON value, found the end of the line at column 6"),
                .notAnObject("expected a JSON object, found a string"),
            ])
    }

    /// An escaped surrogate without its pair is U+FFFD by default (an API's answer), and
    /// an error that says where in a record of a file.
    @Test func anUnpairedSurrogateEscapeIsReplacedOrRefusedAsAsked() throws {
        let line = Array(#"{"a":["x\ud800y"],"b":"\ud83d\ude00"}"#.utf8)
        let replaced = try line.withUnsafeBytes { try JSONParser.parse($0) }
        #expect(replaced["a"] == .array([.string("x\u{FFFD}y")]))
        #expect(replaced["b"] == .string("\u{1F600}"))
        let refused = #expect(throws: JSONParseError.self) {
            try line.withUnsafeBytes { try JSONParser.parse($0, loneSurrogates: .refused) }
        }
        #expect(
            refused?.description
                == #"the text of key "a" holds an unpaired surrogate escape (\ud800) at column 9"#)
    }

    @Test(needsConformanceCorpus) func conformanceVerdictsMatch() throws {
        let directory = try #require(conformanceDirectory())
        let folder = directory.appendingPathComponent("jsonl")
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".jsonl")
        }
        var checked = 0
        for name in inputs {
            let expectedURL = folder.appendingPathComponent(
                name.replacingOccurrences(of: ".jsonl", with: ".expected.json"))
            // Foundation refuses the lone surrogates in one expected file; our parser takes them.
            let expected = try Array(Data(contentsOf: expectedURL)).withUnsafeBytes {
                try JSONParser.parse($0)
            }
            let lines = expected["lines"]?.elements ?? []
            let (records, _) = try readJSONLines(
                Array(try Data(contentsOf: folder.appendingPathComponent(name))))
            let byLine = Dictionary(uniqueKeysWithValues: records.map { ($0.line, $0) })
            for line in lines {
                let number = Int(line["line"]?.text ?? "") ?? 0
                let lenient = line["lenient"]
                let status = lenient?["status"]?.text ?? line["status"]?.text ?? ""
                let type = lenient?["json_type"]?.text ?? line["json_type"]?.text
                let record = byLine[number]
                switch status {
                case "skip", "blank":
                    #expect(record == nil, "\(name) line \(number) should be skipped")
                case "ok" where type == "object":
                    #expect(
                        (try? record?.members.get()) != nil,
                        "\(name) line \(number) should be an object")
                default:
                    // An error, or valid JSON that is not an object: a row with a problem.
                    if case .success? = record?.members {
                        Issue.record("\(name) line \(number) should be refused")
                    }
                    #expect(record != nil, "\(name) line \(number) should be reported, not skipped")
                }
                checked += 1
            }
        }
        print("JSON Lines conformance: \(checked) lines checked")
        #expect(checked > 0)
    }
}
