import BatchInvite
import Foundation
import Testing

func writeReport(_ records: [OutcomeRecord], format: ReportFormat) throws -> String {
    let scratch = try ScratchDirectory()
    let path = scratch.url.appendingPathComponent("report").path
    let writer = try ReportWriter(path: path, format: format)
    for record in records { try writer.write(record) }
    #expect(!FileManager.default.fileExists(atPath: path), "the report appears only when finished")
    try writer.finish()
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    return try String(contentsOfFile: path, encoding: .utf8)
}

@Suite struct ReportWriterTests {
    let records = [
        OutcomeRecord(row: 1, line: 2, key: "ada@x.io", status: .valid),
        OutcomeRecord(
            row: 2, line: 3, key: "=cmd|' /C calc'!A0", status: .invalid,
            message: "email: \"=cmd|' /C calc'!A0\" is not an email address"),
        OutcomeRecord(
            row: 3, line: 5, key: "-2+3@x.io", status: .invited, httpStatus: 201,
            message: "Invitation sent", invitationStatus: "pending",
            expiresAt: "2023-11-11T12:18:55.000-08:00", attempts: 1),
        OutcomeRecord(
            row: 4, line: 6, key: "@home", status: .failed, httpStatus: 400,
            message: "line one\nline two", attempts: 2),
    ]

    @Test func csvQuotesAndNeutralisesFormulaCells() throws {
        #expect(
            try writeReport(records, format: .csv) == """
                row,line,key,status,http_status,message,invitation_status,expires_at,attempts
                1,2,ada@x.io,valid,,,,,
                2,3,'=cmd|' /C calc'!A0,invalid,,"email: ""=cmd|' /C calc'!A0"" is not an email address",,,
                3,5,'-2+3@x.io,invited,201,Invitation sent,pending,2023-11-11T12:18:55.000-08:00,1
                4,6,'@home,failed,400,"line one
                line two",,,2

                """)
    }

    @Test func jsonLinesKeepValuesRawWithNullForEmpty() throws {
        let lines = try writeReport(Array(records[0...1]), format: .jsonl).split(separator: "\n")
        #expect(
            lines[0]
                == #"{"row":1,"line":2,"key":"ada@x.io","status":"valid","http_status":null,"message":null,"invitation_status":null,"expires_at":null,"attempts":null}"#
        )
        #expect(
            lines[1]
                == #"{"row":2,"line":3,"key":"=cmd|' /C calc'!A0","status":"invalid","http_status":null,"message":"email: \"=cmd|' /C calc'!A0\" is not an email address","invitation_status":null,"expires_at":null,"attempts":null}"#
        )
    }

    @Test func summarySaysTheCounts() {
        var summary = ValidationSummary()
        for status in [RowStatus.valid, .valid, .invalid, .duplicate] { summary.count(status) }
        summary.blankRecordsSkipped = 1
        #expect(summary.line == "4 rows: 2 valid, 1 invalid, 1 duplicate; 1 blank row skipped")
    }
}
