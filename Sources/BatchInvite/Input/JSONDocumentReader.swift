/// Reads one JSON document whose people are an array of objects, element by element: a
/// document that is the array (`[{...}, {...}]`: Auth0, Slack), or an object holding it
/// under a member (`{"users": [...]}`: Firebase; `{"realm": ..., "users": [...]}`:
/// Keycloak). Memory holds a chunk of the file and one element, whatever the array's size.
///
/// The array read is the one `arrayPath` names (`users`; `data.users`, the member `users`
/// of the member `data`); else, in a top-level object, the first member whose name is one
/// of `FormatChoice.arrayNames` and whose value is an array of objects (or an empty
/// array), said in a note; else the only member that is an array of objects, read in a
/// second pass of the file (an input that cannot be read twice stops with the
/// `--json-array` to give). Several such members, none named so, or none at all stop with
/// `BatchInviteError.input` listing them and the `--json-array` to give.
///
/// The document around the elements is checked as JSON: an error there stops reading with
/// the line and column. Inside an element only strings and brackets are followed: each
/// element is handed on as its bytes, with the line it starts on, for the caller to parse,
/// so an element that is not a valid object is that row's problem and reading goes on.
public final class JSONDocumentReader {
    /// The limit on one element's size; a larger one is reported, not kept.
    public static let maxElementBytes = JSONLinesReader.maxLineBytes

    private let input: TextInput
    private let givenPath: [String]?
    private let reopen: (() throws -> TextInput)?
    /// Told which member is read when the reader chose it.
    public var onNote: (String) -> Void = { _ in }
    /// The members that lead to the array read (empty: the document is the array), once
    /// reading found it.
    public private(set) var arrayPath: [String]?

    /// Reads `input`; `arrayPath` (dotted) names the array, nil finds it. `reopen` opens
    /// the input again for a second pass, nil when it cannot be read twice.
    public init(input: TextInput, arrayPath: String?, reopen: (() throws -> TextInput)?) {
        self.input = input
        givenPath = arrayPath.map {
            $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        }
        self.reopen = reopen
    }

    /// Calls `body` with each element of the array: the line it starts on and its bytes
    /// (nil for an element over `maxElementBytes`), valid only during the call.
    public func forEachElement(_ body: (Int, UnsafeRawBufferPointer?) throws -> Void) throws {
        let name = input.displayName
        var walker = Walker(name: name, path: givenPath, line: input.linesSkipped + 1)
        walker.onNote = onNote
        try input.forEachChunk { try walker.feed($0, body) }
        try walker.finish()
        if let chosen = walker.chosen {
            arrayPath = chosen
            return
        }
        if let givenPath {
            throw BatchInviteError.input(
                "\(name) has no member \"\(TextBytes.shown(givenPath.joined(separator: ".")))\" "
                    + "(--json-array); \(walker.membersDescription)")
        }
        let candidates = walker.candidates
        let options = candidates.map { "--json-array \"\(TextBytes.shown($0.key))\"" }
        switch candidates.count {
        case 0:
            throw BatchInviteError.input(
                "\(name) is one JSON object and none of its members is an array of objects, so "
                    + "it holds no rows; \(walker.membersDescription); if the people are deeper, "
                    + "give the path to their array: --json-array data.users")
        case 1:
            let key = candidates[0].key
            guard let again = try reopen?() else {
                throw BatchInviteError.input(
                    "\(name) is one JSON object whose only array of objects is \"\(TextBytes.shown(key))\", "
                        + "which is not named like a list of people and cannot be read in a second "
                        + "pass of a stream: give \(options[0]) to read it")
            }
            onNote(
                "note: \(name) is one JSON object: reading the people in its member "
                    + "\"\(TextBytes.shown(key))\", its only array of objects")
            var second = Walker(name: name, path: [key], line: again.linesSkipped + 1)
            try again.forEachChunk { try second.feed($0, body) }
            try second.finish()
            arrayPath = [key]
        default:
            throw BatchInviteError.input(
                "\(name) is one JSON object with several arrays of objects, none named like a list "
                    + "of people: "
                    + candidates.map {
                        "\"\(TextBytes.shown($0.key))\" (\($0.count) \($0.count == 1 ? "object" : "objects"))"
                    }
                    .joined(separator: ", ") + "; give " + options.joined(separator: " or ")
                    + " to read one")
        }
    }

