#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads outcome records back by offset, for the report. A window of the file is kept in
/// memory, so records read in about the order they were written (the report's order, give
/// or take the dispatcher's overlap) cost no system call each. Their checksums are not checked
/// again: the offsets come from a scan that checked them, or from this process's appends.
/// Not safe for concurrent use.
public final class JournalReader {
    private let descriptor: Int32
    private let path: String
    private var window = LineBuffer()
    /// The file offset of `window`'s first byte.
    private var windowStart: Int64 = 0
    private static let lookBehind: Int64 = 64 * 1024
    /// Where escaped text is decoded (see `JournalEntry.withReportColumns`).
    private var scratch: [UInt8] = []

    /// Opens the journal at `path` for reading.
    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            // Every property is set: `deinit` runs, and frees the window.
            throw BatchInviteError.io(
                "cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        window.free()
        if descriptor >= 0 { close(descriptor) }
    }

    /// The report line of the outcome (or dispatch) record written at `offset`.
    public func record(at offset: Int64) throws -> OutcomeRecord {
        guard
            let record = try line(at: offset).flatMap({
                JournalEntry(line: $0, verifying: false)?.reportRecord()
            })
        else {
            throw BatchInviteError.io("the journal \(path) is damaged at byte \(offset)")
        }
        return record
    }

    /// The whole record written at `offset`, as a JSON value.
    public func object(at offset: Int64) throws -> JSONValue {
        guard let object = try line(at: offset).flatMap({ JournalEntry(line: $0)?.json() })
        else {
            throw BatchInviteError.io("the journal \(path) is damaged at byte \(offset)")
        }
        return object
    }

    /// Calls `body` with the report columns of the outcome record written at `offset`.
    public func withReportColumns(
        at offset: Int64, _ body: (OutcomeColumns) throws -> Void
    ) throws {
        guard let line = try line(at: offset),
            try JournalEntry.withReportColumns(line: line, scratch: &scratch, body) != nil
        else {
            throw BatchInviteError.io("the journal \(path) is damaged at byte \(offset)")
        }
    }

    /// Hands `sink` the outcomes written at `offsets`, in that order (the report's lines).
    public func writeOutcomes(at offsets: [Int64], to sink: any OutcomeSink) throws {
        for offset in offsets { try writeOutcome(at: offset, to: sink) }
    }

    /// Hands `sink` the outcome written at `offset` (its report line).
    public func writeOutcome(at offset: Int64, to sink: any OutcomeSink) throws {
        try withReportColumns(at: offset) { try sink.write($0) }
    }

    /// The line starting at `offset`, without its newline; nil when there is none whole.
    private func line(at offset: Int64) throws -> UnsafeRawBufferPointer? {
        if let line = lineInWindow(at: offset) { return line }
        // The window starts a little before: rows finished out of order by concurrent
        // outcomes step back a few records at a time, and must not each cost a read.
        window.drop(window.bytes.count)
        windowStart = max(0, offset - Self.lookBehind)
        while try window.fill(from: descriptor, at: windowStart, path: path) > 0 {
            if let line = lineInWindow(at: offset) { return line }
        }
        return nil
    }

    private func lineInWindow(at offset: Int64) -> UnsafeRawBufferPointer? {
        let bytes = window.bytes
        guard offset >= windowStart, offset < windowStart + Int64(bytes.count) else { return nil }
        let start = Int(offset - windowStart)
        guard let newline = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start) else {
            return nil
        }
        let end = bytes.baseAddress!.distance(to: UnsafeRawPointer(newline))
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }
}
