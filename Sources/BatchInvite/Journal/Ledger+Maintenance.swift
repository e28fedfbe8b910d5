import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `batch-invite ledger show|forget|compact`: looking into a ledger, letting one person be
/// invited again, and rewriting it without superseded records. Each takes the ledger's
/// lock (a run holding it makes them wait for nothing: exit 5).
extension Ledger {
    /// One key's latest state.
    public struct Line: Sendable, Equatable {
        public var target: String
        public var key: String
        public var state: State
        public var at: Int64
    }

    /// The latest state of every key still remembered (forgotten and settled ones left
    /// out), in the order the keys first appeared.
    public static func latest(path: String) throws -> [Line] {
        let descriptor = try openLocked(path, flags: O_RDONLY)
        defer { close(descriptor) }
        return try latest(path: path, lockedBy: descriptor)
    }

    /// Appends a record that `key` of `target` is forgotten: the next run sends to it as to
    /// anyone new. Returns whether the ledger remembered it.
    public static func forget(path: String, target: String, key: String) throws -> Bool {
        let ledger = try Ledger(path: path, target: target)
        let known = ledger.entry(for: key) != nil
        var bytes: [UInt8] = []
        ledger.appendRecord(
            key: key, state: .forgotten, at: Clock.wallMilliseconds() / 1000, to: &bytes)
        if let error = ledger.write(bytes, syncs: true) { throw error }
        return known
    }

    /// Rewrites the ledger with one record per key still remembered: under a temporary
    /// name, synced, then renamed over it. Returns (records before, records after).
    public static func compact(path: String) throws -> (before: Int, after: Int) {
        let descriptor = try openLocked(path, flags: O_RDWR)
        defer { close(descriptor) }
        var before = 0
        try scan(path: path, descriptor: descriptor, repairs: true) { _ in before += 1 }
        let lines = try latest(path: path, lockedBy: descriptor)
        var bytes: [UInt8] = []
        JournalFormat.appendFrame(headerObject[...], to: &bytes)
        for line in lines {
            appendRecord(
                target: line.target, key: line.key, state: line.state, at: line.at, to: &bytes)
        }
        let temporary = path + ".compact-\(getpid())"
        let output = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else {
            throw BatchInviteError.io(
                "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        let written =
            bytes.withUnsafeBytes { FileDescriptors.writeAll(output, $0) } && fsync(output) == 0
        close(output)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw BatchInviteError.io("cannot rewrite the ledger \(path)")
        }
        return (before, lines.count)
    }

    private static func latest(path: String, lockedBy descriptor: Int32) throws -> [Line] {
        var order: [String] = []
        var latest: [String: Line] = [:]
        try scan(path: path, descriptor: descriptor, repairs: false) { record in
            let target = String(
                decoding: record.target.dropFirst(6).prefix { $0 != 0x22 }, as: UTF8.self)
            let key = record.keyText
            let id = target + "\u{0}" + key
            if latest[id] == nil { order.append(id) }
            latest[id] = Line(target: target, key: key, state: record.state, at: record.at)
        }
        return order.compactMap { latest[$0] }.filter {
            $0.state == .invited || $0.state == .inDoubt
        }
    }

    /// Opens an existing ledger and takes its lock (exit 5 when a run holds it).
    private static func openLocked(_ path: String, flags: Int32) throws -> Int32 {
        let descriptor = open(path, flags | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw BatchInviteError.input(
                "cannot open the ledger \(path): \(String(cString: strerror(errno)))")
        }
        guard JournalLock.take(descriptor, flags == O_RDONLY ? LOCK_SH : LOCK_EX) else {
            close(descriptor)
            throw BatchInviteError.inUse("the ledger \(path) is in use by a run")
        }
        return descriptor
    }
}
