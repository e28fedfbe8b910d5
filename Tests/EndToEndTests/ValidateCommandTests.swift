import Foundation
import Testing

@Suite struct ValidateCommandTests {
    static let sample = Tool.packageRoot.appendingPathComponent("samples").path

    @Test func theExcelSampleGivesTheReportAndSummaryOfTheReadme() throws {
        let tool = try Tool()
        let result = try tool.run([
            "validate", "\(Self.sample)/onboarding.csv", "--target", "sendoso",
        ])
        #expect(result.status == 1)
        #expect(result.stdout == "10 rows: 5 valid, 4 invalid, 1 duplicate; 1 blank row skipped\n")
        #expect(
            result.stderr == """
                warning: ignoring column not used by sendoso: "Department"
                report: onboarding.report.csv

                """)
        #expect(
            try tool.read("onboarding.report.csv") == """
                row,line,key,status,http_status,message,invitation_status,expires_at,attempts
                1,2,ada@example.com,valid,,,,,
                2,3,grace.hopper@example.com,valid,,,,,
                3,4,alan@example,invalid,,"email: ""alan@example"" is not an email address (the domain has no dot)",,,
                4,5,katherine@example.com,invalid,,"role: ""admin"" must be regular or manager",,,
                5,6,margaret@example.com,invalid,,"team_group_id: ""12a"" must be a whole number from 1 to 9223372036854775807",,,
                6,7,ada@example.com,duplicate,,same email as row 1,,,
                7,8,edsger@example.com,valid,,,,,
                8,9,tony@example.com,invalid,,first_name: is empty,,,
                9,10,barbara@example.com,valid,,,,,
                10,11,don@example.com,valid,,,,,

                """)
    }

    @Test func aKeyWithControlCharactersOrInvalidBytesIsShownEscaped() throws {
        let tool = try Tool()
        var bytes = Array("First Name,Last Name,Email,Role,Team ID\nAda,L,".utf8)
        bytes += [0x61, 0x00, 0x62, 0xFF, 0x40, 0x78, 0x2E, 0x69, 0x6F]  // a NUL b 0xFF @x.io
        bytes += Array(",regular,1\n".utf8)
        try tool.write("people.csv", bytes)
        // Given as UTF-8, the bad bytes make their row invalid, shown escaped.
        let result = try tool.run([
            "validate", "people.csv", "--target", "sendoso", "--encoding", "utf-8",
        ])
        #expect(result.status == 1)
        let report = try tool.read("people.report.csv")
        #expect(report.contains("\n1,2,a\\x00b\\xff@x.io,invalid,"))
        #expect(!report.utf8.contains(0))
        // Not given, the file is neither UTF-8 nor windows-1252 text: it is not half read.
        let guessed = try tool.run(["validate", "people.csv", "--target", "sendoso"])
        #expect(guessed.status == 2)
        #expect(
            guessed.stderr
                == "batch-invite validate: people.csv is neither UTF-8 nor windows-1252 text (line 2 has "
                + "byte 0xFF in \"b\\xff@x.io\", \"bÿ@x.io\" in windows-1252); save it as UTF-8, "
                + "or give --encoding windows-1252 to read it as windows-1252 all the same\n")
    }

    @Test func theJSONLinesSampleReportsTheBrokenLineAndCarriesOn() throws {
        let tool = try Tool()
        let result = try tool.run(
            [
                "validate", "\(Self.sample)/onboarding.jsonl", "--target", "sendoso",
                "--report-format", "jsonl",
            ])
        #expect(result.status == 1)
        #expect(result.stdout == "7 rows: 2 valid, 4 invalid, 1 duplicate; 1 blank row skipped\n")
        let lines = try tool.read("onboarding.report.jsonl").split(separator: "\n")
        #expect(lines.count == 7)
        #expect(
            lines[4]
                == #"{"row":5,"line":6,"key":null,"status":"invalid","http_status":null,"message":"line 6: expected a member name in double quotes, found the end of the line at column 82","invitation_status":null,"expires_at":null,"attempts":null}"#
        )
    }

    @Test func theSMSSampleIsKeyedByUUID() throws {
        let tool = try Tool()
        let result = try tool.run([
            "validate", "\(Self.sample)/sms-invites.csv", "--target", "cyberark-sms", "--report",
            "sms.csv",
        ])
        #expect(result.status == 1)
        #expect(result.stdout == "6 rows: 4 valid, 1 invalid, 1 duplicate\n")
        #expect(
            try tool.read("sms.csv").contains(
                "5,6,3f2504e0-4f89-11d3-9a0c-0305e82c3301,duplicate,,same ID as row 1,,,\n"))
    }

    @Test func aFileWhereEveryRowIsValidExitsZero() throws {
        let tool = try Tool()
        try tool.write(
            "ok.tsv", "First Name\tLast Name\tEmail\tTeam\nAda\tLovelace\tada@example.com\t7\n")
        let result = try tool.run([
            "validate", "ok.tsv", "--target", "sendoso", "--role", "manager",
        ])
        #expect(result.status == 0)
        #expect(result.stdout == "1 row: 1 valid, 0 invalid, 0 duplicate\n")
        #expect(
            try tool.read("ok.report.csv")
                == "row,line,key,status,http_status,message,invitation_status,expires_at,attempts\n1,2,ada@example.com,valid,,,,,\n"
        )
    }

    @Test func standardInputIsReadFromDash() throws {
        let tool = try Tool()
        let result = try tool.run(
            ["validate", "-", "--target", "cyberark-sms", "--report", "-"],
            input: Array("ID\n3f2504e0-4f89-11d3-9a0c-0305e82c3301\n".utf8))
        #expect(result.status == 0)
        #expect(
            result.stdout
                == "row,line,key,status,http_status,message,invitation_status,expires_at,attempts\n1,2,3f2504e0-4f89-11d3-9a0c-0305e82c3301,valid,,,,,\n1 row: 1 valid, 0 invalid, 0 duplicate\n"
        )
    }

    @Test func otherEncodingsAreReadWhenGiven() throws {
        let tool = try Tool()
        try tool.write(
            "latin.csv",
            Array("First Name;Last Name;Email;Role;Team\n".utf8) + [0x5A, 0x6F, 0xEB]
                + Array(";M;z@x.io;regular;1\n".utf8))
        let wrong = try tool.run([
            "validate", "latin.csv", "--target", "sendoso", "--encoding", "utf-8",
        ])
        #expect(wrong.status == 1)
        #expect(
            try tool.read("latin.report.csv").contains(
                "line 2: not valid utf-8 text (is the file in another encoding? see --encoding)"))
        #expect(
            wrong.stderr.hasPrefix(
                "warning: latin.csv: 1 row is not valid UTF-8 (the first on line 2); if the file is "
                    + "in windows-1252, give --encoding windows-1252\n"))
        let right = try tool.run([
            "validate", "latin.csv", "--target", "sendoso", "--encoding", "windows-1252",
        ])
        #expect(right.status == 0)
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in "ID\r\n3f2504e0-4f89-11d3-9a0c-0305e82c3301\r\n".utf16 {
            utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        try tool.write("wide.csv", utf16)
        #expect(try tool.run(["validate", "wide.csv", "--target", "cyberark-sms"]).status == 0)
    }

    @Test(
        arguments: [
            (
                "empty.csv", [UInt8](),
                "batch-invite validate: empty.csv is empty: there is no header line\n"
            ),
            (
                "book.csv", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00],
                "batch-invite validate: book.csv is a ZIP archive, probably an Excel workbook (.xlsx): save it as \"CSV UTF-8\" and try again\n"
            ),
            (
                "open.csv", Array("ID\n\"3f2504e0\n".utf8),
                "batch-invite validate: open.csv: line 2: a quoted field is never closed (its opening quote is unmatched up to the end of the file)\n"
            ),
            (
                "stray.csv", Array("ID\nab\"c\n".utf8),
                "batch-invite validate: stray.csv: line 2: a quote inside an unquoted field (quote the whole field and double the quote: \"a \"\"b\"\" c\")\n"
            ),
            (
                "nocolumn.csv", Array("Name\nAda\n".utf8),
                "batch-invite validate: nocolumn.csv: missing required column ID for cyberark-sms; the columns are: #1 \"Name\"; cyberark-sms needs: ID; no column seems to hold ID: add it to the file, or name the column that holds it with a --map\n"
            ),
        ] as [(String, [UInt8], String)])
    func aBadFileStopsWithExitTwoAndOneLine(name: String, bytes: [UInt8], message: String) throws {
        let tool = try Tool()
        try tool.write(name, bytes)
        let result = try tool.run(["validate", name, "--target", "cyberark-sms"])
        #expect(result.status == 2)
        #expect(result.stderr == message)
        #expect(result.stdout == "")
        #expect(
            !FileManager.default.fileExists(
                atPath: tool.path(name.replacingOccurrences(of: ".csv", with: ".report.csv"))))
    }

    @Test func binaryDataIsRefused() throws {
        let tool = try Tool()
        var generator = SystemRandomNumberGenerator()
        try tool.write(
            "noise.csv",
            (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) | 0 } + [0, 1, 2, 3])
        let result = try tool.run(["validate", "noise.csv", "--target", "sendoso"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("does not look like text"))
    }

    @Test func aHeaderWithoutRowsIsZeroRowsWithAWarning() throws {
        let tool = try Tool()
        try tool.write("header.csv", "ID\r\n")
        let result = try tool.run(["validate", "header.csv", "--target", "cyberark-sms"])
        #expect(result.status == 0)
        #expect(result.stdout == "0 rows: 0 valid, 0 invalid, 0 duplicate\n")
        #expect(result.stderr.hasPrefix("warning: header.csv has no data rows\n"))
    }

    @Test func aTenMegabyteFieldMakesOnlyItsRowInvalid() throws {
        let tool = try Tool()
        let big = String(repeating: "y", count: 10 << 20)
        try tool.write(
            "big.csv",
            "ID,Notes\n3f2504e0-4f89-11d3-9a0c-0305e82c3301,\"\(big)\"\n6fa459ea-ee8a-3ca4-894e-db77e160355e,short\n"
        )
        let result = try tool.run(["validate", "big.csv", "--target", "cyberark-sms"])
        #expect(result.status == 1)
        #expect(result.stdout == "2 rows: 1 valid, 1 invalid, 0 duplicate\n")
        #expect(
            try tool.read("big.report.csv").contains(
                "1,2,3f2504e0-4f89-11d3-9a0c-0305e82c3301,invalid,,\"column \"\"Notes\"\": the value is over 1 MiB\",,,\n"
            ))
    }
}
