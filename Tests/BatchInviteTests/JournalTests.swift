import BatchInvite
import Foundation
import Testing

@Suite struct JournalTests {
    let header = JournalHeader(
        target: "sendoso", baseURL: "https://app.sendoso.com", path: "/api/v3/users",
        input: "people.csv",
        fingerprint: InputFingerprint(size: 1234, hash: 0xABCDEF))

    /// A journal with its header and three outcome records; returns its bytes.
    func writeJournal(in scratch: ScratchDirectory) throws -> [UInt8] {
        let path = scratch.url.appendingPathComponent("j.journal").path
        let journal = try Journal(path: path, header: header)
        for row in 1...3 {
            journal.append(
                ReportRecord(
                    row: row, line: row + 1, key: "p\(row)@x.io", status: .invited, httpStatus: 201,
                    message: "Invitation sent successfully", invitationStatus: "pending",
                    expiresAt: "2026-12-07T11:13:07.043-08:00", attempts: 1))
        }
        try journal.close()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func scan(_ bytes: [UInt8], in scratch: ScratchDirectory) throws -> (
        rows: [Int], cut: Int, left: Int
    ) {
        let path = try scratch.file("copy.journal", bytes)
        var rows: [Int] = []
        let cut = try JournalScanner.scan(path: path) { _, json in
            if let row = json["row"]?.text.flatMap({ Int($0) }) { rows.append(row) }
        }
        let left = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
        return (rows, cut, left)
    }

    @Test func everyRecordIsAChecksummedJSONLineAfterAHeader() throws {
        let scratch = try ScratchDirectory()
        let lines = String(decoding: try writeJournal(in: scratch), as: UTF8.self).split(
            separator: "\n")
        #expect(lines.count == 4)
        #expect(
            lines[0].hasPrefix(
                #"{"type":"header","version":1,"target":"sendoso","base_url":"https://app.sendoso.com""#
            ))
        #expect(lines[0].contains(#""input_size":1234,"input_hash":"0000000000abcdef""#))
        #expect(
            lines[1].hasPrefix(
                #"{"type":"outcome","row":1,"line":2,"key":"p1@x.io","status":"invited""#))
        #expect(
            lines.allSatisfy {
                $0.range(of: #","sum":"[0-9a-f]{8}"\}$"#, options: .regularExpression) != nil
            })
    }

    @Test func aTornLastRecordIsCutOffAtEveryByteOffset() throws {
        let scratch = try ScratchDirectory()
        let bytes = try writeJournal(in: scratch)
        let lastStart = bytes.dropLast().lastIndex(of: 0x0A)! + 1
        #expect(try scan(bytes, in: scratch) == ([1, 2, 3], 0, bytes.count))
        for cut in lastStart..<bytes.count {
            let result = try scan(Array(bytes[0..<cut]), in: scratch)
            #expect(result.rows == [1, 2], "cut at byte \(cut)")
            #expect(result.left == lastStart, "cut at byte \(cut)")
            #expect(result.cut == cut - lastStart)
        }
    }

    @Test func aDamagedRecordElsewhereStopsWithItsLine() throws {
        let scratch = try ScratchDirectory()
        var bytes = try writeJournal(in: scratch)
        let secondLine = bytes.firstIndex(of: 0x0A)! + 1
        let thirdLine = bytes[secondLine...].firstIndex(of: 0x0A)! + 1
        bytes[thirdLine + 20] ^= 0x01  // a flipped bit in the record of row 2
        #expect {
            try scan(bytes, in: scratch)
        } throws: { error in
            (error as? BatchInviteError)?.description.contains(
                "is damaged at line 3 (byte \(thirdLine))") == true
        }
    }

    @Test func theFingerprintChangesWithTheInput() throws {
        let scratch = try ScratchDirectory()
        let first = try InputFingerprint.of(path: try scratch.file("a.csv", "ID\nx\n"))
        let same = try InputFingerprint.of(path: try scratch.file("b.csv", "ID\nx\n"))
        let other = try InputFingerprint.of(path: try scratch.file("c.csv", "ID\ny\n"))
        #expect(first == same && first != other && first?.size == 5)
        #expect(try InputFingerprint.of(path: "-") == nil)
    }
}
