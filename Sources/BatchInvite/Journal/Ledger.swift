import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A job's memory across runs (`--ledger`): every key invited, with its target and when,
/// and every key sent without an answer (in doubt), whatever input and journal each
/// night's run had. A row whose key it holds as invited is not sent again (until
/// `--reinvite-after` days have passed); one it holds in doubt follows `--in-doubt`.
///
/// The file is JSON Lines framed like the journal (each line's CRC-32 in its `sum`), mode
/// 0600: a header, then one record per change, `{"t":target,"k":key,"s":state,"at":seconds}`
/// with state `i` (invited), `d` (sent, no answer yet: in doubt), `c` (settled without an
/// invitation) or `f` (forgotten by `ledger forget`). The records of a run are written and
/// synced with the journal's groups, so a row's `d` is on disk before it is sent. A torn
/// last line is cut; damage elsewhere stops with exit 2 naming the line. One run at a time
/// holds it (an exclusive lock on the file; exit 5 for a second).
///
/// In memory each key is 16 bytes of a dictionary (a 64-bit digest of target and key, and
/// its state and time), so a million keys take about 40 MB.
public final class Ledger: @unchecked Sendable {
    // Safe to share: `index` is filled before the run begins and only read afterwards;
    // `descriptor` is written by the journal's committing thread alone.

    /// What the ledger says of a key.
    public enum State: UInt8, Sendable {
        case invited = 0x69  // i
        case inDoubt = 0x64  // d
        case settled = 0x63  // c
        case forgotten = 0x66  // f
    }

    public struct Entry: Sendable, Equatable {
        public var state: State
        /// Seconds since 1970.
        public var at: Int64
    }

    public let path: String
    public let target: String
    private let descriptor: Int32
    private var index: [UInt64: UInt64]
    /// Records in the file (for `show`).
    public private(set) var records = 0

