import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One run at a time per journal: an exclusive `flock` on the journal file itself, taken
/// once the path is checked to still name the file that was locked. Removing or renaming a
/// file cannot let a second run in. The kernel drops the lock when its process dies, so a
/// lock left by a killed run is simply taken over. `<journal>.lock` beside it says which
/// process holds it and since when (for messages only: nothing depends on it).
public final class JournalLock: @unchecked Sendable {
    // Safe to share: immutable after `init`.
    public let path: String
    private let descriptor: Int32
    /// Whether this lock created the journal file (empty).
    public let createdFile: Bool
    private var infoPath: String { path + ".lock" }

    /// Takes the lock of the journal at `journal` (creating the file, empty, when there is
    /// none), or says who holds it (exit 5: the other run may end).
    public init(journal: String) throws {
        path = journal
        var attempts = 0
        while true {
            attempts += 1
            var created = true
            var descriptor = open(journal, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor < 0 && errno == EEXIST {
                created = false
                descriptor = open(journal, O_RDWR | O_CLOEXEC)
            }
            guard descriptor >= 0 else {
                throw BatchInviteError.io(
                    "cannot open the journal \(journal): \(String(cString: strerror(errno)))")
            }
            var status = stat()
            guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
                Glibc.close(descriptor)
                throw BatchInviteError.usage(
                    "the journal \(journal) is \(FileKind.describe(status.st_mode)); it must be a "
                        + "regular file")
            }
            guard Self.take(descriptor, LOCK_EX) else {
                Glibc.close(descriptor)
                throw BatchInviteError.inUse(
                    "journal \(journal) is in use by \(Self.holder(info: journal + ".lock"))")
            }
            // Between open and flock the path may have been removed or given to another file.
            if Self.names(journal, descriptor) || attempts >= 5 {
                guard Self.names(journal, descriptor) else {
                    Glibc.close(descriptor)
                    throw BatchInviteError.io(
                        "the journal \(journal) keeps being replaced while it is opened")
                }
                self.descriptor = descriptor
                createdFile = created
                break
            }
            Glibc.close(descriptor)
        }
        let owner =
            "pid \(getpid())\nsince \(Clock.iso8601(milliseconds: Clock.wallMilliseconds()))\n"
        // Only ever a regular file of its own: never a link followed, a device truncated.
        let info = open(infoPath, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o600)
        if info >= 0 {
            var status = stat()
            if fstat(info, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
                ftruncate(info, 0) == 0
            {
                _ = Array(owner.utf8).withUnsafeBytes {
                    Glibc.write(info, $0.baseAddress, $0.count)
                }
            }
            Glibc.close(info)
        }
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// `--restart`: the journal this lock holds is set aside as `<journal>.<its start time>`
    /// (`journal.20261206T082051Z`, with `-2`, `-3`... when that name is taken), and a new
    /// one begins; returns the new journal's lock and where the old one went (nil when
    /// there was none, or it was empty). Files that are not journals are neither moved nor
    /// removed.
    public func restarting() throws -> (lock: JournalLock, setAside: String?) {
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int,
            size > 0
        else { return (self, nil) }
        let started = try JournalScanner.header(of: path)?["started"]?.text ?? ""
        // "2026-12-06T08:20:51.123Z" -> "20261206T082051Z"
        let stamp = started.prefix(19).filter { $0 != "-" && $0 != ":" }
        let base = path + "." + (stamp.count == 15 ? stamp + "Z" : "old")
        var name = base
        var suffix = 1
        while FileManager.default.fileExists(atPath: name) {
            suffix += 1
            name = base + "-\(suffix)"
        }
        guard rename(path, name) == 0 else {
            throw BatchInviteError.io(
                "cannot set the journal \(path) aside as \(name): \(String(cString: strerror(errno)))"
            )
        }
        return (try JournalLock(journal: path), name)
    }

    /// Whether the journal's path still names the file this lock holds (it may have been
    /// removed or replaced since).
    public var pathNamesLockedFile: Bool {
        Self.names(path, descriptor)
    }

    /// Removes the journal file this lock created, when it is still empty (a run that
    /// stopped before writing anything leaves nothing behind).
    public func removeIfCreatedEmpty() {
        var info = stat()
        guard createdFile, fstat(descriptor, &info) == 0, info.st_size == 0, pathNamesLockedFile
        else { return }
        unlink(path)
        unlink(infoPath)
    }

    /// Takes the `flock` `operation` (`LOCK_EX`, `LOCK_SH`) on `descriptor`, waiting up to a
    /// second while it is held: a process forked by this one (or by the run that held it)
    /// shares its open files until it executes its program, so a lock just let go may
    /// still be held for a moment by a child about to drop it. A run holding it stays
    /// longer than that.
    static func take(_ descriptor: Int32, _ operation: Int32) -> Bool {
        var waited: useconds_t = 0
        var pause: useconds_t = 1000
        while flock(descriptor, operation | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, waited < 1_000_000 else { return false }
            usleep(pause)
            waited += pause
            pause = min(pause * 2, 50_000)
        }
        return true
    }

    private static func names(_ path: String, _ descriptor: Int32) -> Bool {
        var byPath = stat()
        var open = stat()
        return stat(path, &byPath) == 0 && fstat(descriptor, &open) == 0
            && byPath.st_dev == open.st_dev && byPath.st_ino == open.st_ino
    }

    /// "pid N since T" from the holder's `.lock` file, or a plain word when it is gone.
    private static func holder(info path: String) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return "another run"
        }
        let lines = text.split(separator: "\n")
        let pid = lines.first { $0.hasPrefix("pid ") }?.dropFirst(4) ?? "?"
        let since = lines.first { $0.hasPrefix("since ") }?.dropFirst(6) ?? "?"
        return "pid \(pid) since \(since)"
    }

    /// The pid and start time of the run holding `journal`'s lock now; nil when none does.
    static func holder(journal: String) -> String? {
        let descriptor = open(journal, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return holder(info: journal + ".lock").replacingOccurrences(of: " since ", with: ", since ")
    }
}
