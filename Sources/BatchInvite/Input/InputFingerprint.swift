#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An input file's size and a 64-bit hash of its bytes.
public struct InputFingerprint: Sendable, Equatable {
    public var size: Int64
    public var hash: UInt64

    public init(size: Int64, hash: UInt64) {
        self.size = size
        self.hash = hash
    }

    public var hashText: String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Reads `path` through once; nil for standard input or what is not a regular file.
    public static func of(path: String) throws -> InputFingerprint? {
        guard path != "-" else { return nil }
        // Opened without waiting: a named pipe without a writer is not a file to hash.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            throw BatchInviteError.input("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        var hash: UInt64 = 0x6261_7463_682d_696e
        var size: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            size += Int64(count)
            hash = chunk.withUnsafeBytes {
                KeyDigest.digest(UnsafeRawBufferPointer(rebasing: $0[0..<count]), seed: hash)
            }
        }
        return InputFingerprint(size: size, hash: hash)
    }
}
