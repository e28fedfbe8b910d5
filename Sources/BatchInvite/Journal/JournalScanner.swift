#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads a journal back, record by record, checking each line's checksum. A damaged
/// *last* record is a torn write (the process died mid-append): it is cut off, the file
/// truncated to the last whole record, and reading goes on. Damage anywhere else is
/// corruption: reading stops with an error naming the line.
public enum JournalScanner {
    /// Calls `body` with every whole record (its offset and its JSON object) in order.
    /// Returns how many bytes of torn tail were cut off (0 when none).
    @discardableResult
    public static func scan(path: String, _ body: (Int64, JSONValue) throws -> Void) throws -> Int {
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw BatchInviteError.io(
                "cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var pending: [UInt8] = []
        var offset: Int64 = 0  // of pending's first byte
        var lineNumber = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var atEnd = false
        var damaged: (line: Int, offset: Int64)?
        while !atEnd {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 {
                throw BatchInviteError.io(
                    "cannot read the journal \(path): \(String(cString: strerror(errno)))")
            }
            atEnd = count == 0
            pending.append(contentsOf: chunk[0..<max(count, 0)])
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                lineNumber += 1
                let line = pending[start..<newline]
                if let earlier = damaged {
                    // A bad record followed by more lines: not a torn tail.
                    throw BatchInviteError.input(
                        "the journal \(path) is damaged at line \(earlier.line) (byte \(earlier.offset))"
                    )
                }
                if let object = JournalFormat.unframe(line),
                    let json = try? object.withUnsafeBytes({ try JSONParser.parse($0) })
                {
                    try body(offset + Int64(start), json)
                } else {
                    damaged = (lineNumber, offset + Int64(start))
                }
                start = newline + 1
            }
            offset += Int64(start)
            pending.removeFirst(start)
        }
        // What is left is a torn tail: a bad last line, or bytes without their newline.
        let tornAt = damaged?.offset ?? (pending.isEmpty ? nil : offset)
        guard let tornAt else { return 0 }
        var info = stat()
        fstat(descriptor, &info)
        let cut = Int(Int64(info.st_size) - tornAt)
        guard ftruncate(descriptor, off_t(tornAt)) == 0, fsync(descriptor) == 0 else {
            throw BatchInviteError.io(
                "cannot repair the journal \(path): \(String(cString: strerror(errno)))")
        }
        return cut
    }
}
