import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An input file (or standard input, named `-`) read in chunks and handed on as UTF-8,
/// with its byte order mark removed. Memory stays at a few chunks whatever the file size.
///
/// Files that are plainly not text stop here with a `BatchInviteError.input` that says
/// what the file looks like: an Excel workbook, or binary data with a NUL byte.
public final class TextInput {
    /// How many bytes are read from the file at a time.
    public static let chunkSize = 256 * 1024

    /// The name used in messages: the path as given, or `standard input`.
    public let displayName: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var decoder: TextDecoder
    private var raw: [UInt8]
    private var decoded: [UInt8] = []

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

    /// The encoding in force once reading began (a byte order mark can override the one given).
    public var encoding: TextEncoding { decoder.encoding }

    /// Opens `path` for reading; `-` means standard input.
    public init(path: String, encoding: TextEncoding, chunkSize: Int = TextInput.chunkSize)
        throws
    {
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
        decoder = TextDecoder(encoding: encoding)
        raw = [UInt8](repeating: 0, count: max(chunkSize, 4))
    }

    deinit {
        if ownsDescriptor {
            close(descriptor)
        }
    }

    /// Calls `body` with each successive piece of the input as UTF-8, until the end.
    /// The buffer is only valid during the call.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var start = 0  // bytes held at the front of `raw` while the BOM is undecided
        var first = true
        while true {
            let count = try readSome(into: start)
            let available = start + count
            let atEnd = count == 0
            try raw.withUnsafeBytes { all in
                var bytes = UnsafeRawBufferPointer(rebasing: all[0..<available])
                if first {
                    guard let skip = decoder.detectStart(bytes, isFinal: atEnd) else {
                        start = available
                        return
                    }
                    bytes = UnsafeRawBufferPointer(rebasing: bytes[skip...])
                    try checkLooksLikeText(bytes, skipped: skip)
                    first = false
                    start = 0
                }
                if decoder.isPassThrough {
                    if !bytes.isEmpty { try body(bytes) }
                } else {
                    decoded.removeAll(keepingCapacity: true)
                    decoder.decode(bytes, isFinal: atEnd, into: &decoded)
                    if !decoded.isEmpty {
                        try decoded.withUnsafeBytes { try body($0) }
                    }
                }
            }
            if atEnd { return }
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
        guard decoder.encoding != .utf16 else { return }
        // Text may hold a stray control byte (the row holding it is reported); binary data
        // and UTF-16 without a byte order mark are full of them.
        let sample = bytes.prefix(8192)
        let controls = sample.filter { $0 < 0x09 || ($0 > 0x0D && $0 < 0x20 && $0 != 0x1B) }.count
        if controls * 20 > sample.count, let offset = sample.firstIndex(where: { $0 < 0x09 }) {
            throw BatchInviteError.input(
                "\(displayName) does not look like text (byte 0x\(String(sample[offset], radix: 16)) at offset "
                    + "\(offset + skipped), and \(controls) control bytes in its first \(sample.count)); "
                    + "if it is UTF-16 without a byte order mark, pass --encoding utf-16")
        }
    }
}