    /// Opens (creating) the ledger at `path` for a run on `target`, taking its lock and
    /// reading it whole. Throws exit 5 when another run holds it, exit 2 when damaged.
    public init(path: String, target: String) throws {
        self.path = path
        self.target = target
        let descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BatchInviteError.io(
                "cannot open the ledger \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw BatchInviteError.inUse("the ledger \(path) is in use by another run")
        }
        self.descriptor = descriptor
        index = [:]
        var info = stat()
        fstat(descriptor, &info)
        let isNew = info.st_size == 0
        do {
            var count = 0
            var loaded: [UInt64: UInt64] = [:]
            let prefix = Self.prefix(target)
            try Self.scan(path: path, descriptor: descriptor, repairs: true) { record in
                count += 1
                guard record.target == prefix else { return }
                let digest = Self.digest(record.key)
                if record.state == .forgotten || record.state == .settled {
                    loaded[digest] = nil
                } else {
                    loaded[digest] = Self.pack(record.state, record.at)
                }
            }
            if isNew {
                var header: [UInt8] = []
                JournalFormat.appendFrame(
                    Array("{\"type\":\"ledger\",\"version\":1}".utf8)[...], to: &header)
                guard header.withUnsafeBytes({ FileDescriptors.writeAll(descriptor, $0) }) else {
                    throw BatchInviteError.io("cannot write the ledger \(path)")
                }
            }
            index = loaded
            records = count
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit {
        close(descriptor)
    }

    /// Keys the ledger remembers for this target (invited or in doubt).
    public var count: Int { index.count }

    /// What the ledger says of `key` for this target, if anything.
    public func entry(for key: String) -> Entry? {
        var encoded: [UInt8] = []
        TextBytes.appendJSONString(key, to: &encoded)
        let digest = encoded.withUnsafeBytes { Self.digest($0) }
        guard let packed = index[digest] else { return nil }
        return Entry(
            state: State(rawValue: UInt8(packed >> 56)) ?? .invited,
            at: Int64(packed & 0x00FF_FFFF_FFFF_FFFF))
    }

    /// Appends the framed record of `key` entering `state` at `at` (seconds) to `out`.
    public func appendRecord(key: String, state: State, at: Int64, to out: inout [UInt8]) {
        var object = Self.prefix(target)
        TextBytes.appendJSONString(key, to: &object)
        object.append(contentsOf: ",\"s\":\"".utf8)
        object.append(state.rawValue)
        object.append(contentsOf: "\",\"at\":".utf8)
        TextBytes.appendInteger(Int(at), to: &object)
        object.append(UInt8(ascii: "}"))
        JournalFormat.appendFrame(object[...], to: &out)
    }

    /// Writes `bytes` at the end and syncs them (`syncs` false for benchmarks only).
    func write(_ bytes: [UInt8], syncs: Bool) -> BatchInviteError? {
        guard !bytes.isEmpty else { return nil }
        guard bytes.withUnsafeBytes({ FileDescriptors.writeAll(descriptor, $0) }) else {
            return .io("cannot write the ledger \(path): \(String(cString: strerror(errno)))")
        }
        if syncs && fsync(descriptor) != 0 {
            return .io("cannot sync the ledger \(path): \(String(cString: strerror(errno)))")
        }
        return nil
    }

    // MARK: The file

    /// One record as read: its target prefix and key as they are in the file (JSON), its
    /// state and time.
    struct Record {
        var target: [UInt8]
        var key: UnsafeRawBufferPointer
        var keyText: String { (try? JSONParser.parse(key))?.text ?? "" }
        var state: State
        var at: Int64
    }

    /// `{"t":"<target>","k":` — what every record of a target starts with.
    static func prefix(_ target: String) -> [UInt8] {
        var out = Array("{\"t\":".utf8)
        TextBytes.appendJSONString(target, to: &out)
        out.append(contentsOf: ",\"k\":".utf8)
        return out
    }

    private static func digest(_ encodedKey: UnsafeRawBufferPointer) -> UInt64 {
        KeyDigest.digest(encodedKey, seed: 0x1ED6E5)
    }

    private static func digest(_ key: [UInt8]) -> UInt64 {
        key.withUnsafeBytes { digest($0) }
    }

    private static func pack(_ state: State, _ at: Int64) -> UInt64 {
        UInt64(state.rawValue) << 56 | UInt64(max(at, 0)) & 0x00FF_FFFF_FFFF_FFFF
    }

    /// Reads every record of the ledger at `path` (open as `descriptor`, at its end or
    /// start: it is read with `pread`), in order; cuts a torn last line when `repairs`.
    static func scan(
        path: String, descriptor: Int32, repairs: Bool, _ body: (Record) throws -> Void
    ) throws {
        var buffer = LineBuffer()
        defer { buffer.free() }
        var offset: Int64 = 0
        var line = 0
        var damaged: (line: Int, offset: Int64)?
        while true {
            let count = try buffer.fill(from: descriptor, at: offset, path: path)
            let bytes = buffer.bytes
            var start = 0
            while start < bytes.count,
                let found = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start)
            {
                let newline = bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
                line += 1
                if let earlier = damaged {
                    throw BatchInviteError.input(
                        "the ledger \(path) is damaged at line \(earlier.line) (byte \(earlier.offset)); "
                            + "`batch-invite ledger compact` cannot mend that: restore it from a backup"
                    )
                }
                let text = UnsafeRawBufferPointer(rebasing: bytes[start..<newline])
                if let members = JournalFormat.checkedMembers(text) {
                    if line == 1 {
                        guard members.starts(with: "{\"type\":\"ledger\"".utf8) else {
                            throw BatchInviteError.input(
                                "\(path) is not a ledger (its first line is not a ledger's header)")
                        }
                    } else if let record = parse(members) {
                        try body(record)
                    } else {
                        damaged = (line, offset + Int64(start))
                    }
                } else {
                    if line == 1 {
                        throw BatchInviteError.input(
                            "\(path) is not a ledger (its first line is not a ledger's header)")
                    }
                    damaged = (line, offset + Int64(start))
                }
                start = newline + 1
            }
            offset += Int64(start)
            buffer.drop(start)
            if count == 0 { break }
        }
        let tornAt = damaged?.offset ?? (buffer.bytes.isEmpty ? nil : offset)
        if let tornAt, repairs {
            guard ftruncate(descriptor, off_t(tornAt)) == 0, fsync(descriptor) == 0 else {
                throw BatchInviteError.io(
                    "cannot repair the ledger \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// A record's members (without the closing brace and checksum): the target up to the
    /// key, the key (a JSON string), the state letter and the time.
    private static func parse(_ members: UnsafeRawBufferPointer) -> Record? {
        let keyMarker = Array(",\"k\":".utf8)
        guard members.starts(with: "{\"t\":\"".utf8) else { return nil }
        // The target: a JSON string without escapes (target names are plain).
        guard let targetEnd = members[6...].firstIndex(of: UInt8(ascii: "\"")),
            members[(targetEnd + 1)...].starts(with: keyMarker)
        else { return nil }
        let keyStart = targetEnd + 1 + keyMarker.count
        guard keyStart < members.count, members[keyStart] == UInt8(ascii: "\"") else { return nil }
        var cursor = keyStart + 1
        while cursor < members.count && members[cursor] != UInt8(ascii: "\"") {
            cursor += members[cursor] == UInt8(ascii: "\\") ? 2 : 1
        }
        let keyEnd = cursor + 1
        let stateMarker = Array(",\"s\":\"".utf8)
        guard keyEnd + stateMarker.count + 1 < members.count,
            members[keyEnd...].starts(with: stateMarker),
            let state = State(rawValue: members[keyEnd + stateMarker.count])
        else { return nil }
        let atMarker = Array("\",\"at\":".utf8)
        let atStart = keyEnd + stateMarker.count + 1
        guard members[atStart...].starts(with: atMarker) else { return nil }
        var at: Int64 = 0
        var digits = 0
        for byte in members[(atStart + atMarker.count)...] {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            at = at * 10 + Int64(byte - 0x30)
            digits += 1
        }
        guard digits > 0 else { return nil }
        return Record(
            target: Array(members[0..<keyStart]),
            key: UnsafeRawBufferPointer(rebasing: members[keyStart..<keyEnd]), state: state,
            at: at)
    }

}
