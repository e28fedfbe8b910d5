import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An input file (or standard input, named `-`) read in chunks and handed on as UTF-8,
/// with its byte order mark and any preamble lines removed. Memory stays at a few chunks
/// whatever the file size.
///
/// Its first 64 KiB are read at once to decide how to read the rest: a byte order mark
/// wins; else the encoding given; else a guess (`EncodingGuess`): UTF-16 by its zero
/// bytes, UTF-8 when valid; when not, the legacy encoding (windows-1252, windows-1251,
/// cp932, gb18030, big5, cp949...) whose reading is plausible and clearly the best, with a
/// warning in `notes`, and a stop that names the best readings when none is. Files that
/// are plainly not text stop here with a `BatchInviteError.input` that says what the file
/// looks like: an Excel workbook, UTF-32, or binary data with a NUL byte.
public final class TextInput {
    /// How many bytes are read from the file at a time.
    public static let chunkSize = 256 * 1024
    /// Bytes an input that is not a regular file may run without a line break (CR or LF)
    /// before reading stops: room for a record of `CSVReader.maxRecordBytes` and a JSON
    /// line of `JSONLinesReader.maxLineBytes`, and more.
    public static let longestLine = 16 << 20

    /// The name used in messages: the path as given, or `standard input`.
    public let displayName: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var chunkSize = TextInput.chunkSize
    private var decoder = TextDecoder(encoding: .utf8)
    private var raw: [UInt8] = []
    private var decoded: [UInt8] = []
    /// The first bytes (after any byte order mark), read before anything is handed on.
    private var sample: [UInt8] = []
    private var sampleIsWhole = false
    /// Bytes per line in the first 64 KiB (nil when they hold fewer than 16 line feeds):
    /// tables sized by the number of rows are sized from it.
    public private(set) var bytesPerLine: Double?
    private var preamble = PreambleSkipper(lines: 0)

    /// Total bytes read from the file so far (before any conversion); readable from any
    /// thread (progress displays read it while another thread parses).
    public let progress = ReadProgress()
    public var bytesRead: Int { progress.bytes }

    /// The file's size in bytes, when it is a regular file.
    public var size: Int? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// The encoding in force: a byte order mark's, else the one given, else the guess.
    public var encoding: TextEncoding { decoder.encoding }
    /// Whether the encoding came from `--encoding` or a byte order mark rather than a guess
    /// from the first bytes.
    public private(set) var encodingWasGiven = false
    /// Lines before the header that are not handed on (`--skip-lines`, or a Microsoft
    /// Entra template's `version:` line); the readers number lines after them.
    public private(set) var linesSkipped = 0
    /// What the user should be told about how the file is read (an encoding guessed, a
    /// preamble line skipped), one line each.
    public private(set) var notes: [String] = []

    /// Opens `path` for reading (`-` means standard input) and reads its start. `encoding`
    /// nil guesses it; `skipLines` nil skips an Entra template's version line alone.
    public init(
        path: String, encoding: TextEncoding?, skipLines: Int? = 0,
        chunkSize: Int = TextInput.chunkSize
    ) throws {
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
            displayName = "standard input"
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw BatchInviteError.input(
                    "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            descriptor = fd
            ownsDescriptor = true
            displayName = path
        }
        self.chunkSize = max(chunkSize, 4)
        decoder = TextDecoder(encoding: encoding ?? .utf8)
        raw = [UInt8](repeating: 0, count: max(chunkSize, 4))
        preamble = PreambleSkipper(lines: skipLines ?? 0)
        try readSample()
        let markSize = try removeByteOrderMark()
        encodingWasGiven = encoding != nil || markSize > 0
        // UTF-16 has a zero byte beside each line feed's; either way a line feed is 0x0A.
        let lineFeeds = sample.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        if lineFeeds >= 16 { bytesPerLine = Double(sample.count) / Double(lineFeeds) }
        try decideEncoding(skipped: markSize)
        if skipLines == nil, let line = entraVersionLine() {
            preamble = PreambleSkipper(lines: 1)
            notes.append(
                "note: \(displayName): skipping line 1 \"\(TextBytes.shown(line))\", the version line "
                    + "of a Microsoft Entra template (--skip-lines 0 reads it as the header)")
        }
        linesSkipped = preamble.lines
    }

    deinit {
        if ownsDescriptor {
            close(descriptor)
        }
    }

    /// Reads the first `EncodingGuess.sampleSize` bytes (or the whole input, if shorter).
    private func readSample() throws {
        while sample.count < EncodingGuess.sampleSize {
            let count = try readSome(into: 0)
            if count == 0 {
                sampleIsWhole = true
                break
            }
            sample.append(contentsOf: raw[0..<count])
        }
    }

