#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads JSON Lines: one JSON object per line, split on LF (a CR before it is whitespace).
/// Blank lines are skipped and counted; a line that is not one JSON object is handed on
/// with `RecordProblem.notAnObject` and the parser's reason, and reading goes on. An escaped
/// surrogate without its pair (`"\ud800"`) stands for no character: its line is not
/// read as text with U+FFFD in its place, but handed on with the parser's reason too.
public final class JSONLinesReader {
    /// The limit on one line's size; a longer line is reported, not kept.
    public static let maxLineBytes = 4 << 20

    private let input: TextInput
    /// Lines skipped because they were empty or only whitespace.
    public private(set) var blankRecordsSkipped = 0

    public init(input: TextInput) {
        self.input = input
    }

    /// One line of the file, parsed.
    public struct Record {
        /// The line number (1-based).
        public let line: Int
        /// The object's members, or why the line is not a usable object.
        public let members: Result<[JSONMember], RecordProblemError>
    }

    /// Calls `body` with every non-blank line, in order.
    public func forEachRecord(_ body: (Record) throws -> Void) throws {
        try forEachLine { line, text in try body(Self.record(text, line: line)) }
    }

    /// Calls `body` with every non-blank line's number and bytes (without its LF), in
    /// order; the bytes are nil for a line longer than `maxLineBytes`, and valid only
    /// during the call.
    public func forEachLine(_ body: (Int, UnsafeRawBufferPointer?) throws -> Void) throws {
        var carry: [UInt8] = []
        var carryTooLong = false
        var line = input.linesSkipped
        try input.forEachChunk { chunk in
            var start = 0
            while start < chunk.count {
                let rest = UnsafeRawBufferPointer(rebasing: chunk[start...])
                guard let found = memchr(rest.baseAddress!, 0x0A, rest.count) else {
                    if carry.count + rest.count > Self.maxLineBytes {
                        carryTooLong = true
                        carry.removeAll()
                    } else if !carryTooLong {
                        carry.append(contentsOf: rest)
                    }
                    return
                }
                let length = UnsafeRawPointer(found) - rest.baseAddress!
                line += 1
                let piece = UnsafeRawBufferPointer(rebasing: rest[0..<length])
                if carryTooLong || carry.count + length > Self.maxLineBytes {
                    try body(line, nil)
                } else if carry.isEmpty {
                    try handle(piece, line: line, body)
                } else {
                    carry.append(contentsOf: piece)
                    try carry.withUnsafeBytes { try handle($0, line: line, body) }
                }
                carry.removeAll(keepingCapacity: true)
                carryTooLong = false
                start += length + 1
            }
        }
        if carryTooLong {
            try body(line + 1, nil)
        } else if !carry.isEmpty {
            try carry.withUnsafeBytes { try handle($0, line: line + 1, body) }
        }
    }

    private func handle(
        _ bytes: UnsafeRawBufferPointer, line: Int,
        _ body: (Int, UnsafeRawBufferPointer?) throws -> Void
    ) throws {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            blankRecordsSkipped += 1
            return
        }
        try body(line, bytes)
    }

    /// Line `line` parsed: its members, or why it is not a usable object (nil bytes: too
    /// long).
    public static func record(_ bytes: UnsafeRawBufferPointer?, line: Int) -> Record {
        guard let bytes else {
            return Record(line: line, members: .failure(RecordProblemError(.lineTooLong)))
        }
        let members: Result<[JSONMember], RecordProblemError>
        do {
            switch try JSONParser.parse(bytes, loneSurrogates: .refused) {
            case .object(let found): members = .success(found)
            case let other:
                members = .failure(
                    RecordProblemError(
                        .notAnObject("expected a JSON object, found \(other.kindDescription)")))
            }
        } catch {
            members = .failure(
                RecordProblemError(
                    TextBytes.isValidUTF8(bytes) ? .notAnObject(error.description) : .invalidText))
        }
        return Record(line: line, members: members)
    }
}

/// A `RecordProblem` carried as an error (for `Result`).
public struct RecordProblemError: Error, Equatable {
    public let problem: RecordProblem
    public init(_ problem: RecordProblem) { self.problem = problem }
}
