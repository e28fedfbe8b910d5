#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads outcome records back by offset, for the report. A window of the file is kept in
/// memory, so records read in about the order they were written (the report's order, give
/// or take the workers' overlap) cost no system call each. Their checksums are not checked
/// again: the offsets come from a scan that checked them, or from this process's appends.
/// Not safe for concurrent use.
public final class JournalReader {
    private let descriptor: Int32
    private let path: String
    private var window = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
    private var windowStart: Int64 = 0
    private var windowCount = 0
    private static let lookBehind: Int64 = 64 * 1024
    /// Where escaped text is decoded (see `JournalEntry.withReportColumns`).
    private var scratch: [UInt8] = []

    /// Opens the journal at `path` for reading.
    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            window.deallocate()
            throw BatchInviteError.io(
                "cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        window.deallocate()
        close(descriptor)
    }

    /// The report line of the outcome (or dispatch) record written at `offset`.
    public func record(at offset: Int64) throws -> ReportRecord {
        guard
            let record = try line(at: offset).flatMap({
                JournalEntry(line: $0, verifying: false)?.reportRecord()
            })
        else {
            throw BatchInviteError.io("the journal \(path) is damaged at byte \(offset)")
        }
        return record
    }

    /// Calls `body` with the report columns of the outcome record written at `offset`.
    public func withReportColumns(
        at offset: Int64, _ body: (JournalEntry.ReportColumns) throws -> Void
    ) throws {
        guard let line = try line(at: offset),
            let entry = JournalEntry(line: line, verifying: false),
            try entry.withReportColumns(scratch: &scratch, body) != nil
        else {
            throw BatchInviteError.io("the journal \(path) is damaged at byte \(offset)")
        }
    }

    /// The line starting at `offset`, without its newline; nil when there is none whole.
    private func line(at offset: Int64) throws -> UnsafeRawBufferPointer? {
        if let line = lineInWindow(at: offset) { return line }
        // The window starts a little before: rows finished out of order by concurrent
        // workers step back a few records at a time, and must not each cost a read.
        windowStart = max(0, offset - Self.lookBehind)
        windowCount = 0
        while true {
            let read = pread(
                descriptor, window.baseAddress! + windowCount, window.count - windowCount,
                off_t(windowStart) + off_t(windowCount))
            if read < 0 && errno == EINTR { continue }
            guard read >= 0 else {
                throw BatchInviteError.io(
                    "cannot read the journal \(path): \(String(cString: strerror(errno)))")
            }
            windowCount += read
            if let line = lineInWindow(at: offset) { return line }
            if read == 0 { return nil }
            if windowCount == window.count {
                // A line longer than the window: make room and read on.
                let larger = UnsafeMutableRawBufferPointer.allocate(
                    byteCount: window.count * 2, alignment: 8)
                larger.copyMemory(from: UnsafeRawBufferPointer(window))
                window.deallocate()
                window = larger
            }
        }
    }

    private func lineInWindow(at offset: Int64) -> UnsafeRawBufferPointer? {
        guard offset >= windowStart, offset < windowStart + Int64(windowCount) else { return nil }
        let start = Int(offset - windowStart)
        guard
            let newline = memchr(window.baseAddress! + start, 0x0A, windowCount - start)
        else { return nil }
        let end = UnsafeRawPointer(window.baseAddress!).distance(to: UnsafeRawPointer(newline))
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(window)[start..<end])
    }
}
