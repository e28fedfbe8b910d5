import BatchInvite
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A lock let go a moment ago may still be held: a process forked by the run shares its
/// open files until it executes its program. The journal and the ledger wait for such a
/// moment rather than refuse a run that is alone.
@Suite struct JournalLockTests {
    /// Holds an exclusive `flock` on `path` through a description of its own (as a forked
    /// child does), and lets go after `milliseconds` (never, when nil).
    final class Holder: @unchecked Sendable {
        let descriptor: Int32

        init(_ path: String, lettingGoAfter milliseconds: Int?) throws {
            descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            try #require(descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0)
            guard let milliseconds else { return }
            let descriptor = descriptor
            Thread.detachNewThread {
                usleep(useconds_t(milliseconds * 1000))
                flock(descriptor, LOCK_UN)
            }
        }

        deinit { close(descriptor) }
    }

    @Test func aJournalLockLetGoAMomentLaterIsTaken() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("report.csv.journal").path
        let holder = try Holder(path, lettingGoAfter: 150)
        let lock = try JournalLock(journal: path)
        #expect(lock.pathNamesLockedFile)
        withExtendedLifetime(holder) {}
    }

    @Test func aJournalHeldByAnotherRunIsRefusedNamingIt() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("report.csv.journal").path
        let first = try JournalLock(journal: path)
        #expect {
            _ = try JournalLock(journal: path)
        } throws: { error in
            "\(error)".contains("journal \(path) is in use by pid \(getpid()) since ")
        }
        withExtendedLifetime(first) {}
    }

    @Test func aLedgerLockLetGoAMomentLaterIsTaken() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("invited.ledger").path
        let holder = try Holder(path, lettingGoAfter: 150)
        _ = try Ledger(path: path, target: "sendoso")
        withExtendedLifetime(holder) {}
    }

    @Test func aLedgerHeldThroughoutIsRefused() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("invited.ledger").path
        let holder = try Holder(path, lettingGoAfter: nil)
        #expect {
            _ = try Ledger(path: path, target: "sendoso")
        } throws: { error in
            "\(error)".contains("the ledger \(path) is in use by another run")
        }
        withExtendedLifetime(holder) {}
    }
}
