#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The members of one JSON Lines record as bytes, keys and values one after the other in
/// one reused buffer: what the mapping of keys onto fields needs, without building a
/// `JSONValue` (a `String` per key and value, an array per line) for every line.
///
/// `scan` reads the common line itself: an object whose values are strings, numbers,
/// booleans or null, keys without escapes, valid UTF-8. Anything else (nesting, a
/// surrogate escape, any error) it leaves to `JSONParser`, whose members `load` takes: so
/// a line gives the same members either way, and every error is the parser's.
final class JSONRecordMembers {
    struct Member: BitwiseCopyable {
        var keyStart: Int
        var keyEnd: Int
        var kind: JSONKind
        /// A string's text (escapes decoded), a number or a boolean as written; empty for
        /// other kinds.
        var valueStart: Int
        var valueEnd: Int
    }

    /// The keys' and values' bytes; `members` say where each lies. Owned by this object
    /// (freed with it); `Array`'s appends and uniqueness checks showed in profiles. One
    /// mapper uses it, on one thread: the run-time exclusivity checks (which cost more than
    /// the appends they guard) have nothing to find.
    @exclusivity(unchecked) private var storage = RawList<UInt8>(capacity: 1024)
    @exclusivity(unchecked) private var list = RawList<Member>(capacity: 16)

    init() {}

    deinit {
        storage.free()
        list.free()
    }

    /// The members, in the order written.
    var members: UnsafeBufferPointer<Member> { list.buffer }

    /// The bytes the members' ranges refer to; valid until the next `scan` or `load`.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(storage.buffer) }

    /// Member `index`'s key.
    func key(_ index: Int) -> UnsafeRawBufferPointer {
        let member = list[index]
        return UnsafeRawBufferPointer(rebasing: bytes[member.keyStart..<member.keyEnd])
    }

