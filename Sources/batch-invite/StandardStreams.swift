import BatchInvite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Buffered standard output that ends the process quietly when the reader goes away
/// (`batch-invite inspect big.csv | head`). Any other failure to write (`> /dev/full`) is
/// kept in `failure`, later writes are dropped, and the command ends with exit 6.
final class StandardOutput {
    nonisolated(unsafe) static let shared = StandardOutput()  // used from the main thread only
    private var buffer: [UInt8] = []
    /// Why standard output could not be written, once it could not.
    private(set) var failure: String?

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 64 * 1024 { flush() }
    }

    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 64 * 1024 { flush() }
    }

    func flush() {
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == nil else { return }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes {
                Glibc.write(1, $0.baseAddress! + offset, $0.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { exit(0) }
                failure = "cannot write to standard output: \(String(cString: strerror(errno)))"
                return
            }
            offset += written
        }
    }
}

/// Writes one line to standard error at once, each bidirectional control in it written
/// `\u202E`: whatever a line quotes (a file's text, an API's or a token command's words),
/// it shows in the order it was written.
func printError(_ line: String) {
    // Above a run's live progress line, if one is drawn: never glued to its end.
    ProgressDisplay.writeAbove(TextBytes.escapingBidiControls(line) + "\n")
}
