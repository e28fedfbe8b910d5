import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension JournalDirectory {
    /// What `prune` did.
    public struct Pruning: Sendable, Equatable {
        /// The journals whose nights were removed, with their files.
        public var removedNights: [String] = []
        /// Every file removed.
        public var removedFiles: [String] = []
        /// Old journals kept, each with why: unfinished (rows not sent or in doubt, or no
        /// end written), held by a run, or unreadable.
        public var kept: [(journal: String, reason: String)] = []

        public static func == (left: Pruning, right: Pruning) -> Bool {
            left.removedNights == right.removedNights && left.removedFiles == right.removedFiles
                && left.kept.map(\.journal) == right.kept.map(\.journal)
                && left.kept.map(\.reason) == right.kept.map(\.reason)
        }
    }

    /// `--keep-days`: removes the files of every night whose journal was last written
    /// before `cutoff` and says its run finished (it wrote its end and left no row unsent
    /// or in doubt: `JournalSummary.isFinished`), its lock held meanwhile. Older journals
    /// of unfinished runs are kept and said. Never touched: the journal `current` (the
    /// night being run), the files at `sparing` (the ledger), anything that is not a
    /// regular file, and anything not named as a night's file (`Night`).
    public func prune(before cutoff: Date, current: String, sparing: [String]) -> Pruning {
        var pruning = Pruning()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            return pruning
        }
        let spared = Set(([current] + sparing).compactMap(Self.identity(of:)))
        for name in names.sorted() {
            guard let night = Night(journalName: name) else { continue }
            let journal = "\(path)/\(name)"
            guard let identity = Self.identity(of: journal), !spared.contains(identity),
                let modified = Self.modificationTime(of: journal), modified < cutoff
            else { continue }
            let lock: JournalLock
            do {
                lock = try JournalLock(journal: journal)
            } catch {
                pruning.kept.append((journal, "\(error)"))
                continue
            }
            let finished: JournalSummary
            do {
                finished = try JournalSummary(path: journal, checkHolder: false)
            } catch {
                pruning.kept.append((journal, "cannot be read: \(error)"))
                continue
            }
            guard finished.isFinished else {
                pruning.kept.append((journal, Self.unfinished(finished)))
                continue
            }
            for file in names where night.owns(file) && file != name {
                let filePath = "\(path)/\(file)"
                guard let fileIdentity = Self.identity(of: filePath),
                    !spared.contains(fileIdentity), unlink(filePath) == 0
                else { continue }
                pruning.removedFiles.append(filePath)
            }
            // The journal last, while its lock is held: a run starting on it now waits
            // for the lock, then finds no journal and begins anew.
            if unlink(journal) == 0 { pruning.removedFiles.append(journal) }
            pruning.removedNights.append(journal)
            withExtendedLifetime(lock) {}
        }
        return pruning
    }

    /// Why a journal's run is not finished, in a few words.
    static func unfinished(_ summary: JournalSummary) -> String {
        var parts: [String] = []
        let notSent = summary.countsWithUnreached[.notSent] ?? 0
        if notSent > 0 { parts.append("\(notSent) not sent") }
        if !summary.inDoubt.isEmpty { parts.append("\(summary.inDoubt.count) in doubt") }
        if parts.isEmpty && summary.inputRows == nil {
            parts.append("its input was not read through")
        }
        if parts.isEmpty { parts.append("its last run wrote no end") }
        return "unfinished (" + parts.joined(separator: ", ") + ")"
    }

    /// The device and inode of the regular file at `path` (a link is not followed), or nil.
    private static func identity(of path: String) -> [UInt64]? {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return [UInt64(status.st_dev), UInt64(status.st_ino)]
    }

    private static func modificationTime(of path: String) -> Date? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return Date(
            timeIntervalSince1970: Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec)
                / 1e9)
    }
}