    /// Takes a byte order mark off the sample (the decoder reads in its encoding from then
    /// on); returns its size. Stops for UTF-32.
    private func removeByteOrderMark() throws -> Int {
        let skip = try sample.withUnsafeBytes { bytes in
            let skip = decoder.detectStart(bytes, isFinal: true) ?? 0
            if bytes.starts(with: [0xFF, 0xFE, 0, 0]) || bytes.starts(with: [0, 0, 0xFE, 0xFF]) {
                throw BatchInviteError.input(
                    "\(displayName) is UTF-32 text, which is not read here: save it as UTF-8 "
                        + "and try again")
            }
            return skip
        }
        sample.removeFirst(skip)
        return skip
    }

    /// Reads in the encoding given or guessed from the sample (a note says which was
    /// guessed), once the sample looks like text; stops when no reading is plausible or
    /// several are.
    private func decideEncoding(skipped markSize: Int) throws {
        try sample.withUnsafeBytes { bytes in
            var guess = EncodingGuess.utf8
            if !encodingWasGiven {
                let size = EncodingGuess.sampleSize
                guess = EncodingGuess.guess(
                    UnsafeRawBufferPointer(rebasing: bytes.prefix(size)),
                    isWhole: sampleIsWhole && bytes.count <= size)
                if case .utf16(let bigEndian) = guess { decoder.use(.utf16, bigEndian: bigEndian) }
            }
            try checkLooksLikeText(bytes, skipped: markSize)
            switch guess {
            case .utf8: break
            case .utf16(let bigEndian):
                notes.append(
                    "note: \(displayName) has no byte order mark but reads as UTF-16 "
                        + "(\(bigEndian ? "big" : "little")-endian); give --encoding to read it otherwise"
                )
            case .windows1252(let offset):
                decoder.use(.windows1252)
                notes.append(guessedNote(offset, .windows1252, in: bytes))
            case .legacy(let encoding, let offset):
                decoder.use(encoding)
                notes.append(guessedNote(offset, encoding, in: bytes))
            case .ambiguous(let readings, let offset):
                throw BatchInviteError.input(ambiguity(readings, at: offset, in: bytes))
            case .unknown(let offset):
                throw BatchInviteError.input(unknown(at: offset, in: bytes))
            }
        }
    }

    /// The first line when it is the `version:v1.0` line Microsoft Entra's bulk templates
    /// start with (a spreadsheet may have added delimiters after it).
    private func entraVersionLine() -> String? {
        var copy = decoder
        var text: [UInt8] = []
        sample.prefix(512).withUnsafeBytes { copy.decode($0, isFinal: true, into: &text) }
        guard let end = text.firstIndex(where: { $0 == 10 || $0 == 13 }) else { return nil }
        let line = String(decoding: text[..<end], as: UTF8.self)
        var core = Substring(line)
        while let last = core.last, ",;\t| ".contains(last) { core.removeLast() }
        core = core.drop { $0 == "\"" }
        if core.hasSuffix("\"") { core.removeLast() }
        guard core.lowercased().hasPrefix("version:") else { return nil }
        let value = core.dropFirst("version:".count)
        guard !value.isEmpty, value.count <= 16,
            value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." })
        else { return nil }
        return line
    }

    /// The start of the text as `forEachChunk` will hand it on (UTF-8, after the lines
    /// skipped), from the first bytes read; `isWhole` when that is the whole input. What
    /// the format is judged from. Call it before reading.
    public func startText() -> (text: [UInt8], isWhole: Bool) {
        var copy = decoder
        var text: [UInt8] = []
        sample.withUnsafeBytes { copy.decode($0, isFinal: sampleIsWhole, into: &text) }
        var skipper = PreambleSkipper(lines: linesSkipped)
        let rest = text.withUnsafeBytes { Array(skipper.skip($0)) }
        return (rest, sampleIsWhole)
    }

