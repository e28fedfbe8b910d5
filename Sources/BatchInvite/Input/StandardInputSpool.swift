#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An input that can be read only once (standard input, a named pipe, a device) copied to
/// a private file (mode 0600) before a run reads it, so that it is read like a file:
/// through once before anything is sent (broken quoting far down stops it with nothing
/// sent), and fingerprinted, so that a resumed run can tell whether it was given the same
/// input. Removed when the run ends.
///
/// A stream is held to what a file is held to: a stretch of `longestLine` bytes without a
/// line break (a stream of NUL bytes, `/dev/zero`) is not text that could hold a header or
/// a record, and stops the copy with `BatchInviteError.input` (exit 2) before it fills the
/// disk.
public final class StandardInputSpool {
    /// Where the copy is.
    public let path: String

    /// Bytes a stream may run without a line break (CR or LF) before its copy stops: as
    /// for reading it directly.
    public static let longestLine = TextInput.longestLine

    /// Whether `path` must be copied before a run reads it: standard input, and whatever
    /// is not a regular file.
    public static func isNeeded(for path: String) -> Bool {
        guard path != "-" else { return true }
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFREG
    }

    /// Where the copy of a run's input goes for the journal at `beside` (this process's).
    public static func path(beside: String) -> String {
        TemporaryFiles.name(for: beside + ".stdin")
    }

    /// Copies all of `source` (`-`: standard input) to `<beside>.stdin.tmp-<pid>` (stale
    /// copies of killed runs removed first).
    public init(from source: String = "-", beside: String) throws {
        let base = beside + ".stdin"
        TemporaryFiles.removeStale(of: base)
        path = TemporaryFiles.name(for: base)
        let name = source == "-" ? "standard input" : source
        let input: Int32
        if source == "-" {
            input = 0
        } else {
            input = open(source, O_RDONLY | O_CLOEXEC | O_NOCTTY)
            guard input >= 0 else {
                throw BatchInviteError.input(
                    "cannot open \(source): \(String(cString: strerror(errno)))")
            }
        }
        defer { if input != 0 { close(input) } }
        unlink(path)
        let output = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard output >= 0 else {
            throw BatchInviteError.io(
                "cannot keep \(name) in \(path): \(String(cString: strerror(errno)))")
        }
        TemporaryFiles.register(path)
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var sinceLineBreak = 0
        var total = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw BatchInviteError.io(
                    "cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            sinceLineBreak =
                buffer.withUnsafeBytes {
                    LineBreaks.bytesAfterLast(in: UnsafeRawBufferPointer(rebasing: $0[0..<count]))
                } ?? sinceLineBreak + count
            total += count
            if sinceLineBreak > Self.longestLine {
                throw BatchInviteError.input(
                    "\(name) ran \(Self.longestLine >> 20) MiB without a line break (after "
                        + "\(total - sinceLineBreak) bytes): that is not CSV or JSON Lines text; "
                        + "nothing was sent")
            }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes {
                    write(output, $0.baseAddress! + offset, count - offset)
                }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    throw BatchInviteError.io(
                        "cannot keep \(name) in \(path): \(String(cString: strerror(errno)))")
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
