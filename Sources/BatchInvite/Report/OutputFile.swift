#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A file written through a buffer, created with mode 0600 (reports name real people),
/// under a temporary name that becomes the real one only on `commit()`: a reader never
/// sees half a file, and an interrupted write leaves the previous file in place.
/// Writing to `-` goes to standard output directly.
public final class OutputFile {
    public let path: String
    private let temporaryPath: String?
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private static let flushSize = 64 * 1024

    public init(path: String) throws {
        self.path = path
        if path == "-" {
            temporaryPath = nil
            descriptor = 1
        } else {
            let temporary = path + ".tmp-\(getpid())"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw BatchInviteError.io(
                    "cannot create \(path): \(String(cString: strerror(errno)))")
            }
            temporaryPath = temporary
            descriptor = fd
        }
        buffer.reserveCapacity(Self.flushSize + 4096)
    }

    deinit {
        if let temporaryPath {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Appends bytes to the buffer, writing it out when it is full.
    @inline(__always)
    public func append(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushSize { try flush() }
    }

    /// Writes out what is buffered.
    public func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes {
                write(descriptor, $0.baseAddress! + offset, $0.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw BatchInviteError.io(
                    "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and puts the file in place under its real name.
    public func commit() throws {
        try flush()
        guard let temporaryPath else { return }
        if fsync(descriptor) != 0 || rename(temporaryPath, path) != 0 {
            throw BatchInviteError.io("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
