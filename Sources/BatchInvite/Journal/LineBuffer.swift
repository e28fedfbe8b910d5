#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Bytes read from a journal and not yet consumed, in a buffer that doubles when a line
/// does not fit. One holder (`JournalScanner`, `JournalReader`), which calls `free()`.
struct LineBuffer {
    private var storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
    private var count = 0

    /// The bytes waiting.
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0..<count])
    }

    /// Reads more from `descriptor` after the waiting bytes (from its file offset, or with
    /// `position`, from that offset plus what is waiting); returns how many (0 at the end).
    mutating func fill(from descriptor: Int32, at position: Int64? = nil, path: String) throws
        -> Int
    {
        if count == storage.count {
            let larger = UnsafeMutableRawBufferPointer.allocate(
                byteCount: storage.count * 2, alignment: 8)
            larger.copyMemory(from: UnsafeRawBufferPointer(storage))
            storage.deallocate()
            storage = larger
        }
        while true {
            let target = storage.baseAddress! + count
            let room = storage.count - count
            let read =
                position.map { pread(descriptor, target, room, off_t($0) + off_t(count)) }
                ?? Glibc.read(descriptor, target, room)
            if read < 0 && errno == EINTR { continue }
            guard read >= 0 else {
                throw BatchInviteError.io(
                    "cannot read the journal \(path): \(String(cString: strerror(errno)))")
            }
            count += read
            return read
        }
    }

    /// Forgets the first `n` bytes.
    mutating func drop(_ n: Int) {
        guard n > 0 else { return }
        if n < count {
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + n, byteCount: count - n)
        }
        count -= n
    }

    func free() {
        storage.deallocate()
    }
}
