import BatchInvite
import Foundation
import Testing

@Suite struct CSVReaderTests {
    @Test func quotedFieldsKeepDelimitersDoubledQuotesAndLineBreaks() throws {
        let result = try readCSV("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n")
        #expect(result.records == [["a", "b", "c"], ["x,y", "say \"hi\"", "two\nlines"]])
    }

    @Test func everyLineEndingEndsARecordAndLinesAreCountedPhysically() throws {
        let result = try readCSV("h1,h2\r\na,1\nb,2\rc,3\r\n\"multi\r\nline\",4\nd,5")
        #expect(
            result.records == [
                ["h1", "h2"], ["a", "1"], ["b", "2"], ["c", "3"], ["multi\r\nline", "4"],
                ["d", "5"],
            ])
        #expect(result.lines == [1, 2, 3, 4, 5, 7])
    }

    /// Fields are copied in words of 8, 4, 2 or 1 bytes, which also tell whether a field
    /// holds a line break: a break (or a vertical tab, which is none) at every place of quoted fields
    /// of 1 to 20 bytes, and the records, their lines and the next record's line must all
    /// come out right.
    @Test func lineBreaksAreFoundInFieldsOfEveryLength() throws {
        var text = "h\n"
        var expected: [[String]] = [["h"]]
        var lines = [1]
        var line = 2
        for length in 1...20 {
            for breakAt in -1..<length {
                for mark in ["\n", "\r\n", "\r", "\u{0B}"] {
                    var field = String(repeating: "x", count: length)
                    if breakAt >= 0 {
                        let index = field.index(field.startIndex, offsetBy: breakAt)
                        field.replaceSubrange(index...index, with: mark)
                    }
                    text += "\"\(field)\"\n"
                    expected.append([field])
                    lines.append(line)
                    line += 1 + (breakAt >= 0 && mark != "\u{0B}" ? 1 : 0)
                }
            }
        }
        text += "last\n"
        expected.append(["last"])
        lines.append(line)
        let result = try readCSV(text)
        #expect(result.error == nil && result.blank == 0)
        #expect(result.records.count == expected.count)
        for index in 0..<min(result.records.count, expected.count)
        where result.records[index] != expected[index] || result.lines[index] != lines[index] {
            Issue.record("record \(index): \(result.records[index]) on line \(result.lines[index])")
            break
        }
    }

    @Test func whitespaceIsData() throws {
        #expect(try readCSV(" a ,\tb\t,\"  c \"\n").records == [[" a ", "\tb\t", "  c "]])
        // A blank before an opening quote makes the field unquoted, so the quote is an error.
        #expect(
            try readCSV("a, \"c\"\n").error?.description.hasPrefix(
                "line 1: a quote inside an unquoted") == true)
    }

    @Test func byteOrderMarkIsDropped() throws {
        let result = try readCSV(
            [0xEF, 0xBB, 0xBF] + Array("Email,Role\r\nx@y.z,regular\r\n".utf8))
        #expect(result.records == [["Email", "Role"], ["x@y.z", "regular"]])
    }

    @Test func blankRecordsAreSkippedCountedAndNotNumbered() throws {
        let result = try readCSV("a,b\n\n1,2\n,\n  ,\t\n\r\n3,4\n,,\n")
        #expect(result.records == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(result.lines == [1, 3, 7])
        #expect(result.blank == 5)
    }

    @Test func detectsTheDelimiterFromTheHeaderLine() throws {
        #expect(
            try readCSV("a;b;c\n1;2;3\n", delimiter: nil).records == [
                ["a", "b", "c"], ["1", "2", "3"],
            ])
        #expect(try readCSV("a\tb\n1\t2\n", delimiter: nil).records == [["a", "b"], ["1", "2"]])
        #expect(try readCSV("a|b\n1|2\n", delimiter: nil).records == [["a", "b"], ["1", "2"]])
        #expect(
            try readCSV("\"x;y\",b\n1,2\n", delimiter: nil).records == [["x;y", "b"], ["1", "2"]])
        #expect(try readCSV("single\nvalue\n", delimiter: nil).records == [["single"], ["value"]])
    }

    @Test func aGivenDelimiterIsUsed() throws {
        #expect(try readCSV("a;b,c\n", delimiter: UInt8(ascii: ";")).records == [["a", "b,c"]])
    }

    @Test(arguments: [1, 2, 7, 64])
    func chunkBoundariesDoNotChangeTheRecords(chunkSize: Int) throws {
        let text =
            "\u{FEFF}First Name;Last Name;E-mail\r\n\"Lovelace; Ada\";\"say \"\"hi\"\"\";ada@example.com\r\n\r\n"
            + "Grace ; Hopper;\"line\r\nbreak\"\rAlan;Turing;a@b.c\n  ;;\nZoë;Ünïcode;z@e.e"
        let whole = try readCSV(Array(text.utf8), delimiter: nil)
        let chunked = try readCSV(Array(text.utf8), delimiter: nil, chunkSize: chunkSize)
        #expect(whole.records.count == 5)
        #expect(chunked.records == whole.records)
        #expect(chunked.lines == whole.lines)
        #expect(chunked.blank == whole.blank)
        #expect(whole.lines == [1, 2, 4, 6, 8])
    }

    @Test func aQuoteInsideAnUnquotedFieldStopsWithItsLine() throws {
        let result = try readCSV("a,b\n1,2\nx,ab\"c\n")
        #expect(result.records == [["a", "b"], ["1", "2"]])
        #expect(
            result.error?.description.hasPrefix("line 3: a quote inside an unquoted field") == true)
    }

    @Test func textAfterAClosingQuoteStopsWithItsLine() throws {
        let result = try readCSV("a,b\n\"multi\nline\"x,2\n")
        #expect(result.error?.description.hasPrefix("line 3: text after the closing quote") == true)
    }

    @Test func anUnterminatedQuoteStopsWithTheLineWhereItsRecordStarts() throws {
        let result = try readCSV("a,b\n1,2\n3,\"open\nand never\nclosed\n")
        #expect(result.records == [["a", "b"], ["1", "2"]])
        #expect(
            result.error?.description.hasPrefix("line 3: a quoted field is never closed") == true)
    }

    @Test func aFieldOverOneMebibyteMakesItsRecordInvalidAndTheNextOneIsRead() throws {
        let big = String(repeating: "x", count: 3 << 20)
        let result = try readCSV("a,b\n1,\"\(big)\"\n2,ok\n")
        #expect(result.records.count == 3)
        #expect(result.problems[1] == .fieldTooLarge(field: 1))
        #expect(result.records[2] == ["2", "ok"])
        #expect(result.lines == [1, 2, 3])
    }

    @Test func linesAfterAFieldOverOneMebibyteAreNumberedAsInTheFileAndItsRowKeepsItsOtherFields()
        throws
    {
        // A quoted field of 1,100,000 line breaks (CRLF and LF mixed) on line 2.
        let breaks = String(repeating: "\r\n\n", count: 550_000)
        let result = try readCSV("name,email\n\"\(breaks)\",bob@example.com\nann,ann@example.com\n")
        #expect(result.records.count == 3)
        #expect(result.problems[1] == .fieldTooLarge(field: 0))
        #expect(result.records[1] == ["", "bob@example.com"])
        #expect(result.lines == [1, 2, 1_100_003])
        #expect(result.records[2] == ["ann", "ann@example.com"])
    }

    @Test func windows1252IsConverted() throws {
        let bytes: [UInt8] = Array("name\n".utf8) + [0x5A, 0x6F, 0xEB, 0x20, 0x80, 0x0A]
        let result = try readCSV(bytes, encoding: .windows1252)
        #expect(result.records == [["name"], ["Zoë €"]])
    }

    @Test(arguments: [false, true])
    func utf16IsRecognisedByItsByteOrderMark(bigEndian: Bool) throws {
        let text = "name,city\nZoë,𝄞 Köln\n"
        var bytes: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        for unit in text.utf16 {
            bytes +=
                bigEndian
                ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        for chunk in [1, 3, 1024] {
            let result = try readCSV(bytes, chunkSize: chunk)
            #expect(result.records == [["name", "city"], ["Zoë", "𝄞 Köln"]])
        }
    }

    @Test func anUnpairedUTF16SurrogateBecomesInvalidUTF8InsteadOfVanishing() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in Array("a\n".utf16) + [0xD800, 0x0062, 0x000A] {
            bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        let result = try readCSV(bytes)
        #expect(result.records.count == 2)
        #expect(result.records[1] == ["\u{FFFD}b"])
    }
}