    /// An element parsed as a record, as `JSONLinesReader.record` parses a line; the place
    /// of an error is counted from the element's start (`at byte 12 of the element`, `on
    /// line 9`), since the element may span lines.
    public static func record(_ bytes: UnsafeRawBufferPointer?, line: Int) -> JSONLinesReader.Record
    {
        guard let bytes else {
            return JSONLinesReader.Record(
                line: line, members: .failure(RecordProblemError(.lineTooLong)))
        }
        do {
            switch try JSONParser.parse(bytes, loneSurrogates: .refused) {
            case .object(let found):
                return JSONLinesReader.Record(line: line, members: .success(found))
            case let other:
                return JSONLinesReader.Record(
                    line: line,
                    members: .failure(
                        RecordProblemError(
                            .notAnObject("expected a JSON object, found \(other.kindDescription)")))
                )
            }
        } catch {
            guard TextBytes.isValidUTF8(bytes) else {
                return JSONLinesReader.Record(
                    line: line, members: .failure(RecordProblemError(.invalidText)))
            }
            let offset = min(max(error.column - 1, 0), bytes.count)
            let breaks = UnsafeRawBufferPointer(rebasing: bytes[..<offset]).reduce(0) {
                $0 + ($1 == 0x0A ? 1 : 0)
            }
            let place =
                breaks == 0 ? "at byte \(error.column) of the element" : "on line \(line + breaks)"
            return JSONLinesReader.Record(
                line: line,
                members: .failure(RecordProblemError(.notAnObject("\(error.message) \(place)"))))
        }
    }
}

/// The walk through a JSON document's bytes, chunk by chunk: the structure around the
/// array checked as JSON (`frames`, `expect`), each value inside it skipped or, for the
/// array's elements, captured, by its strings and brackets alone (`nest`).
private struct Walker {
    typealias Emit = (Int, UnsafeRawBufferPointer?) throws -> Void

    private enum Expect {
        case value, valueOrClose, keyOrClose, key, colon, commaOrClose, end
    }

    private enum Role {
        /// An object on the way to the array (the top-level one, or one `path` names).
        case path
        /// An array in the top-level object whose first element is not seen yet.
        case pending
        /// The array read.
        case chosen
        /// An array not read (an array of objects among them is a candidate).
        case skipped
    }

    private struct Frame {
        var isObject: Bool
        var role: Role
        /// The member being read (objects), or the member that holds the array.
        var key: String?
        var elements = 0
        var holdsObjects = false
        var line: Int
    }

    let name: String
    let path: [String]?
    var onNote: (String) -> Void = { _ in }
    /// The array read, once found.
    private(set) var chosen: [String]?
    /// The top-level object's arrays of objects not read, with their sizes.
    private(set) var candidates: [(key: String, count: Int)] = []
    /// The top-level object's first members, and what each is.
    private var members: [String] = []
    private var memberCount = 0

    private var frames: [Frame] = []
    private var expect = Expect.value
    private var line: Int
    /// Where the current chunk starts in the text, and where the current line does.
    private var offset = 0
    private var lineStart = 0

    private var inString = false
    private var escaped = false
    private var stringIsKey = false
    private var keepsKey = false
    private var keyBytes: [UInt8] = []
    private var stringLine = 0
    private var inScalar = false
    private var scalar: [UInt8] = []
    /// The closing brackets a value being skipped or captured waits for, innermost last.
    private var nest: [UInt8] = []
    private var nestLine = 0

    private var capturing = false
    private var captureFrom = 0
    private var carry: [UInt8] = []
    private var carryTooLong = false
    private var elementLine = 0

    init(name: String, path: [String]?, line: Int) {
        self.name = name
        self.path = path
        self.line = line
    }

