import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The journal's file, open for appending (mode 0600): whole records written at its end,
/// a torn one cut off, syncs, and its content written back when its path was lost.
///
/// Writes are ordered by `appending`: `append` takes it, `appendLocked` expects it held.
/// Safe for concurrent use.
final class JournalFile: @unchecked Sendable {
    // Safe to share: `size` and `writeFailure` are only touched with `appending` held (and
    // by `init`); the rest is fixed.
    let path: String
    private let descriptor: Int32
    /// Orders the writes; guards `size` and `writeFailure`.
    let appending = NSLock()
    /// The file's size as written so far.
    private var size: Int64
    /// The first write that failed (read with `appending` held).
    private(set) var writeFailure: BatchInviteError?
    /// Syncs can be switched off for benchmarks that measure their cost (never otherwise).
    let syncs: Bool

    /// Opens (or creates) the journal at `path` for appending.
    init(path: String, syncs: Bool) throws {
        self.path = path
        self.syncs = syncs
        descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BatchInviteError.io(
                "cannot create the journal \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        fstat(descriptor, &info)
        size = Int64(info.st_size)
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// Whether nothing is written in the file yet.
    var isEmpty: Bool {
        appending.lock()
        defer { appending.unlock() }
        return size == 0
    }

    /// Writes `bytes` (whole records) at the end of the journal. A write that fails part
    /// way (a full disk) keeps the records written whole and cuts off the torn one, so that
    /// no torn record sits before later ones; after a failed write nothing more is written
    /// (a record after a cut that did not take would make the journal unreadable). Returns
    /// where the bytes start in the file and how many of them were kept.
    func append(_ bytes: [UInt8]) -> (start: Int64, kept: Int, error: BatchInviteError?) {
        appending.lock()
        defer { appending.unlock() }
        return appendLocked(bytes)
    }

    /// `append`, with `appending` held.
    func appendLocked(_ bytes: [UInt8]) -> (start: Int64, kept: Int, error: BatchInviteError?) {
        let start = size
        if let writeFailure { return (start, 0, writeFailure) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let error = BatchInviteError.io(
                    "cannot write the journal \(path): \(String(cString: strerror(errno)))")
                var kept = offset
                while kept > 0 && bytes[kept - 1] != UInt8(ascii: "\n") { kept -= 1 }
                if kept < offset { _ = ftruncate(descriptor, off_t(start) + off_t(kept)) }
                if writeFailure == nil { writeFailure = error }
                size += Int64(kept)
                return (start, kept, error)
            }
            offset += written
        }
        size += Int64(bytes.count)
        return (start, bytes.count, nil)
    }

    /// Syncs the journal (unless syncs are switched off for a benchmark).
    func sync() -> BatchInviteError? {
        guard syncs, fsync(descriptor) != 0 else { return nil }
        return .io("cannot sync the journal \(path): \(String(cString: strerror(errno)))")
    }

    /// Writes the journal's content, read through the open file, back to its path, or
    /// beside it (`<journal>.recovered`) when another file took the path; returns where,
    /// nil when it could not be written.
    func restore() -> String? {
        let target = FileManager.default.fileExists(atPath: path) ? path + ".recovered" : path
        let temporary = target + ".tmp-\(getpid())"
        let output = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        var complete = true
        while complete {
            let count = buffer.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress, $0.count, off_t(offset))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                complete = count == 0
                break
            }
            complete = buffer.withUnsafeBytes {
                FileDescriptors.writeAll(output, UnsafeRawBufferPointer(rebasing: $0[0..<count]))
            }
            offset += Int64(count)
        }
        complete = complete && fsync(output) == 0
        Glibc.close(output)
        guard complete, rename(temporary, target) == 0 else {
            unlink(temporary)
            return nil
        }
        return target
    }
}
