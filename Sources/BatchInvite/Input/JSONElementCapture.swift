/// The element of a JSON document's array being captured, chunk by chunk: where it began
/// in the current chunk, the line it began on, and what earlier chunks held of it (up to
/// `JSONDocumentReader.maxElementBytes`).
struct JSONElementCapture {
    /// Whether an element is being captured.
    private(set) var isActive = false
    /// Where the element begins in the current chunk (0 when it began in an earlier one).
    private var from = 0
    private var line = 0
    private var carry: [UInt8] = []
    private var tooLong = false

    /// An element begins at `index` of the current chunk, on `line`.
    mutating func begin(at index: Int, line: Int) {
        isActive = true
        from = index
        self.line = line
        carry.removeAll(keepingCapacity: true)
        tooLong = false
    }

    /// A new chunk begins: the element goes on from its start.
    mutating func chunkBegins() {
        from = 0
    }

    /// The chunk `bytes` ended with the element still open: its part of it is kept.
    mutating func chunkEnded(_ bytes: UnsafeRawBufferPointer) {
        let piece = UnsafeRawBufferPointer(rebasing: bytes[from..<bytes.count])
        guard !tooLong else { return }
        if carry.count + piece.count > JSONDocumentReader.maxElementBytes {
            tooLong = true
            carry.removeAll()
        } else {
            carry.append(contentsOf: piece)
        }
    }

    /// The element ends at `end` (exclusive) of `bytes`: hands it on with its line (its
    /// bytes nil when it is over the limit).
    mutating func end(
        _ bytes: UnsafeRawBufferPointer, at end: Int,
        _ emit: (Int, UnsafeRawBufferPointer?) throws -> Void
    ) throws {
        isActive = false
        let piece = UnsafeRawBufferPointer(rebasing: bytes[from..<end])
        if tooLong || carry.count + piece.count > JSONDocumentReader.maxElementBytes {
            try emit(line, nil)
        } else if carry.isEmpty {
            try emit(line, piece)
        } else {
            carry.append(contentsOf: piece)
            try carry.withUnsafeBytes { try emit(line, $0) }
        }
        carry.removeAll(keepingCapacity: true)
        tooLong = false
    }
}
