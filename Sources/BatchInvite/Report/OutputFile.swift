private import CLibCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A file written through a buffer, created with mode 0600 (reports name real people),
/// under a temporary name that becomes the real one only on `commit()`: a reader never
/// sees half a file, and an interrupted write leaves the previous file in place.
///
/// What is at the path decides how it is written (`OutputTarget`): `-` is standard output;
/// an existing character device or FIFO (`/dev/null`, a named pipe), or a path to a
/// process's open file (`/dev/stdout`, `/dev/fd/N`), is written as a stream: opened as it
/// is, never truncated, renamed over or removed. A symbolic link to a regular file is
/// replaced, never written through. Anything else that is not a regular file is refused.
/// A failure to write is `BatchInviteError.output` (exit 6).
public final class OutputFile {
    public let path: String
    private let temporaryPath: String?
    /// Where the temporary file is renamed to.
    private let finalPath: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// The buffer: `capacity` bytes, of which the first `count` wait to be written.
    private var storage: UnsafeMutableRawPointer
    private var capacity = 256 * 1024
    private var count = 0

    public init(path: String) throws {
        self.path = path
        switch try OutputTarget(path) {
        case .standardOutput:
            temporaryPath = nil
            finalPath = path
            descriptor = 1
            ownsDescriptor = false
        case .stream:
            let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY)
            guard fd >= 0 else {
                throw BatchInviteError.output(
                    "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            temporaryPath = nil
            finalPath = path
            descriptor = fd
            ownsDescriptor = true
        case .file(let real):
            TemporaryFiles.removeStale(of: real)
            let temporary = TemporaryFiles.name(for: real)
            // A file of that name (this pid's, from a process long gone) is never followed.
            unlink(temporary)
            let fd = open(
                temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw BatchInviteError.output(
                    "cannot create \(path): \(String(cString: strerror(errno)))")
            }
            TemporaryFiles.register(temporary)
            temporaryPath = temporary
            finalPath = real
            descriptor = fd
            ownsDescriptor = true
        }
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
        if ownsDescriptor { close(descriptor) }
        if let temporaryPath {
            unlink(temporaryPath)
            TemporaryFiles.forget(temporaryPath)
        }
    }

    /// Appends bytes, writing the buffer out when it is full.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        let target = try reserve(bytes.count)
        if let base = bytes.baseAddress { target.copyMemory(from: base, byteCount: bytes.count) }
        count += bytes.count
    }

    /// Appends a string's UTF-8 bytes.
    public func append(_ text: String) throws {
        var text = text
        try text.withUTF8 { try append(UnsafeRawBufferPointer($0)) }
    }

    /// Lets `body` write at most `maximum` bytes straight into the buffer; `body` returns
    /// how many it wrote.
    public func write(atMost maximum: Int, _ body: (UnsafeMutableRawPointer) -> Int) throws {
        let target = try reserve(maximum)
        count += body(target)
    }

    /// Room for `size` more bytes, after writing out or growing the buffer if need be.
    private func reserve(_ size: Int) throws -> UnsafeMutableRawPointer {
        if count + size > capacity {
            try flush()
            if size > capacity {
                storage.deallocate()
                capacity = size
                storage = .allocate(byteCount: capacity, alignment: 16)
            }
        }
        return storage + count
    }

    /// Writes out what is buffered. A reader of standard output that went away (`| head`)
    /// is `BatchInviteError.closedPipe`.
    public func flush() throws {
        var offset = 0
        while offset < count {
            let written = Glibc.write(descriptor, storage + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE && temporaryPath == nil { throw BatchInviteError.closedPipe }
                throw BatchInviteError.output(
                    "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        count = 0
    }

    /// Flushes and puts the file in place under its real name.
    /// With `durable`, the bytes are synced to disk before the rename, so a power cut
    /// afterwards cannot leave an empty file under the real name. Without, an earlier file
    /// of that name is swapped out (see `exchange`), and a power cut soon after may leave
    /// the name empty: only for files made again in less time than a sync would add (a
    /// validation's report, the HTML page). A stream is only flushed.
    public func commit(durable: Bool = true) throws {
        try flush()
        guard let temporaryPath else { return }
        if durable && fsync(descriptor) != 0 {
            throw BatchInviteError.output(
                "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        if !durable && Self.exchange(temporaryPath, with: finalPath) {
            // The earlier file now has the temporary name. Should it stay (unlink failed),
            // it stays registered: removed at exit, or by the next start as a stale one.
            if unlink(temporaryPath) == 0 { TemporaryFiles.forget(temporaryPath) }
            return
        }
        if rename(temporaryPath, finalPath) != 0 {
            throw BatchInviteError.output(
                "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        TemporaryFiles.forget(temporaryPath)
    }

    /// Writes `bytes` to `path` as one whole file (or stream), synced before it takes the
    /// name: a summary, a metrics file.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let file = try OutputFile(path: path)
        try bytes.withUnsafeBytes { try file.append($0) }
        try file.commit()
    }

    /// Swaps the new file with an earlier regular file of that name, in one step, when
    /// there is one. Replacing it by `rename` would cost more than the rest of a
    /// validation's end: ext4 (`auto_da_alloc`) then writes out every byte not yet on disk
    /// before the rename returns, 50 ms for a report of 1,000,000 rows. Not for durable
    /// files, synced before they take the name anyway. False when nothing was swapped
    /// (no earlier file, not a regular one, or a file system without the exchange).
    static func exchange(_ temporaryPath: String, with path: String) -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
            clibcurl_exchange_paths(temporaryPath, path) == 0
        else { return false }
        // What was swapped out must be the regular file seen a moment ago; anything else
        // (a directory put there in between) is swapped back, for `rename` to refuse.
        guard lstat(temporaryPath, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            _ = clibcurl_exchange_paths(temporaryPath, path)
            return false
        }
        return true
    }
}
