import BatchInvite
import Foundation
import Testing

@Suite struct LedgerTests {
    // MARK: The table under it

    @Test func aDigestSetKeepsTheLastValueOfEachDigestThroughGrowth() {
        var set = KeyDigestSet(capacity: 16)
        for digest in 1...20_000 as ClosedRange<UInt64> {
            set.update(digest: digest &* 0x9E37_79B9_7F4A_7C15, value: UInt32(digest))
        }
        for digest in stride(from: 1, through: 20_000, by: 2) as StrideThrough<UInt64> {
            set.update(digest: digest &* 0x9E37_79B9_7F4A_7C15, value: 7)
        }
        #expect(set.count == 20_000)
        #expect(set.value(digest: 1 &* 0x9E37_79B9_7F4A_7C15) == 7)
        #expect(set.value(digest: 2 &* 0x9E37_79B9_7F4A_7C15) == 2)
        #expect(set.value(digest: 20_000 &* 0x9E37_79B9_7F4A_7C15) == 20_000)
        #expect(set.value(digest: 20_001 &* 0x9E37_79B9_7F4A_7C15) == nil)
    }

    // MARK: The file

    /// Appends records (made by a ledger of `target`) to the ledger file at `path`.
    func append(
        _ records: [(key: String, state: Ledger.State, at: Int64)], target: String = "sendoso",
        to path: String
    ) throws {
        var bytes: [UInt8] = []
        let ledger = try Ledger(path: path, target: target)
        for record in records {
            ledger.appendRecord(key: record.key, state: record.state, at: record.at, to: &bytes)
        }
        try append(bytes, to: path)
    }

    func append(_ bytes: [UInt8], to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    @Test func theLatestRecordOfAKeyForTheTargetIsWhatTheLedgerSays() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("job.ledger").path
        let odd = "o'neil \"the\" \\ tëst@example.com"
        try append(
            [
                ("a@example.com", .inDoubt, 1_764_532_800),
                ("a@example.com", .invited, 1_764_532_861),
                ("b@example.com", .inDoubt, 1_764_532_800),
                ("c@example.com", .invited, 1_764_532_800),
                ("c@example.com", .forgotten, 1_764_600_000),
                ("d@example.com", .inDoubt, 1_764_532_800),
                ("d@example.com", .settled, 1_764_532_801),
                (odd, .invited, 1_764_532_800),
            ], to: path)
        try append(
            [("a@example.com", .invited, 1_700_000_000), ("e@example.com", .invited, 1)],
            target: "cyberark-sms", to: path)
        let ledger = try Ledger(path: path, target: "sendoso")
        // Kept to the minute.
        #expect(ledger.entry(for: "a@example.com")?.state == .invited)
        #expect(ledger.entry(for: "a@example.com")?.at == 1_764_532_860)
        #expect(ledger.entry(for: "b@example.com")?.state == .inDoubt)
        #expect(ledger.entry(for: "b@example.com")?.at == 1_764_532_800)
        #expect(ledger.entry(for: "c@example.com") == nil)
        #expect(ledger.entry(for: "d@example.com") == nil)
        #expect(ledger.entry(for: odd)?.state == .invited)
        // Another target's keys are not this one's.
        #expect(ledger.entry(for: "e@example.com") == nil)
        #expect(ledger.records == 10)
    }

    @Test func aTornLastLineIsCutAndDamageElsewhereNamesItsLine() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("job.ledger").path
        try append([("a@example.com", .invited, 1_764_532_800)], to: path)
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try append(Array(#"{"t":"sendoso","k":"b@exa"#.utf8), to: path)
        #expect(try Ledger(path: path, target: "sendoso").entry(for: "a@example.com") != nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == whole)
        // A changed byte in line 2 of 3: its checksum no longer matches.
        try append([("b@example.com", .invited, 1_764_532_800)], to: path)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let second = bytes.firstIndex(of: 0x0A)! + 1
        bytes[second + 25] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            try Ledger(path: path, target: "sendoso")
        } throws: { error in
            "\(error)".contains("is damaged at line 2")
        }
    }

    @Test func aFileThatIsNotALedgerIsRefused() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.file("people.csv", "email\na@example.com\n")
        #expect {
            try Ledger(path: path, target: "sendoso")
        } throws: { error in
            "\(error)".contains("is not a ledger")
        }
    }
}
