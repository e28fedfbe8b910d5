/// The walk through a JSON document's bytes, chunk by chunk, for `JSONDocumentReader`: the
/// structure around the array checked as JSON (`frames`, `expect`), each value inside it
/// skipped or, for the array's elements, captured, by its strings and brackets alone
/// (`nest`).
struct JSONDocumentWalker {
    typealias Emit = (Int, UnsafeRawBufferPointer?) throws -> Void

    enum Expect {
        case value, valueOrClose, keyOrClose, key, colon, commaOrClose, end
    }

    enum Role {
        /// An object on the way to the array (the top-level one, or one `path` names).
        case path
        /// An array in the top-level object whose first element is not seen yet.
        case pending
        /// The array read.
        case chosen
        /// An array not read (an array of objects among them is a candidate).
        case skipped
    }

    struct Frame {
        var isObject: Bool
        var role: Role
        /// The member being read (objects), or the member that holds the array.
        var key: String?
        var elements = 0
        var holdsObjects = false
        var line: Int
    }

    /// Where the walk is: the line, and where the current chunk and the current line start
    /// in the text.
    struct Place {
        var line: Int
        var offset = 0
        var lineStart = 0

        /// A line begins at `next` of the current chunk.
        mutating func newLine(at next: Int) {
            line += 1
            lineStart = offset + next
        }

        /// The column of `index` of the current chunk, counted from 1.
        func column(of index: Int) -> Int {
            offset + index - lineStart + 1
        }
    }

    /// The string being read: whether one is open, whether a backslash escapes its next
    /// byte, whether it is a member name (kept in `keyBytes` on the way to the array), and
    /// the line it began on.
    struct OpenString {
        var isOpen = false
        var escaped = false
        var isKey = false
        var keepsKey = false
        var keyBytes: [UInt8] = []
        var line = 0

        mutating func begin(line: Int, isKey: Bool, keepsKey: Bool) {
            isOpen = true
            escaped = false
            self.isKey = isKey
            self.keepsKey = keepsKey
            self.line = line
        }
    }

    let name: String
    let path: [String]?
    var onNote: (String) -> Void = { _ in }
    /// What the walk found: the array read, the arrays not read, the top-level members.
    var outline = JSONDocumentOutline()

    var frames: [Frame] = []
    var expect = Expect.value
    var place: Place
    var string = OpenString()
    var inScalar = false
    var scalar: [UInt8] = []
    /// The closing brackets a value being skipped or captured waits for, innermost last,
    /// and the line the value began on.
    var nest: [UInt8] = []
    var nestLine = 0
    var capture = JSONElementCapture()

    init(name: String, path: [String]?, line: Int) {
        self.name = name
        self.path = path
        place = Place(line: line)
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: Emit) throws {
        let count = bytes.count
        var index = 0
        if capture.isActive { capture.chunkBegins() }
        while index < count {
            if string.isOpen {
                index = scanString(bytes, from: index)
                // (A string inside a value skipped or captured is part of it.)
                if !string.isOpen && nest.isEmpty { try stringEnded(bytes, end: index, emit) }
                continue
            }
            let byte = bytes[index]
            if !nest.isEmpty {
                index += 1
                switch byte {
                case 0x22: string.begin(line: place.line, isKey: false, keepsKey: false)
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
                case 0x0A: place.newLine(at: index)
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
            case 0x0A: place.newLine(at: index + 1)
            default: try structural(byte, bytes, at: index, emit)
            }
            index += 1
        }
        if capture.isActive { capture.chunkEnded(bytes) }
        place.offset += count
    }

    /// The end of the text: nothing may be left open.
    mutating func finish() throws {
        if string.isOpen {
            throw BatchInviteError.input(
                "\(name): line \(string.line): a string is never closed (its opening quote is "
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

    func error(_ message: String, at index: Int) -> BatchInviteError {
        .input("\(name): line \(place.line), column \(place.column(of: index)): \(message)")
    }

    static func describe(_ byte: UInt8) -> String {
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
            if string.escaped {
                string.escaped = false
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
                string.isOpen = false
                if string.keepsKey { string.keyBytes.append(contentsOf: bytes[start..<index]) }
                return index + 1
            case 0x5C: string.escaped = true
            case 0x0A: place.newLine(at: index + 1)
            default: break
            }
            index += 1
        }
        if string.keepsKey { string.keyBytes.append(contentsOf: bytes[start..<count]) }
        return count
    }

    private mutating func stringEnded(
        _ bytes: UnsafeRawBufferPointer, end: Int, _ emit: Emit
    ) throws {
        guard string.isKey else { return try valueEnded(bytes, end: end, emit) }
        expect = .colon
        let quoted = [0x22] + string.keyBytes + [0x22]
        let key =
            quoted.withUnsafeBytes { (try? JSONParser.parse($0))?.text }
            ?? String(decoding: string.keyBytes, as: UTF8.self)
        string.keyBytes.removeAll(keepingCapacity: true)
        frames[frames.count - 1].key = key
        if frames.count == 1 { outline.addMember(key) }
    }

    private mutating func scalarEnded(
        _ bytes: UnsafeRawBufferPointer, end: Int, _ emit: Emit
    ) throws {
        if !capture.isActive { try checkScalar(at: place.offset + end) }
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
                "\(name): line \(place.line), column \(end - scalar.count - place.lineStart + 1): "
                    + "expected a JSON value, found \"\(TextBytes.shown(text))\"")
        }
    }
}
