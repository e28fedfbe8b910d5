#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads a journal back, record by record, checking each line's checksum. A damaged
/// *last* record is a torn write (the process died mid-append): it is cut off, the file
/// truncated to the last whole record, and reading goes on. Damage anywhere else is
/// corruption: reading stops with an error naming the line. A file whose first line is not
/// a journal's header is not a journal: it is refused and never changed.
public enum JournalScanner {
    /// Calls `body` with every whole record (its offset and the record) in order.
    /// Returns how many bytes of torn tail were found (0 when none); with `repairs`, the
    /// file is cut before them, else it is left as it is (the journal is only read).
    @discardableResult
    public static func scan(
        path: String, repairs: Bool = true, _ body: (Int64, JournalEntry) throws -> Void
    ) throws -> Int {
        let descriptor = open(path, (repairs ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw BatchInviteError.io(
                "cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var buffer = LineBuffer()
        defer { buffer.free() }
        var offset: Int64 = 0  // of the buffer's first byte
        var lineNumber = 0
        var damaged: (line: Int, offset: Int64)?
        while true {
            let count = try buffer.fill(from: descriptor, path: path)
            var start = 0
            let bytes = buffer.bytes
            while start < bytes.count,
                let found = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start)
            {
                let newline = bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
                lineNumber += 1
                if let earlier = damaged {
                    // A bad record followed by more lines: not a torn tail.
                    if earlier.line == 1 { throw notAJournal(path) }
                    throw BatchInviteError.input(
                        "the journal \(path) is damaged at line \(earlier.line) (byte \(earlier.offset))"
                    )
                }
                if let entry = JournalEntry(
                    line: UnsafeRawBufferPointer(rebasing: bytes[start..<newline])),
                    lineNumber > 1 || entry.kind == .header
                {
                    try body(offset + Int64(start), entry)
                } else {
                    damaged = (lineNumber, offset + Int64(start))
                }
                start = newline + 1
            }
            offset += Int64(start)
            buffer.drop(start)
            if count == 0 { break }
        }
        // What is left is a torn tail: a bad last line, or bytes without their newline.
        let tornAt = damaged?.offset ?? (buffer.bytes.isEmpty ? nil : offset)
        guard let tornAt else { return 0 }
        // Nothing whole before it, not even a header: not a journal (left as it is).
        guard tornAt > 0 else { throw notAJournal(path) }
        var info = stat()
        fstat(descriptor, &info)
        let cut = Int(Int64(info.st_size) - tornAt)
        guard repairs else { return cut }
        guard ftruncate(descriptor, off_t(tornAt)) == 0, fsync(descriptor) == 0 else {
            throw BatchInviteError.io(
                "cannot repair the journal \(path): \(String(cString: strerror(errno)))")
        }
        return cut
    }

    /// Throws unless the file at `path` starts with a journal's header record.
    public static func checkIsJournal(_ path: String) throws {
        _ = try header(of: path)
    }

    /// The header record of the journal at `path`; throws unless the file starts with one.
    public static func header(of path: String) throws -> JSONValue? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw BatchInviteError.io(
                "cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var buffer = LineBuffer()
        defer { buffer.free() }
        while true {
            let bytes = buffer.bytes
            if let base = bytes.baseAddress, let found = memchr(base, 0x0A, bytes.count) {
                let line = UnsafeRawBufferPointer(
                    rebasing: bytes[0..<base.distance(to: UnsafeRawPointer(found))])
                guard let entry = JournalEntry(line: line), entry.kind == .header else {
                    throw notAJournal(path)
                }
                return entry.json()
            }
            guard try buffer.fill(from: descriptor, path: path) > 0, bytes.count < 16 << 20 else {
                throw notAJournal(path)
            }
        }
    }

    /// The error for a file that is not a journal of this tool.
    static func notAJournal(_ path: String) -> BatchInviteError {
        .input(
            "\(path) is not a batch-invite journal (its first line is not a journal header); "
                + "it was left as it is: name another file with --journal")
    }
}
