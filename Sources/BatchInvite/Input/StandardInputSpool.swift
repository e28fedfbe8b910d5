#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Standard input copied to a private file (mode 0600) before a run reads it, so that a
/// run from `-` is read like a file: through once before anything is sent (broken quoting
/// far down stops it with nothing sent), and fingerprinted, so that a resumed run can tell
/// whether it was given the same input. Removed when the run ends.
public final class StandardInputSpool {
    /// Where the copy is.
    public let path: String

    /// Copies all of standard input to `<beside>.stdin.tmp-<pid>` (stale copies of killed
    /// runs removed first).
    public init(beside: String) throws {
        let base = beside + ".stdin"
        TemporaryFiles.removeStale(of: base)
        path = TemporaryFiles.name(for: base)
        let output = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else {
            throw BatchInviteError.io(
                "cannot keep standard input in \(path): \(String(cString: strerror(errno)))")
        }
        TemporaryFiles.register(path)
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw BatchInviteError.io(
                    "cannot read standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes {
                    write(output, $0.baseAddress! + offset, count - offset)
                }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    throw BatchInviteError.io(
                        "cannot keep standard input in \(path): \(String(cString: strerror(errno)))"
                    )
                }
                offset += written
            }
        }
    }

    deinit {
        unlink(path)
        TemporaryFiles.forget(path)
    }
}
