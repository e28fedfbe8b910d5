import BatchInvite
import Foundation
import Testing

@Suite struct JournalDirectoryTests {
    let header = JournalHeader(
        target: "sendoso", baseURL: "https://app.sendoso.com", path: "/api/v3/users",
        input: "people.csv", fingerprint: nil)

    @Test func theDigestIsTheFirstSixteenHexDigitsOfTheSHA256AsSha256sumPrintsIt() throws {
        let scratch = try ScratchDirectory()
        // "abc" is FIPS 180-4's own example; 200,000 bytes cross the 1 MiB chunks' and the
        // 64-byte blocks' edges nowhere in particular.
        let abc = try scratch.file("abc.csv", "abc")
        #expect(try JournalDirectory.digest(ofFile: abc) == "ba7816bf8f01cfea")
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 251) }
        let big = try scratch.file("big.csv", bytes)
        let whole = SHA256.digest(bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
        #expect(try JournalDirectory.digest(ofFile: big) == whole)
    }

    @Test func aDigestTakenInPiecesEqualsTheDigestOfTheWhole() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for cut in [0, 1, 55, 56, 63, 64, 65, 128, 999, 1_000] {
            var hasher = SHA256.Hasher()
            bytes[..<cut].withUnsafeBytes { hasher.update($0) }
            bytes[cut...].withUnsafeBytes { hasher.update($0) }
            #expect(hasher.finish() == SHA256.digest(bytes), "cut at \(cut)")
        }
    }

    @Test func aNightsFilesAreNamedAsTheNightlyWrapperNamedThem() {
        let directory = JournalDirectory(path: "/var/lib/batch-invite/nights/")
        #expect(
            directory.reportPath(digest: "0123456789abcdef", format: "csv")
                == "/var/lib/batch-invite/nights/0123456789abcdef.report.csv")
        #expect(
            directory.journalPath(digest: "0123456789abcdef", format: "csv")
                == "/var/lib/batch-invite/nights/0123456789abcdef.report.csv.journal")
        #expect(
            directory.pagePath(digest: "0123456789abcdef")
                == "/var/lib/batch-invite/nights/0123456789abcdef.report.html")
    }

    /// A journal named for `digest` in `directory`, finished (every row invited, its end
    /// written) or not (one row never reached), last written `daysAgo` days ago.
    @discardableResult
    func night(
        _ digest: String, in directory: URL, finished: Bool, daysAgo: Double
    ) throws -> String {
        let path = directory.appendingPathComponent("\(digest).report.csv.journal").path
        let journal = try Journal(path: path, header: header)
        journal.append(OutcomeRecord(row: 1, line: 2, key: "a@x.io", status: .invited))
        if finished {
            journal.end(rows: 1, blankRecordsSkipped: 0)
        } else {
            journal.end(rows: 2, blankRecordsSkipped: 0)
        }
        try journal.close()
        #expect(
            FileManager.default.createFile(
                atPath: directory.appendingPathComponent("\(digest).report.csv").path,
                contents: Data("row,status\n".utf8)))
        let date = Date().addingTimeInterval(-daysAgo * 86_400)
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
        return path
    }

    @Test func pruningRemovesOnlyOldFinishedNightsAndKeepsUnfinishedOnesSayingWhy() throws {
        let scratch = try ScratchDirectory()
        let dir = scratch.url
        let old = try night("00000000000000a1", in: dir, finished: true, daysAgo: 40)
        let unfinished = try night("00000000000000b2", in: dir, finished: false, daysAgo: 40)
        try night("00000000000000c3", in: dir, finished: true, daysAgo: 2)
        let current = try night("00000000000000d4", in: dir, finished: true, daysAgo: 90)
        // The old night's other files, and files that only look like them.
        let theirs = [
            "00000000000000a1.report.html", "00000000000000a1.report.csv.journal.history",
            "00000000000000a1.report.csv.journal.20261001T020000Z",
            "00000000000000a1.report.csv.journal.20261001T020000Z-2",
        ]
        let others = [
            "00000000000000a1.report.csv.bak", "00000000000000a1.report.csv.journal.notes",
            "00000000000000A1.report.csv.journal", "ledger", "summary.json",
        ]
        for name in theirs + others { _ = try scratch.file(name, "x") }
        let ledger = dir.appendingPathComponent("ledger").path
        let pruning = JournalDirectory(path: dir.path).prune(
            before: Date().addingTimeInterval(-30 * 86_400), current: current, sparing: [ledger])
        #expect(pruning.removedNights == [old])
        #expect(pruning.kept.map(\.journal) == [unfinished])
        #expect(pruning.kept.first?.reason == "unfinished (1 not sent)")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(left.isDisjoint(with: theirs + ["00000000000000a1.report.csv"]))
        #expect(pruning.removedFiles.count == theirs.count + 3)  // report, journal, lock
        #expect(left.isSuperset(of: others))
        for kept in ["00000000000000b2", "00000000000000c3", "00000000000000d4"] {
            #expect(left.contains("\(kept).report.csv.journal"))
            #expect(left.contains("\(kept).report.csv"))
        }
    }

    @Test func aJournalHeldByARunIsKept() throws {
        let scratch = try ScratchDirectory()
        let path = try night("00000000000000e5", in: scratch.url, finished: true, daysAgo: 40)
        let lock = try JournalLock(journal: path)
        let pruning = JournalDirectory(path: scratch.url.path).prune(
            before: Date(), current: "", sparing: [])
        #expect(pruning.removedNights.isEmpty)
        #expect(pruning.kept.first?.reason.contains("in use by pid \(getpid())") == true)
        withExtendedLifetime(lock) {}
        #expect(FileManager.default.fileExists(atPath: path))
    }
}