    /// Member `index`'s value: a string's text, a number or a boolean as written.
    func value(_ member: Member) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[member.valueStart..<member.valueEnd])
    }

    /// Whether member `index` has the same key as `other`'s member `otherIndex`.
    func sameKey(_ index: Int, as other: JSONRecordMembers, _ otherIndex: Int) -> Bool {
        let mine = list[index]
        let theirs = other.list[otherIndex]
        let count = mine.keyEnd - mine.keyStart
        guard count == theirs.keyEnd - theirs.keyStart else { return false }
        return count == 0
            || memcmp(storage.base + mine.keyStart, other.storage.base + theirs.keyStart, count)
                == 0
    }

    /// Whether members `one` and `other` have keys that are the same text, as `String`s
    /// compare it: the same bytes (escapes decoded), or `é` written as one character and as
    /// `e` and an accent.
    func sameText(_ one: Int, _ other: Int) -> Bool {
        sameKey(one, as: self, other)
            || String(decoding: key(one), as: UTF8.self)
                == String(decoding: key(other), as: UTF8.self)
    }

    /// The first of the members `included` says whose key (as `sameText` compares) an
    /// earlier one of them has too, and that earlier member; nil when there is none.
    func repeatedKey(among included: (Int) -> Bool) -> (first: Int, again: Int)? {
        let members = list.buffer
        if members.count > 16 {
            // A record of many keys: one hashed look-up each, not every pair.
            var seen: [String: Int] = [:]
            for index in members.indices where included(index) {
                let key = String(decoding: key(index), as: UTF8.self)
                if let first = seen.updateValue(index, forKey: key) { return (first, index) }
            }
            return nil
        }
        let base = storage.base
        var bits: UInt8 = 0  // the keys' bytes OR'ed: 0x80 when one is not ASCII
        for again in members.indices where included(again) {
            let start = members[again].keyStart
            let length = members[again].keyEnd - start
            for first in 0..<again where included(first) {
                let other = members[first]
                if other.keyEnd - other.keyStart == length
                    && memcmp(base + other.keyStart, base + start, length) == 0
                {
                    return (first, again)
                }
            }
            for offset in start..<(start + length) { bits |= base[offset] }
        }
        // Different bytes are different text, unless a key is not ASCII (`e` and an accent
        // is `é`; even an ASCII `K` is the Kelvin sign, U+212A).
        guard bits & 0x80 != 0 else { return nil }
        for again in members.indices where included(again) {
            for first in 0..<again where included(first) && sameText(first, again) {
                return (first, again)
            }
        }
        return nil
    }

    /// Takes the members `JSONParser` found.
    func load(_ found: [JSONMember]) {
        removeAll()
        for member in found {
            let key = append(member.key)
            switch member.value {
            case .string(let text), .number(let text):
                let value = append(text)
                list.append(
                    Member(
                        keyStart: key.start, keyEnd: key.end, kind: member.value.kind,
                        valueStart: value.start, valueEnd: value.end))
            case .bool(let flag):
                let value = append(flag ? "true" : "false")
                list.append(
                    Member(
                        keyStart: key.start, keyEnd: key.end, kind: member.value.kind,
                        valueStart: value.start, valueEnd: value.end))
            case let other:
                list.append(
                    Member(
                        keyStart: key.start, keyEnd: key.end, kind: other.kind, valueStart: 0,
                        valueEnd: 0))
            }
        }
    }

    /// Reads `line` if it is a JSON object of the common kind (see above), with the members
    /// `JSONParser` would find; false otherwise, leaving the members undefined.
    func scan(_ line: UnsafeRawBufferPointer) -> Bool {
        removeAll()
        guard TextBytes.isValidUTF8(line) else { return false }
        var scanner = Scanner(line: line)
        scanner.skipSpace()
        guard scanner.take(UInt8(ascii: "{")) else { return false }
        scanner.skipSpace()
        if !scanner.take(UInt8(ascii: "}")) {
            while true {
                guard scanner.take(0x22), let key = scanner.plainString() else { return false }
                let keyStart = storage.count
                storage.append(contentsOf: key)
                let keyEnd = storage.count
                scanner.skipSpace()
                guard scanner.take(UInt8(ascii: ":")) else { return false }
                scanner.skipSpace()
                guard let kind = scanner.value(into: &storage) else { return false }
                list.append(
                    Member(
                        keyStart: keyStart, keyEnd: keyEnd, kind: kind, valueStart: keyEnd,
                        valueEnd: storage.count))
                scanner.skipSpace()
                if scanner.take(UInt8(ascii: "}")) { break }
                guard scanner.take(UInt8(ascii: ",")) else { return false }
                scanner.skipSpace()
            }
        }
        scanner.skipSpace()
        return scanner.atEnd
    }

    private func removeAll() {
        storage.truncate(to: 0)
        list.truncate(to: 0)
    }

    private func append(_ text: String) -> (start: Int, end: Int) {
        let start = storage.count
        var text = text
        text.withUTF8 { storage.append(contentsOf: UnsafeRawBufferPointer($0)) }
        return (start, storage.count)
    }

    /// A position in a line, moving forward.
    private struct Scanner {
        let line: UnsafeRawBufferPointer
        var at = 0

        var atEnd: Bool { at == line.count }

        mutating func skipSpace() {
            while at < line.count {
                let byte = line[at]
                guard byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A else { return }
                at += 1
            }
        }

        /// Steps over `byte` if it is next.
        mutating func take(_ byte: UInt8) -> Bool {
            guard at < line.count, line[at] == byte else { return false }
            at += 1
            return true
        }

        /// The first quote, backslash or control character from `at` on (or the end).
        func stop() -> Int {
            var index = at
            let count = line.count
            while index + 8 <= count {
                let word = TextBytes.word(line, at: index)
                // The lowest flagged byte of each test is exact, so the lowest of all is.
                let found =
                    TextBytes.flagQuotesAndBackslashes(in: word)
                    | TextBytes.flagBytes(below: 0x20, in: word)
                if found != 0 { return index + found.trailingZeroBitCount >> 3 }
                index += 8
            }
            while index < count {
                let byte = line[index]
                if byte == 0x22 || byte == 0x5C || byte < 0x20 { return index }
                index += 1
            }
            return count
        }

        /// After an opening quote: the string's bytes if it ends before any escape or
        /// control character.
        mutating func plainString() -> UnsafeRawBufferPointer? {
            let end = stop()
            guard end < line.count, line[end] == 0x22 else { return nil }
            defer { at = end + 1 }
            return UnsafeRawBufferPointer(rebasing: line[at..<end])
        }

        /// A value of the common kind, its text (if any) appended to `bytes`.
        mutating func value(into bytes: inout RawList<UInt8>) -> JSONKind? {
            guard at < line.count else { return nil }
            switch line[at] {
            case 0x22:
                at += 1
                return decodeString(into: &bytes) ? .string : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let first = at
                guard number() else { return nil }
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[first..<at]))
                return .number
            // A boolean's text too: a `--where` compares it.
            case UInt8(ascii: "t"):
                guard literal("true") else { return nil }
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[(at - 4)..<at]))
                return .bool
            case UInt8(ascii: "f"):
                guard literal("false") else { return nil }
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[(at - 5)..<at]))
                return .bool
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            default: return nil
            }
        }

        private mutating func literal(_ word: StaticString) -> Bool {
            let length = word.utf8CodeUnitCount
            guard line.count - at >= length,
                memcmp(line.baseAddress! + at, word.utf8Start, length) == 0
            else { return false }
            at += length
            return true
        }

        /// JSON's number grammar, as `JSONParser` reads it.
        private mutating func number() -> Bool {
            _ = take(UInt8(ascii: "-"))
            if take(UInt8(ascii: "0")) {
                if digits() > 0 { return false }
            } else if digits() == 0 {
                return false
            }
            if take(UInt8(ascii: ".")), digits() == 0 { return false }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                if digits() == 0 { return false }
            }
            return true
        }

        private mutating func digits() -> Int {
            let from = at
            while at < line.count, line[at] >= 0x30 && line[at] <= 0x39 { at += 1 }
            return at - from
        }

        /// After an opening quote: the string's text, escapes decoded, appended to `bytes`;
        /// false for a control character, a surrogate escape or anything else unusual.
        private mutating func decodeString(into bytes: inout RawList<UInt8>) -> Bool {
            while true {
                let end = stop()
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[at..<end]))
                at = end
                guard end < line.count else { return false }
                switch line[end] {
                case 0x22:
                    at += 1
                    return true
                case 0x5C:
                    guard end + 1 < line.count else { return false }
                    at += 2
                    if let byte = JSONParser.unescaped(line[end + 1]) {
                        bytes.append(byte)
                    } else if line[end + 1] == UInt8(ascii: "u") {
                        guard let scalar = hex4(), let value = Unicode.Scalar(scalar) else {
                            return false  // a surrogate: pairs and lone ones are the parser's
                        }
                        for byte in UTF8.encode(value)! { bytes.append(byte) }
                    } else {
                        return false
                    }
                default: return false  // a control character
                }
            }
        }

        private mutating func hex4() -> UInt32? {
            guard line.count - at >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = JSONParser.hexValue(line[at]) else { return nil }
                value = value << 4 | UInt32(digit)
                at += 1
            }
            return value
        }
    }
}

extension JSONKind: BitwiseCopyable {}
