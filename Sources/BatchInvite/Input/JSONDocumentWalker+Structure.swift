/// The structure around the array, for `JSONDocumentWalker`: what each value outside the
/// elements begins and ends, checked as JSON; the array read found and its elements
/// captured.
extension JSONDocumentWalker {
    mutating func structural(
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
            let top = frames[frames.count - 1]
            string.begin(line: place.line, isKey: true, keepsKey: top.role == .path)
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
        guard let top = frames.last else { return try beginDocument(byte) }
        if top.isObject {
            if try beginMember(byte, of: top, at: index) { return }
        } else {
            beginElement(byte, of: top, at: index)
        }
        if isContainer {
            nest = [byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")]
            nestLine = place.line
        } else if byte == 0x22 {
            string.begin(line: place.line, isKey: false, keepsKey: false)
        } else {
            inScalar = true
            scalar.removeAll(keepingCapacity: true)
            scalar.append(byte)
        }
    }

    /// The document itself begins with `byte`: an object, or the array read.
    private mutating func beginDocument(_ byte: UInt8) throws {
        if byte == UInt8(ascii: "{") {
            frames.append(Frame(isObject: true, role: .path, line: place.line))
            expect = .keyOrClose
        } else if byte == UInt8(ascii: "[") {
            if let path, !path.isEmpty {
                throw BatchInviteError.input(
                    "\(name) is a JSON array, not an object with a member "
                        + "\"\(TextBytes.shown(path.joined(separator: ".")))\" (--json-array): "
                        + "give no --json-array to read its elements")
            }
            frames.append(Frame(isObject: false, role: .chosen, line: place.line))
            outline.chosen = []
            expect = .valueOrClose
        } else {
            throw BatchInviteError.input(
                "\(name) holds a single JSON \(byte == 0x22 ? "string" : "value"), not an array "
                    + "of people")
        }
    }

    /// A member's value of the object `top`, which is on the way to the array, begins with
    /// `byte`; returns whether it was entered as a frame of its own (on the way to the
    /// array, or an array of the top-level object) rather than skipped.
    private mutating func beginMember(_ byte: UInt8, of top: Frame, at index: Int) throws -> Bool {
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
                    Frame(isObject: !last, role: last ? .chosen : .path, line: place.line))
                if last { outline.chosen = path }
                expect = last ? .valueOrClose : .keyOrClose
                return true
            }
        } else if depth == 1 && byte == UInt8(ascii: "[") {
            frames.append(Frame(isObject: false, role: .pending, key: key, line: place.line))
            expect = .valueOrClose
            return true
        }
        if depth == 1 { outline.describeMember(Self.kind(byte)) }
        return false
    }

    /// An element of the array `top` begins with `byte`: the first one of a top-level
    /// member decides whether the array is read; one of the array read is captured.
    private mutating func beginElement(_ byte: UInt8, of top: Frame, at index: Int) {
        let last = frames.count - 1
        frames[last].elements += 1
        if top.role == .pending {
            let named = top.key.map { FormatChoice.arrayNames.contains($0.lowercased()) } ?? false
            if byte == UInt8(ascii: "{") && named && outline.chosen == nil {
                choose(last)
            } else {
                frames[last].role = .skipped
                frames[last].holdsObjects = byte == UInt8(ascii: "{")
            }
        }
        if frames[last].role == .chosen {
            capture.begin(at: index, line: place.line)
        }
    }

    /// Reads array frame `index`, a member of the top-level object, as the people.
    private mutating func choose(_ index: Int) {
        frames[index].role = .chosen
        let key = frames[index].key ?? ""
        outline.chosen = [key]
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
            if frame.role == .pending, outline.chosen == nil, path == nil,
                let key = frame.key, FormatChoice.arrayNames.contains(key.lowercased())
            {
                // An empty array named like the people: no rows.
                outline.chosen = [key]
            } else if frame.role == .skipped && frame.holdsObjects, let key = frame.key {
                outline.addCandidate(key, count: frame.elements)
            }
            if frames.count == 1 {
                let kind = frame.holdsObjects || frame.role == .chosen ? "objects" : "values"
                outline.describeMember("an array of \(frame.elements) \(kind)")
            }
        }
        try valueEnded(bytes, end: index + 1, emit)
    }

    /// A value ended at `end` (exclusive) of `bytes`: an element of the array read is
    /// handed on.
    mutating func valueEnded(
        _ bytes: UnsafeRawBufferPointer, end: Int, _ emit: Emit
    ) throws {
        guard let top = frames.last else {
            expect = .end
            return
        }
        expect = .commaOrClose
        guard capture.isActive, !top.isObject, top.role == .chosen else { return }
        try capture.end(bytes, at: end, emit)
    }
}
