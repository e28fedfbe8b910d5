private import CLibCurl
import Foundation

/// Replaces the run's secrets (tokens, a client secret, the `Basic` credentials made of
/// it) with `[redacted]` in text the tool stores or prints: a server that echoes a
/// request's headers or body in its error answer must not put a secret into the report,
/// the journal, the summary or the terminal. One redactor serves a whole run; tokens
/// renewed during it are added as they come. Safe for concurrent use.
///
/// A secret is found as it is, form-encoded as the tool sends it, and in whatever mixture
/// of escapes an echo may write it with: percent-encoded bytes (`%2B`, `%2b`), `+` for a
/// space, and JSON's escapes (`\/`, `\"`, `\u002b`, `\u002B`, non-ASCII as `\uXXXX`, a
/// surrogate pair for the rest; letters and digits as they are, as every encoder leaves
/// them). The search is a `memmem` per secret; only a text that holds a `\` or a `%`, and
/// the secret's longest run of letters and digits, is also walked for escaped forms. A
/// text without a secret costs those searches and no copy.
public final class Redactor: @unchecked Sendable {
    // Safe to share: `secrets` and `learnt` are only touched with `lock` held (`secrets`
    // is copied out under it and searched outside).

    /// What a secret is replaced with.
    public static let mark = "[redacted]"
    private static let markBytes = Array(mark.utf8)

    private let lock = NSLock()
    /// Each secret as it is and form-encoded (when that differs).
    private var secrets: [Secret] = []

    private struct Secret {
        var bytes: [UInt8]
        /// Its longest run of ASCII letters and digits, when 4 bytes or more: escapes
        /// leave letters and digits as they are, so an escaped form holds this run, and a
        /// text without it is not walked for one.
        var anchor: [UInt8]?