@Suite struct CSVConformanceTests {
    struct Case: Decodable {
        let name: String
        let input: String
        let expected: String
        let delimiter: String
        let encoding: String
        let error_allowed: Bool
        let features: [String]
    }

    struct Manifest: Decodable {
        let csv: [Case]
    }

    @Test(needsConformanceCorpus) func matchesThePublishedResultsOfOtherProjects() throws {
        let directory = try #require(conformanceDirectory())
        let manifest = try JSONDecoder().decode(
            Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        )
        var matched = 0
        var rejected = 0
        for testCase in manifest.csv {
            let bytes = Array(
                try Data(contentsOf: directory.appendingPathComponent(testCase.input)))
            let expectedRecords = try JSONDecoder().decode(
                [[String]].self,
                from: Data(contentsOf: directory.appendingPathComponent(testCase.expected)))
            // Blank records are skipped by policy: drop them from the published result.
            let expected = expectedRecords.filter {
                !$0.allSatisfy { $0.allSatisfy { $0 == " " || $0 == "\t" } }
            }
            let encoding: TextEncoding =
                testCase.encoding.lowercased().contains("1252") ? .windows1252 : .utf8
            let delimiter =
                testCase.delimiter == "\\t" ? UInt8(9) : Array(testCase.delimiter.utf8).first
            for chunkSize in [1, 7, 256 * 1024] {
                let result = try readCSV(
                    bytes, delimiter: delimiter, encoding: encoding, chunkSize: chunkSize)
                if result.error != nil && testCase.error_allowed {
                    rejected += 1
                    continue
                }
                #expect(
                    result.error == nil, "\(testCase.name): \(String(describing: result.error))")
                #expect(result.records == expected, "\(testCase.name) in \(chunkSize)-byte chunks")
                if result.records == expected { matched += 1 }
            }
        }
        print(
            "CSV conformance: \(manifest.csv.count) cases, \(matched) reads matched, \(rejected) rejected where allowed"
        )
        #expect(matched > 0)
    }

    @Test(needsConformanceCorpus) func rejectsMalformedQuotingInStrictMode() throws {
        let directory = try #require(conformanceDirectory())
        let folder = directory.appendingPathComponent("csv_invalid")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".json")
        }
        #expect(!names.isEmpty)
        for name in names {
            let meta = try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent(name)))
            guard let expect = (meta as? [String: Any])?["expect"] as? String,
                expect == "error-in-strict-mode"
            else {
                continue
            }
            let input = folder.appendingPathComponent(
                name.replacingOccurrences(of: ".json", with: ".csv"))
            let result = try readCSV(Array(try Data(contentsOf: input)))
            #expect(
                result.error?.description.hasPrefix("line ") == true, "\(name) should be refused")
        }
    }
}