    /// The top-level object's members, for messages.
    var membersDescription: String {
        guard memberCount > 0 else { return "the object is empty" }
        return "its members: " + members.joined(separator: ", ")
            + (memberCount > members.count ? ", ..." : "")
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: Emit) throws {
        let count = bytes.count
        var index = 0
        if capturing { captureFrom = 0 }
        while index < count {
            if inString {
                index = scanString(bytes, from: index)
                // (A string inside a value skipped or captured is part of it.)
                if !inString && nest.isEmpty { try stringEnded(bytes, end: index, emit) }
                continue
            }
            let byte = bytes[index]
            if !nest.isEmpty {
                index += 1
                switch byte {
                case 0x22:
                    inString = true
                    stringIsKey = false
                    keepsKey = false
                    stringLine = line
                case UInt8(ascii: "{"): nest.append(UInt8(ascii: "}"))
                case UInt8(ascii: "["): nest.append(UInt8(ascii: "]"))
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard nest.last == byte else {
                        throw error(
                            "'\(Character(Unicode.Scalar(byte)))' closes a '\(nest.last == UInt8(ascii: "}") ? "{" : "[")' "
                                + "(of the value that began on line \(nestLine))", at: index - 1)
                    }
                    nest.removeLast()
                    if nest.isEmpty { try valueEnded(bytes, end: index, emit) }
                case 0x0A: newLine(at: index)
                default: break
                }
                continue
            }
            if inScalar {
                if Self.endsScalar(byte) {
                    try scalarEnded(bytes, end: index, emit)
                } else {
                    if scalar.count < 64 { scalar.append(byte) }
                    index += 1
                }
                continue
            }
            switch byte {
            case 0x20, 0x09, 0x0D: break
            case 0x0A: newLine(at: index + 1)
            default: try structural(byte, bytes, at: index, emit)
            }
            index += 1
        }
        if capturing { keep(UnsafeRawBufferPointer(rebasing: bytes[captureFrom..<count])) }
        offset += count
    }

    /// The end of the text: nothing may be left open.
    mutating func finish() throws {
        if inString {
            throw BatchInviteError.input(
                "\(name): line \(stringLine): a string is never closed (its opening quote is "
                    + "unmatched up to the end of the file)")
        }
        if !nest.isEmpty {
            throw BatchInviteError.input(
                "\(name): the file ends inside the value that began on line \(nestLine) (a "
                    + "'\(nest[0] == UInt8(ascii: "}") ? "{" : "[")' is never closed)")
        }
        if let open = frames.last {
            throw BatchInviteError.input(
                "\(name): the file ends inside the \(open.isObject ? "object" : "array") that "
                    + "began on line \(open.line) (its '\(open.isObject ? "{" : "[")' is never closed)"
            )
        }
        if expect != .end {
            throw BatchInviteError.input("\(name) is empty: it holds no JSON value")
        }
    }

    // MARK: Tokens

    private mutating func newLine(at next: Int) {
        line += 1
        lineStart = offset + next
    }

    private func error(_ message: String, at index: Int) -> BatchInviteError {
        .input("\(name): line \(line), column \(offset + index - lineStart + 1): \(message)")
    }

    private static func describe(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F
            ? "'\(Character(Unicode.Scalar(byte)))'"
            : "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: ",")
            || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}")
    }

    /// Past the string's bytes from `start` on: the index after its closing quote (the
    /// string ended), or the chunk's end.
    private mutating func scanString(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        let count = bytes.count
        while index < count {
            if escaped {
                escaped = false
                index += 1
                continue
            }
            while index + 8 <= count {
                let word = TextBytes.word(bytes, at: index)
                let found =
                    TextBytes.flagQuotesAndBackslashes(in: word)
                    | TextBytes.flagBytes(below: 0x20, in: word)
                if found != 0 {
                    index += found.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
            guard index < count else { break }
            switch bytes[index] {
            case 0x22:
                inString = false
                if keepsKey { keyBytes.append(contentsOf: bytes[start..<index]) }
                return index + 1
            case 0x5C: escaped = true
            case 0x0A: newLine(at: index + 1)
            default: break
            }
            index += 1
        }
        if keepsKey { keyBytes.append(contentsOf: bytes[start..<count]) }
        return count
    }

    private mutating func stringEnded(
        _ bytes: UnsafeRawBufferPointer, end: Int, _ emit: Emit
    ) throws {
        guard stringIsKey else { return try valueEnded(bytes, end: end, emit) }
        expect = .colon
        let quoted = [0x22] + keyBytes + [0x22]
        let key =
            quoted.withUnsafeBytes { (try? JSONParser.parse($0))?.text }
            ?? String(decoding: keyBytes, as: UTF8.self)
        keyBytes.removeAll(keepingCapacity: true)
        frames[frames.count - 1].key = key
        if frames.count == 1 {
            memberCount += 1
            if members.count < 20 { members.append("\"\(TextBytes.shown(key))\"") }
        }
    }

    /// Adds what the top-level object's current member is to its description.
    private mutating func describeMember(_ what: String) {
        if memberCount <= members.count { members[members.count - 1] += " (\(what))" }
    }

    private mutating func scalarEnded(
        _ bytes: UnsafeRawBufferPointer, end: Int, _ emit: Emit
    ) throws {
        if !capturing { try checkScalar(at: offset + end) }
        inScalar = false
        try valueEnded(bytes, end: end, emit)
    }

    /// A literal or number outside the elements must be valid JSON.
    private func checkScalar(at end: Int) throws {
        let text = String(decoding: scalar, as: UTF8.self)
        // (One over 64 bytes is not kept whole; only a number can be that long.)
        if ["true", "false", "null"].contains(text) || scalar.count >= 64 { return }
        let valid = scalar.withUnsafeBytes { bytes in
            if case .number? = try? JSONParser.parse(bytes) { return true }
            return false
        }
        if !valid && scalar.count < 64 {
            throw BatchInviteError.input(
                "\(name): line \(line), column \(end - scalar.count - lineStart + 1): expected a "
                    + "JSON value, found \"\(TextBytes.shown(text))\"")
        }
    }

    // MARK: Structure

    private mutating func structural(
        _ byte: UInt8, _ bytes: UnsafeRawBufferPointer, at index: Int, _ emit: Emit
    ) throws {
        switch expect {
        case .end:
            var message = "unexpected text after the JSON document, found \(Self.describe(byte))"
            if byte == UInt8(ascii: "{") {
                message +=
                    ": a second JSON value; if the file holds one JSON object per line, give "
                    + "--format jsonl"
            }
            throw error(message, at: index)
        case .colon:
            guard byte == UInt8(ascii: ":") else {
                throw error(
                    "expected ':' after the member name, found \(Self.describe(byte))", at: index)
            }
            expect = .value
        case .keyOrClose, .key:
            if byte == UInt8(ascii: "}") && expect == .keyOrClose {
                return try close(byte, bytes, at: index, emit)
            }
            guard byte == 0x22 else {
                throw error(
                    "expected a member name in double quotes, found \(Self.describe(byte))",
                    at: index)
            }
            inString = true
            escaped = false
            stringIsKey = true
            stringLine = line
            let top = frames[frames.count - 1]
            keepsKey = top.role == .path
        case .commaOrClose:
            let top = frames[frames.count - 1]
            if byte == UInt8(ascii: ",") {
                expect = top.isObject ? .key : .value
                return
            }
            if byte == (top.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                return try close(byte, bytes, at: index, emit)
            }
            throw error(
                "expected ',' or '\(top.isObject ? "}" : "]")' after an "
                    + "\(top.isObject ? "object member" : "array element"), found \(Self.describe(byte))",
                at: index)
        case .value, .valueOrClose:
            if byte == UInt8(ascii: "]") && expect == .valueOrClose {
                return try close(byte, bytes, at: index, emit)
            }
            try beginValue(byte, at: index)
        }
    }

    private mutating func beginValue(_ byte: UInt8, at index: Int) throws {
        let isContainer = byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[")
        let isScalar =
            byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "t")
            || byte == UInt8(ascii: "f") || byte == UInt8(ascii: "n")
        guard isContainer || isScalar || byte == 0x22 else {
            throw error("expected a JSON value, found \(Self.describe(byte))", at: index)
        }
        guard let top = frames.last else {
            // The document itself.
            if byte == UInt8(ascii: "{") {
                frames.append(Frame(isObject: true, role: .path, line: line))
                expect = .keyOrClose
            } else if byte == UInt8(ascii: "[") {
                if let path, !path.isEmpty {
                    throw BatchInviteError.input(
                        "\(name) is a JSON array, not an object with a member "
                            + "\"\(TextBytes.shown(path.joined(separator: ".")))\" (--json-array): "
                            + "give no --json-array to read its elements")
                }
                frames.append(Frame(isObject: false, role: .chosen, line: line))
                chosen = []
                expect = .valueOrClose
            } else {
                throw BatchInviteError.input(
                    "\(name) holds a single JSON \(byte == 0x22 ? "string" : "value"), not an array "
                        + "of people")
            }
            return
        }
        if top.isObject {
            // A member's value; `top` is on the way to the array.
            let depth = frames.count
            let key = top.key ?? ""
            if let path {
                if depth <= path.count && key == path[depth - 1] {
                    let last = depth == path.count
                    guard byte == (last ? UInt8(ascii: "[") : UInt8(ascii: "{")) else {
                        throw error(
                            "the member \"\(TextBytes.shown(path[..<depth].joined(separator: ".")))\" "
                                + "(--json-array) is \(Self.kind(byte)), not \(last ? "an array" : "an object")",
                            at: index)
                    }
                    frames.append(
                        Frame(isObject: !last, role: last ? .chosen : .path, line: line))
                    if last { chosen = path }
                    expect = last ? .valueOrClose : .keyOrClose
                    return
                }
            } else if depth == 1 && byte == UInt8(ascii: "[") {
                frames.append(Frame(isObject: false, role: .pending, key: key, line: line))
                expect = .valueOrClose
                return
            }
            if depth == 1 { describeMember(Self.kind(byte)) }
        } else {
            // An element.
            let last = frames.count - 1
            frames[last].elements += 1
            if top.role == .pending {
                let named =
                    top.key.map { FormatChoice.arrayNames.contains($0.lowercased()) } ?? false
                if byte == UInt8(ascii: "{") && named && chosen == nil {
                    choose(last)
                } else {
                    frames[last].role = .skipped
                    frames[last].holdsObjects = byte == UInt8(ascii: "{")
                }
            }
            if frames[last].role == .chosen {
                capturing = true
                captureFrom = index
                elementLine = line
                carry.removeAll(keepingCapacity: true)
                carryTooLong = false
            }
        }
        if isContainer {
            nest = [byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")]
            nestLine = line
        } else if byte == 0x22 {
            inString = true
            escaped = false
            stringIsKey = false
            keepsKey = false
            stringLine = line
        } else {
            inScalar = true
            scalar.removeAll(keepingCapacity: true)
            scalar.append(byte)
        }
    }

    /// Reads array frame `index`, a member of the top-level object, as the people.
    private mutating func choose(_ index: Int) {
        frames[index].role = .chosen
        let key = frames[index].key ?? ""
        chosen = [key]
        onNote(
            "note: \(name) is one JSON object: reading the people in its member "
                + "\"\(TextBytes.shown(key))\" (--json-array reads another)")
    }

    private static func kind(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case 0x22: return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        default: return "a number"
        }
    }

    private mutating func close(
        _ byte: UInt8, _ bytes: UnsafeRawBufferPointer, at index: Int, _ emit: Emit
    ) throws {
        let frame = frames.removeLast()
        if !frame.isObject {
            if frame.role == .pending, chosen == nil, path == nil,
                let key = frame.key, FormatChoice.arrayNames.contains(key.lowercased())
            {
                // An empty array named like the people: no rows.
                chosen = [key]
            } else if frame.role == .skipped && frame.holdsObjects, let key = frame.key {
                candidates.append((key, frame.elements))
            }
            if frames.count == 1 {
                let kind = frame.holdsObjects || frame.role == .chosen ? "objects" : "values"
                describeMember("an array of \(frame.elements) \(kind)")
            }
        }
        try valueEnded(bytes, end: index + 1, emit)
    }

    /// A value ended at `end` (exclusive) of `bytes`: an element of the array read is
    /// handed on.
    private mutating func valueEnded(
        _ bytes: UnsafeRawBufferPointer, end: Int, _ emit: Emit
    ) throws {
        guard let top = frames.last else {
            expect = .end
            return
        }
        expect = .commaOrClose
        guard capturing, !top.isObject, top.role == .chosen else { return }
        capturing = false
        let piece = UnsafeRawBufferPointer(rebasing: bytes[captureFrom..<end])
        if carryTooLong || carry.count + piece.count > JSONDocumentReader.maxElementBytes {
            try emit(elementLine, nil)
        } else if carry.isEmpty {
            try emit(elementLine, piece)
        } else {
            carry.append(contentsOf: piece)
            try carry.withUnsafeBytes { try emit(elementLine, $0) }
        }
        carry.removeAll(keepingCapacity: true)
        carryTooLong = false
    }

    /// Keeps the part of the element being captured that a chunk ends with.
    private mutating func keep(_ piece: UnsafeRawBufferPointer) {
        guard !carryTooLong else { return }
        if carry.count + piece.count > JSONDocumentReader.maxElementBytes {
            carryTooLong = true
            carry.removeAll()
        } else {
            carry.append(contentsOf: piece)
        }
    }
}