        init(_ text: String) {
            bytes = Array(text.utf8)
            var longest = 0..<0
            var start = 0
            for (index, byte) in bytes.enumerated() {
                let alphanumeric =
                    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte)
                    || (0x61...0x7A).contains(byte)
                if !alphanumeric {
                    start = index + 1
                } else if index + 1 - start > longest.count {
                    longest = start..<(index + 1)
                }
            }
            anchor = longest.count >= 4 ? Array(bytes[longest]) : nil
        }
    }
    private var learnt: Set<String> = []
    /// Whether a secret holds a space (a `+` may then stand for it).
    private var spaced = false

    /// Redacts `secrets`; those shorter than 4 bytes are left alone (they would garble
    /// ordinary words, and no real token is that short).
    public init(secrets: [String] = []) {
        secrets.forEach(add)
    }

    /// Redacts `secret`, in each of its forms, from now on.
    public func add(_ secret: String) {
        guard secret.utf8.count >= 4 else { return }
        let encoded = FormEncoding.encode(secret)
        lock.lock()
        defer { lock.unlock() }
        guard learnt.insert(secret).inserted else { return }
        secrets.append(Secret(secret))
        // Form-encoded, then escaped by an echo (JSON's `\u002B` for its `+`): found as
        // a secret of its own.
        if encoded != secret { secrets.append(Secret(encoded)) }
        if secret.contains(" ") { spaced = true }
    }

    /// `text` with every form of every secret replaced; `text` itself when it holds none.
    public func redact(_ text: String) -> String {
        let found = text.utf8.withContiguousStorageIfAvailable {
            redacted(UnsafeRawBufferPointer($0))
        }
        switch found {
        case .some(nil): return text
        case .some(let bytes?): return String(decoding: bytes, as: UTF8.self)
        case nil:
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { redacted($0) }.map {
                String(decoding: $0, as: UTF8.self)
            } ?? text
        }
    }

    /// `bytes` with every form of every secret replaced (an answer's body, before any of
    /// it is quoted or cut); `bytes` itself when they hold none.
    public func redact(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { redacted($0) } ?? bytes
    }

    /// The bytes with the secrets replaced, or nil when there is none in them.
    private func redacted(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        lock.lock()
        let secrets = self.secrets
        let spaced = self.spaced
        lock.unlock()
        guard !secrets.isEmpty, let base = text.baseAddress, text.count >= 4 else { return nil }
        var found: [Range<Int>] = []
        for secret in secrets {
            var start = 0
            while let at = Self.find(secret.bytes, in: base, count: text.count, from: start) {
                found.append(at..<(at + secret.bytes.count))
                start = at + 1
            }
        }
        let escaped =
            memchr(base, Int32(UInt8(ascii: "\\")), text.count) != nil
            || memchr(base, Int32(UInt8(ascii: "%")), text.count) != nil
            || spaced && memchr(base, Int32(UInt8(ascii: "+")), text.count) != nil
        if escaped { Self.findEscaped(secrets, in: text, into: &found) }
        guard !found.isEmpty else { return nil }
        return Self.marking(found, in: text)
    }

    /// Adds to `found` where the escaped forms of `secrets` are in `text`. An escaped form
    /// starts with an escape (`\`, `%`), a `+` for a space, or the secret's first byte as
    /// it is: only those places are tried.
    private static func findEscaped(
        _ secrets: [Secret], in text: UnsafeRawBufferPointer, into found: inout [Range<Int>]
    ) {
        guard let base = text.baseAddress else { return }
        let bytes = text.bindMemory(to: UInt8.self)
        for secret in secrets {
            if let anchor = secret.anchor, find(anchor, in: base, count: text.count, from: 0) == nil
            {
                continue
            }
            for start in starts(of: secret.bytes[0]) {
                var from = 0
                while from < text.count,
                    let hit = memchr(base + from, Int32(start), text.count - from)
                {
                    let index = base.distance(to: UnsafeRawPointer(hit))
                    if let end = match(secret.bytes, in: bytes, at: index, from: 0), end > index {
                        found.append(index..<end)
                    }
                    from = index + 1
                }
            }
        }
    }

    /// `text` with the mark in place of each range `found`.
    private static func marking(_ found: [Range<Int>], in text: UnsafeRawBufferPointer) -> [UInt8] {
        // Every match is found in the text as given, then overlapping ones are merged: a
        // mark never ends up holding part of a secret, nor a secret part of a mark.
        let found = found.sorted { $0.lowerBound < $1.lowerBound }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var copied = 0
        var index = 0
        while index < found.count {
            var range = found[index]
            index += 1
            while index < found.count, found[index].lowerBound < range.upperBound {
                range = range.lowerBound..<max(range.upperBound, found[index].upperBound)
                index += 1
            }
            out.append(contentsOf: text[copied..<range.lowerBound])
            out.append(contentsOf: markBytes)
            copied = range.upperBound
        }
        out.append(contentsOf: text[copied...])
        return out
    }

    /// The bytes an escaped form of a secret that begins with `first` may begin with.
    private static func starts(of first: UInt8) -> [UInt8] {
        switch first {
        case 0x5C, 0x25: return [0x5C, 0x25]
        case 0x20: return [0x5C, 0x25, 0x20, 0x2B]
        default: return [0x5C, 0x25, first]
        }
    }

    private static func find(
        _ needle: [UInt8], in haystack: UnsafeRawPointer, count: Int, from start: Int
    ) -> Int? {
        guard count - start >= needle.count else { return nil }
        return needle.withUnsafeBytes { pattern -> Int? in
            guard let pattern = pattern.baseAddress,
                let hit = clibcurl_memmem(haystack + start, count - start, pattern, needle.count)
            else { return nil }
            return haystack.distance(to: UnsafeRawPointer(hit))
        }
    }

    /// Where an escaped form of `secret[from...]` that starts at `text[at]` ends, if one
    /// does: each byte of the secret may be written as it is, as `%HH`, as `+` for a space,
    /// or, a character at a time, as a JSON escape.
    private static func match(
        _ secret: [UInt8], in text: UnsafeBufferPointer<UInt8>, at start: Int, from first: Int
    ) -> Int? {
        var index = start
        var next = first
        while next < secret.count {
            guard index < text.count else { return nil }
            let want = secret[next]
            let byte = text[index]
            if byte == 0x5C, let (length, units) = jsonEscape(in: text, at: index) {
                // A character written `\x` or `\uXXXX` (two for a surrogate pair)...
                let end = next + units.count
                if end <= secret.count, secret[next..<end].elementsEqual(units),
                    let rest = match(secret, in: text, at: index + length, from: end)
                {
                    return rest
                }
                // ...or a `\` of the secret as it is.
                guard want == 0x5C else { return nil }
                index += 1
                next += 1
                continue
            }
            if byte == 0x25, index + 2 < text.count,
                let value = hexValue(text, index + 1, digits: 2),
                value == UInt32(want)
            {
                index += 3
            } else if byte == want || byte == 0x2B && want == 0x20 {
                index += 1
            } else {
                return nil
            }
            next += 1
        }
        return index
    }

    /// The JSON escape at `text[at]` (a `\`): its length and the UTF-8 bytes it stands
    /// for; nil when it is none.
    private static func jsonEscape(in text: UnsafeBufferPointer<UInt8>, at index: Int)
        -> (Int, [UInt8])?
    {
        guard index + 1 < text.count else { return nil }
        switch text[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
            return (2, [text[index + 1]])
        case UInt8(ascii: "n"): return (2, [0x0A])
        case UInt8(ascii: "r"): return (2, [0x0D])
        case UInt8(ascii: "t"): return (2, [0x09])
        case UInt8(ascii: "b"): return (2, [0x08])
        case UInt8(ascii: "f"): return (2, [0x0C])
        case UInt8(ascii: "u"):
            guard index + 5 < text.count, let unit = hexValue(text, index + 2, digits: 4) else {
                return nil
            }
            var scalar = Unicode.Scalar(unit)
            var length = 6
            if (0xD800..<0xDC00).contains(unit), index + 11 < text.count,
                text[index + 6] == 0x5C, text[index + 7] == UInt8(ascii: "u"),
                let low = hexValue(text, index + 8, digits: 4), (0xDC00..<0xE000).contains(low)
            {
                scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                length = 12
            }
            guard let scalar else { return nil }
            return (length, Array(String(scalar).utf8))
        default: return nil
        }
    }

    private static func hexValue(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, digits: Int)
        -> UInt32?
    {
        guard start + digits <= text.count else { return nil }
        var value: UInt32 = 0
        for byte in text[start..<(start + digits)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// `url` with any user information (`user:password@`) replaced by the mark, for
    /// messages: `http://[redacted]@host/path`. Everything up to the last `@` goes, so a
    /// password holding `/` or `#` unencoded is hidden too.
    public static func hidingUserInfo(_ url: String) -> String {
        let start = url.range(of: "://")?.upperBound ?? url.startIndex
        guard let at = url[start...].lastIndex(of: "@") else { return url }
        return String(url[..<start]) + mark + String(url[at...])
    }
}
