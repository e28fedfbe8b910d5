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
                OutcomeRecord(
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
        let cut = try JournalScanner.scan(path: path) { _, entry in
            if entry.row > 0 { rows.append(entry.row) }
        }
        let left = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
        return (rows, cut, left)
    }

    @Test func everyRecordIsAChecksummedJSONLineAfterAHeader() throws {
        let scratch = try ScratchDirectory()
        let lines = String(decoding: try writeJournal(in: scratch), as: UTF8.self).split(
            separator: "\n")
        #expect(lines.count == 5)
        #expect(
            lines[0].hasPrefix(
                #"{"type":"header","version":3,"target":"sendoso","base_url":"https://app.sendoso.com""#
            ))
        #expect(lines[0].contains(#""input_size":1234,"input_hash":"0000000000abcdef""#))
        // Each run says when it began, which process it is, its version and what was done.
        #expect(lines[1].hasPrefix(#"{"type":"start","pid":\#(getpid()),"started":"20"#))
        #expect(lines[1].contains(#","done":0,"#))
        #expect(
            lines[2].hasPrefix(
                #"{"type":"outcome","row":1,"line":2,"key":"p1@x.io","status":"invited""#))
        // Outcomes carry their time (milliseconds since 1970).
        #expect(lines[2].range(of: #","at":1[0-9]{12},"sum""#, options: .regularExpression) != nil)
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

    @Test func crc32IsZlibsAtEveryLength() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        // Against the plain bitwise definition, across the 8-byte steps and their tails.
        func reference(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
            }
            return crc ^ 0xFFFF_FFFF
        }
        var generator = SplitMix(seed: 7)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            #expect(CRC32.checksum(bytes) == reference(bytes), "length \(length)")
        }
    }

    @Test func anOutcomeReadsBackAsTheRecordWritten() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("e.journal").path
        let journal = try Journal(path: path, header: header)
        let written = [
            OutcomeRecord(
                row: 7, line: 9, key: "zoë@x.io", status: .failed, httpStatus: 400,
                message: "say \"no\"\nthen\t\\ \u{1}stop", attempts: 2),
            OutcomeRecord(row: 8, line: 10, key: "", status: .invalid, message: "email: missing"),
        ]
        let offsets = OffsetsByRow(journal)
        for record in written {
            journal.append(record, marks: OutcomeMarks(transient: record.row == 7))
        }
        try journal.close()
        for record in written {
            #expect(try journal.record(at: offsets[record.row]) == record)
        }
        var seen: [(Int, RowStatus?, Bool)] = []
        try JournalScanner.scan(path: path) { _, entry in
            if entry.kind == .outcome { seen.append((entry.row, entry.status, entry.transient)) }
        }
        #expect(seen.map(\.0) == [7, 8] && seen.map(\.1) == [.failed, .invalid])
        #expect(seen.map(\.2) == [true, false])
    }

    @Test func recordsReadBackInAnyOrder() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("order.journal").path
        let journal = try Journal(path: path, header: header)
        let records = (1...3000).map {
            OutcomeRecord(row: $0, line: $0 + 1, key: "p\($0)@x.io", status: .invited, attempts: 1)
        }
        let offsets = OffsetsByRow(journal)
        records.forEach { journal.append($0) }
        try journal.close()
        // Backwards, and in jumps across the file: every record is the one written there.
        for index in records.indices.reversed() {
            #expect(try journal.record(at: offsets[records[index].row]) == records[index])
        }
        for index in stride(from: 0, to: records.count, by: 7).map({ ($0 * 1009) % records.count })
        {
            #expect(try journal.record(at: offsets[records[index].row]) == records[index])
        }
    }

    @Test func aRowDispatchedAgainAfterItsOutcomeIsInDoubt() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("again.journal").path
        do {
            let first = try Journal(path: path, header: header)
            first.append(
                OutcomeRecord(row: 1, line: 2, key: "a@x.io", status: .failed, httpStatus: 503),
                marks: OutcomeMarks(transient: true))
            first.append(OutcomeRecord(row: 2, line: 3, key: "b@x.io", status: .invited))
            try first.close()
        }
        // A run with --retry-failed sends row 1 again, then is killed before its answer.
        let second = try Journal(path: path, header: header)
        let position = second.appendDispatch(row: 1, line: 2, key: "a@x.io")
        try waitUntilDurable(second, position)
        try second.markSending(rows: [1])
        try second.close()
        let summary = try JournalSummary(path: path)
        #expect(summary.inDoubt == [1])
        #expect(summary.counts == [.invited: 1, .inDoubt: 1])
        #expect(!summary.isFinished)
    }

    /// A journal whose run (started on `boot`) dispatched rows 1 to 4 and marked 1 and 2 as
    /// sent (when it knows its boot), after an earlier run had settled row 3 (`failed`, transient) and left row 4 in
    /// doubt; then it died.
    func journalLoggedAhead(in scratch: ScratchDirectory, boot: String?) throws -> String {
        let path = scratch.url.appendingPathComponent("ahead.journal").path
        do {
            let earlier = try Journal(
                path: path, header: header, start: JournalStart(rowsDone: 0, boot: boot))
            earlier.append(
                OutcomeRecord(row: 3, line: 4, key: "c@x.io", status: .failed, httpStatus: 503),
                marks: OutcomeMarks(transient: true))
            let position = earlier.appendDispatch(row: 4, line: 5, key: "d@x.io")
            try waitUntilDurable(earlier, position)
            // A journal that does not know its boot does not log ahead, so marks nothing.
            if earlier.logsAhead { try earlier.markSending(rows: [4]) }
            try earlier.close()
        }
        let journal = try Journal(
            path: path, header: header, start: JournalStart(rowsDone: 1, boot: boot))
        var position: Int64 = 0
        for row in 1...4 {
            position = journal.appendDispatch(row: row, line: row + 1, key: "r\(row)@x.io")
        }
        try waitUntilDurable(journal, position)
        // The dispatcher marks a row only once its dispatch record is on disk.
        if journal.logsAhead { try journal.markSending(rows: [1, 2]) }
        try journal.close()
        return path
    }

    /// Has the journal commit what was appended, and waits until `position` is on disk.
    func waitUntilDurable(_ journal: Journal, _ position: Int64) throws {
        journal.commitDispatches()
        while try journal.durablePosition() < position { usleep(1000) }
    }

    @Test func rowsLoggedAheadButNeverSentAreNotInDoubtOnTheSameBoot() throws {
        let scratch = try ScratchDirectory()
        let boot = "0b5e7c1a-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
        let path = try journalLoggedAhead(in: scratch, boot: boot)
        let summary = try JournalSummary(path: path, checkHolder: false, boot: boot)
        // 1 and 2 went out; 3 was never sent again, so its earlier outcome stands; 4 was in
        // doubt before this run logged it again, and stays so.
        #expect(summary.inDoubt == [1, 2, 4])
        #expect(summary.counts == [.inDoubt: 3, .failed: 1])
        #expect(summary.transientFailures == [3])
        let lines = try String(contentsOfFile: path, encoding: .utf8)
        #expect(lines.contains("\"boot\":\"\(boot)\",\"marks_sent\":true"))
        #expect(lines.contains("{\"type\":\"sent\",\"row\":2,\"sum\":"))
    }

    @Test func aRowLoggedAheadByTwoKilledRunsAndNeverSentIsNotInDoubt() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("twice.journal").path
        let boot = "0b5e7c1a-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
        for done in 0..<2 {
            // Each run logs rows 1 and 2 ahead, sends row 2 only in the second, and dies.
            let journal = try Journal(
                path: path, header: header, start: JournalStart(rowsDone: done, boot: boot))
            _ = journal.appendDispatch(row: 1, line: 2, key: "a@x.io")
            try waitUntilDurable(journal, journal.appendDispatch(row: 2, line: 3, key: "b@x.io"))
            if done == 1 { try journal.markSending(rows: [2]) }
            try journal.close()
        }
        let summary = try JournalSummary(path: path, checkHolder: false, boot: boot)
        #expect(summary.inDoubt == [2])
        #expect(summary.counts == [.inDoubt: 1])
    }

    @Test func afterARestartEveryRowDispatchedWithoutAnOutcomeIsInDoubt() throws {
        let scratch = try ScratchDirectory()
        let boot = "0b5e7c1a-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
        let path = try journalLoggedAhead(in: scratch, boot: boot)
        // Another boot: what the run wrote without syncing may be lost.
        let rebooted = try JournalSummary(
            path: path, checkHolder: false, boot: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")
        #expect(rebooted.inDoubt == [1, 2, 3, 4])
        #expect(rebooted.counts == [.inDoubt: 4])
        // A run that could not tell its boot (an older version, another system) is not trusted.
        let other = try ScratchDirectory()
        let unknown = try journalLoggedAhead(in: other, boot: nil)
        #expect(
            try JournalSummary(path: unknown, checkHolder: false, boot: boot).inDoubt == [
                1, 2, 3, 4,
            ])
    }

    @Test func sentMarksComeAfterEveryOutcomeAppendedBeforeThem() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("marks.journal").path
        let journal = try Journal(path: path, header: header)
        try waitUntilDurable(journal, journal.appendDispatch(row: 2, line: 3, key: "b@x.io"))
        // Row 1's answer came; the committing thread waits for company before writing it.
        journal.append(OutcomeRecord(row: 1, line: 2, key: "a@x.io", status: .invited))
        try journal.markSending(rows: [2])
        // Row 2 is under way: a run killed now must find row 1's answer in the file.
        let written = try String(contentsOfFile: path, encoding: .utf8)
        let outcome = try #require(written.range(of: "{\"type\":\"outcome\""))
        let mark = try #require(written.range(of: "{\"type\":\"sent\",\"row\":2,"))
        #expect(outcome.lowerBound < mark.lowerBound)
        try journal.close()
        let summary = try JournalSummary(path: path)
        #expect(summary.counts == [.invited: 1, .inDoubt: 1] && summary.inDoubt == [2])
    }

    @Test func aRunThatDoesNotMarkItsSendsLeavesEveryDispatchedRowInDoubt() throws {
        // With a ledger, rows are not logged ahead and not marked: a row dispatched without an
        // outcome may have gone out, on the same boot as on another.
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("ledger.journal").path
        let ledger = try Ledger(
            path: scratch.url.appendingPathComponent("job.ledger").path, target: "sendoso")
        let journal = try Journal(path: path, header: header, ledger: ledger)
        #expect(!journal.logsAhead)
        try waitUntilDurable(journal, journal.appendDispatch(row: 1, line: 2, key: "a@x.io"))
        try journal.close()
        #expect(try JournalSummary(path: path).inDoubt == [1])
        #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains("marks_sent"))
    }

    @Test func theJournalLogsAheadOnlyWithoutALedgerAndWithTheBootKnown() throws {
        let scratch = try ScratchDirectory()
        let known = try Journal(
            path: scratch.url.appendingPathComponent("a.journal").path, header: header,
            start: JournalStart(rowsDone: 0, boot: "0b5e7c1a-1d2e-4f3a-9b8c-7d6e5f4a3b2c"))
        #expect(known.logsAhead)
        try known.close()
        let unknown = try Journal(
            path: scratch.url.appendingPathComponent("b.journal").path, header: header,
            start: JournalStart(rowsDone: 0, boot: nil))
        #expect(!unknown.logsAhead)
        try unknown.close()
    }

    @Test func thisMachineTellsItsBoot() throws {
        #expect(BootIdentity.current != nil, "Linux has /proc/sys/kernel/random/boot_id")
        let scratch = try ScratchDirectory()
        #expect(BootIdentity.read(path: try scratch.file("empty", [])) == nil)
        #expect(BootIdentity.read(path: try scratch.file("bad", Array("not a uuid\n".utf8))) == nil)
        let uuid = "0b5e7c1a-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
        #expect(
            BootIdentity.read(path: try scratch.file("good", Array((uuid + "\n").utf8))) == uuid)
    }

    @Test func anUnsettledOutcomeLeavesItsRowInDoubtForTheNextRun() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("unsettled.journal").path
        let journal = try Journal(path: path, header: header)
        _ = journal.appendDispatch(row: 1, line: 2, key: "a@x.io")
        journal.append(
            OutcomeRecord(row: 1, line: 2, key: "a@x.io", status: .inDoubt, message: "lost"),
            marks: OutcomeMarks(unsettled: true))
        journal.append(
            OutcomeRecord(row: 2, line: 3, key: "b@x.io", status: .inDoubt, message: "skip"))
        try journal.close()
        let summary = try JournalSummary(path: path)
        #expect(summary.inDoubt == [1])
        #expect(summary.counts == [.inDoubt: 2])
        #expect(!summary.isFinished)
    }

    @Test func aReaderOfAMissingJournalFailsCleanly() throws {
        // It used to free its buffer twice (init, then deinit) and abort the process.
        for _ in 0..<3 {
            #expect(throws: BatchInviteError.self) {
                _ = try JournalReader(path: "/nonexistent/batch-invite.journal")
            }
        }
    }

    @Test func onlyTheRunHoldingTheJournalCutsATornTail() throws {
        let scratch = try ScratchDirectory()
        let bytes = try writeJournal(in: scratch)
        let tail = Array("{\"type\":\"outc".utf8)
        let path = try scratch.file("live.journal", bytes + tail)
        func size() throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        }
        // status and report only read: the tail may be a group being written right now.
        #expect(try JournalSummary(path: path).rows == 3)
        #expect(try size() == bytes.count + tail.count)
        #expect(try JournalSummary(path: path, checkHolder: false).rows == 3)
        #expect(try size() == bytes.count)
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

/// Where the journal wrote each row's outcome, as its committing thread notes it.
struct OffsetsByRow {
    let journal: Journal

    init(_ journal: Journal) {
        self.journal = journal
    }

    subscript(row: Int) -> Int64 { journal.outcomeOffset(row: row) }
}