    /// Calls `body` with each successive piece of the input as UTF-8, until the end.
    /// The buffer is only valid during the call.
    ///
    /// An input that is not a regular file (standard input, a named pipe, a device) has no
    /// end to wait for: once it runs `longestLine` bytes without a line break (a stream of
    /// NUL bytes), reading stops with `BatchInviteError.input`, as no header or record can
    /// be that long.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let limitsLines = size == nil
        var sinceLineBreak = 0
        var total = 0
        func hand(_ bytes: UnsafeRawBufferPointer) throws {
            if limitsLines {
                total += bytes.count
                sinceLineBreak =
                    LineBreaks.bytesAfterLast(in: bytes) ?? sinceLineBreak + bytes.count
                if sinceLineBreak > Self.longestLine {
                    throw BatchInviteError.input(
                        "\(displayName) ran \(Self.longestLine >> 20) MiB without a line break "
                            + "(after \(total - sinceLineBreak) bytes): that is not CSV or JSON "
                            + "Lines text")
                }
            }
            let rest = preamble.skip(bytes)
            if !rest.isEmpty { try body(rest) }
        }
        func process(_ bytes: UnsafeRawBufferPointer, atEnd: Bool) throws {
            if decoder.isPassThrough {
                try hand(bytes)
            } else {
                decoded.removeAll(keepingCapacity: true)
                decoder.decode(bytes, isFinal: atEnd, into: &decoded)
                try decoded.withUnsafeBytes(hand)
            }
        }
        let first = sample
        sample = []
        try first.withUnsafeBytes { bytes in
            var offset = 0
            repeat {
                let end = min(offset + chunkSize, bytes.count)
                try process(
                    UnsafeRawBufferPointer(rebasing: bytes[offset..<end]),
                    atEnd: sampleIsWhole && end == bytes.count)
                offset = end
            } while offset < bytes.count
        }
        guard !sampleIsWhole else { return }
        while true {
            let count = try readSome(into: 0)
            try raw.withUnsafeBytes { all in
                try process(UnsafeRawBufferPointer(rebasing: all[0..<count]), atEnd: count == 0)
            }
            if count == 0 { return }
        }
    }

    private func readSome(into offset: Int) throws -> Int {
        while true {
            let count = raw.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if count >= 0 {
                progress.add(count)
                return count
            }
            if errno == EINTR { continue }
            throw BatchInviteError.io(
                "cannot read \(displayName): \(String(cString: strerror(errno)))")
        }
    }

    /// A count of bytes read, safe to read from any thread.
    public final class ReadProgress: @unchecked Sendable {
        // Safe to share: `value` is only touched with `lock` held.
        private let lock = NSLock()
        private var value = 0

        public var bytes: Int {
            lock.lock()
            defer { lock.unlock() }
            return value
        }

        func add(_ count: Int) {
            lock.lock()
            value += count
            lock.unlock()
        }
    }

    /// Rejects inputs that are not text at all, looking at the start of the file.
    private func checkLooksLikeText(_ bytes: UnsafeRawBufferPointer, skipped: Int) throws {
        guard skipped == 0 || decoder.encoding == .utf8 else { return }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw BatchInviteError.input(
                "\(displayName) is a ZIP archive, probably an Excel workbook (.xlsx): "
                    + "save it as \"CSV UTF-8\" and try again")
        }
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw BatchInviteError.input(
                "\(displayName) is an Office document (.xls): "
                    + "save it as \"CSV UTF-8\" and try again")
        }
        guard decoder.encoding != .utf16, decoder.encoding.isASCIICompatible else { return }
        // Text may hold a stray control byte (the row holding it is reported); binary data
        // and UTF-16 without a byte order mark are full of them.
        let sample = bytes.prefix(8192)
        let controls = sample.filter { $0 < 0x09 || ($0 > 0x0D && $0 < 0x20 && $0 != 0x1B) }.count
        if controls * 20 > sample.count, let offset = sample.firstIndex(where: { $0 < 0x09 }) {
            throw BatchInviteError.input(
                "\(displayName) does not look like text (byte 0x\(String(sample[offset], radix: 16)) at offset "
                    + "\(offset + skipped), and \(controls) control bytes in its first \(sample.count)); "
                    + "if it is UTF-16, give --encoding utf-16")
        }
    }
}

/// Drops the first lines of a stream of text (a preamble before the header): each ends at
/// LF, CRLF or a lone CR, as `LineBreaks` counts them.
struct PreambleSkipper {
    /// How many lines it skips in all.
    let lines: Int
    private var left: Int
    /// The last line skipped ended with CR at the end of a piece: an LF first in the next
    /// one belongs to it.
    private var dropsLF = false

    init(lines: Int) {
        self.lines = lines
        left = lines
    }

    /// The part of `bytes` after the lines still to skip.
    mutating func skip(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard left > 0 || dropsLF else { return bytes }
        var index = 0
        if dropsLF, !bytes.isEmpty {
            dropsLF = false
            if bytes[0] == 10 { index = 1 }
        }
        while left > 0 {
            guard let end = bytes[index...].firstIndex(where: { $0 == 10 || $0 == 13 }) else {
                return UnsafeRawBufferPointer(rebasing: bytes[bytes.count...])
            }
            left -= 1
            index = end + 1
            if bytes[end] == 13 {
                if index == bytes.count {
                    dropsLF = true
                } else if bytes[index] == 10 {
                    index += 1
                }
            }
        }
        return UnsafeRawBufferPointer(rebasing: bytes[index...])
    }
}
