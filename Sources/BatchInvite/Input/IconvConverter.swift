#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Converts text in any encoding the C library's iconv(3) knows into UTF-8, piece by piece:
/// a character cut by the end of a piece is held back until the next one. A byte sequence
/// that is not valid in the encoding comes out as the byte 0xFF (never valid UTF-8, so the
/// record holding it is reported, not garbled), and conversion goes on at the next byte.
///
/// Not safe to share between threads; `TextDecoder` holds one per input.
final class IconvConverter {
    /// The encoding's name as iconv knows it.
    let name: String
    private let handle: iconv_t
    /// Bytes of a character cut by the end of the last piece.
    private var carry: [UInt8] = []

    /// Nil when iconv does not know `name` (or cannot convert it to UTF-8).
    init?(from name: String) {
        let handle = iconv_open("UTF-8", name)
        guard Int(bitPattern: handle) != -1, let handle else { return nil }
        self.name = name
        self.handle = handle
    }

    deinit {
        iconv_close(handle)
    }

    /// A converter of the same encoding at the start of a stream.
    func fresh() -> IconvConverter {
        // The name opened once, so it opens again.
        IconvConverter(from: name) ?? self
    }

    /// Whether iconv knows `name` as an encoding it can convert to UTF-8.
    static func knows(_ name: String) -> Bool {
        IconvConverter(from: name) != nil
    }

    /// Appends the UTF-8 form of `bytes` to `out`; `isFinal` says nothing follows, so a
    /// character cut short at the end is invalid. Returns how many invalid sequences were
    /// met (each written as 0xFF).
    @discardableResult
    func convert(_ bytes: UnsafeRawBufferPointer, isFinal: Bool, into out: inout [UInt8]) -> Int {
        if carry.isEmpty {
            return convertJoined(bytes, isFinal: isFinal, into: &out)
        }
        var joined = carry
        joined.append(contentsOf: bytes)
        carry.removeAll()
        return joined.withUnsafeBytes { convertJoined($0, isFinal: isFinal, into: &out) }
    }

    private func convertJoined(
        _ bytes: UnsafeRawBufferPointer, isFinal: Bool, into out: inout [UInt8]
    ) -> Int {
        var invalid = 0
        var offset = 0
        var space = [UInt8](repeating: 0, count: max(4 * bytes.count, 64))
        while offset < bytes.count {
            let (consumed, written, failure) = space.withUnsafeMutableBytes { target in
                convertOnce(UnsafeRawBufferPointer(rebasing: bytes[offset...]), into: target)
            }
            offset += consumed
            out.append(contentsOf: space[0..<written])
            switch failure {
            case nil:
                continue
            case E2BIG:
                if written == 0 { space = [UInt8](repeating: 0, count: space.count * 2) }
            case EINVAL where !isFinal:
                // A character cut by the end of this piece: it waits for the next.
                carry = Array(bytes[offset...])
                return invalid
            default:
                // EILSEQ, or a character cut by the end of the input.
                invalid += 1
                out.append(0xFF)
                offset += 1
            }
        }
        if isFinal { flush(into: &out) }
        return invalid
    }

    /// One call of iconv: bytes consumed, bytes written, and errno when it stopped early.
    private func convertOnce(
        _ input: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer
    ) -> (Int, Int, Int32?) {
        guard let inputBase = input.baseAddress, let targetBase = target.baseAddress else {
            return (0, 0, nil)
        }
        var source: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(
            mutating: inputBase.assumingMemoryBound(to: CChar.self))
        var sourceLeft = input.count
        var sink: UnsafeMutablePointer<CChar>? = targetBase.assumingMemoryBound(to: CChar.self)
        var sinkLeft = target.count
        let result = iconv(handle, &source, &sourceLeft, &sink, &sinkLeft)
        let failure = result == -1 ? errno : nil
        return (input.count - sourceLeft, target.count - sinkLeft, failure)
    }

    /// Writes what a stateful encoding holds back and returns to the initial state.
    private func flush(into out: inout [UInt8]) {
        var space = [UInt8](repeating: 0, count: 64)
        let written = space.withUnsafeMutableBytes { target -> Int in
            guard let base = target.baseAddress else { return 0 }
            var sink: UnsafeMutablePointer<CChar>? = base.assumingMemoryBound(to: CChar.self)
            var sinkLeft = target.count
            _ = iconv(handle, nil, nil, &sink, &sinkLeft)
            return target.count - sinkLeft
        }
        out.append(contentsOf: space[0..<written])
    }

    /// The UTF-8 form of `bytes` when all of them are valid in encoding `name` (a character
    /// cut by the end is left out unless `isWhole`); nil when one is not, or iconv does not
    /// know the name.
    static func strictUTF8(of bytes: UnsafeRawBufferPointer, from name: String, isWhole: Bool)
        -> [UInt8]?
    {
        guard let converter = IconvConverter(from: name) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        let invalid = converter.convert(bytes, isFinal: isWhole, into: &out)
        return invalid == 0 ? out : nil
    }
}
