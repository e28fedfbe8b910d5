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
/// In memory each key of the run's target is one 12-byte slot of a `KeyDigestSet` (a 64-bit
/// digest of the key, its state and the minute of its record), so a million keys take
/// 16-24 MB; the digest's seed is new in each process, so a collision of two keys (about
/// n²/2⁶⁵) does not repeat from one night to the next.
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
    /// Each key's state and minute (`pack`); keys settled or forgotten keep a slot with
    /// neither.
    private var index: KeyDigestSet
    private var prefetchSink: UInt32 = 0
    /// Records in the file (for `show`).
    public private(set) var records = 0

    /// Opens (creating) the ledger at `path` for a run on `target`, taking its lock and
    /// reading it whole. Throws exit 5 when another run holds it, exit 2 when damaged.
    ///
    /// `readOnly` (a dry run's plan): the file is only read, without its lock (a run may
    /// hold it) and without repairing a torn last line; a file that does not exist is an
    /// empty ledger. Such a ledger is never written.
    public init(path: String, target: String, readOnly: Bool = false) throws {
        self.path = path
        self.target = target
        let descriptor =
            readOnly
            ? open(path, O_RDONLY | O_CLOEXEC)
            : open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if readOnly && descriptor < 0 && errno == ENOENT {
            self.descriptor = -1
            index = KeyDigestSet()
            return
        }
        guard descriptor >= 0 else {
            throw BatchInviteError.io(
                "cannot open the ledger \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw BatchInviteError.usage(
                "the ledger \(path) is \(FileKind.describe(status.st_mode)); it must be a regular "
                    + "file")
        }
        guard readOnly || JournalLock.take(descriptor, LOCK_EX) else {
            close(descriptor)
            throw BatchInviteError.inUse("the ledger \(path) is in use by another run")
        }
        self.descriptor = descriptor
        index = KeyDigestSet()
        var info = stat()
        fstat(descriptor, &info)
        let isNew = info.st_size == 0
        do {
            let loaded = try Self.load(
                path: path, descriptor: descriptor, target: target, repairs: !readOnly)
            prefetchSink = loaded.sink  // keeps the loads from being optimised away
            if isNew && !readOnly {
                var header: [UInt8] = []
                JournalFormat.appendFrame(Self.headerObject[...], to: &header)
                guard header.withUnsafeBytes({ FileDescriptors.writeAll(descriptor, $0) }) else {
                    throw BatchInviteError.io("cannot write the ledger \(path)")
                }
            }
            index = loaded.index
            records = loaded.records
        } catch {
            // Every property is set: the deinitializer runs and closes the file (closing it
            // here too would close whatever file got the number in between).
            throw error
        }
    }

    /// Reads the ledger open at `descriptor` whole (`repairs`: cutting off a torn last
    /// line): the latest state of each key of `target`, and how many records it holds.
    private static func load(path: String, descriptor: Int32, target: String, repairs: Bool)
        throws -> (index: KeyDigestSet, records: Int, sink: UInt32)
    {
        var count = 0
        var loaded = KeyDigestSet()
        let prefix = Self.prefix(target)
        // A table of a million slots is read at random: each record's slot is loaded
        // eight records before it is updated, so that memory works while the next
        // lines are checked. The ring keeps the records' order.
        var ring = [(digest: UInt64, value: UInt32)](repeating: (0, 0), count: 8)
        var queued = 0
        var sink: UInt32 = 0
        try Self.scan(path: path, descriptor: descriptor, repairs: repairs) { record in
            count += 1
            guard record.target.count == prefix.count,
                memcmp(record.target.baseAddress!, prefix, prefix.count) == 0
            else { return }
            let digest = KeyDigest.digest(record.key)
            sink &+= loaded.prefetch(digest: digest)
            let slot = queued & 7
            if queued >= 8 { loaded.update(digest: ring[slot].digest, value: ring[slot].value) }
            ring[slot] = (digest, Self.pack(record.state, record.at))
            queued += 1
        }
        for index in max(0, queued - 8)..<queued {
            loaded.update(digest: ring[index & 7].digest, value: ring[index & 7].value)
        }
        return (loaded, count, sink)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// What the ledger says of `key` for this target, if anything (`at` to the minute).
    public func entry(for key: String) -> Entry? {
        var encoded: [UInt8] = []
        TextBytes.appendJSONString(key, to: &encoded)
        let digest = encoded.withUnsafeBytes { KeyDigest.digest($0) }
        guard let packed = index.value(digest: digest) else { return nil }
        let minute = Int64(packed & Self.minuteMask) * 60
        switch packed >> 30 {
        case 1: return Entry(state: .invited, at: minute)
        case 2: return Entry(state: .inDoubt, at: minute)
        default: return nil
        }
    }

    /// Appends the framed record of `key` entering `state` at `at` (seconds) to `out`.
    public func appendRecord(key: String, state: State, at: Int64, to out: inout [UInt8]) {
        Self.appendRecord(target: target, key: key, state: state, at: at, to: &out)
    }

    /// Appends the framed record of `key` of `target` entering `state` at `at` (seconds).
    static func appendRecord(
        target: String, key: String, state: State, at: Int64, to out: inout [UInt8]
    ) {
        var json = JSONWriter()
        json.beginObject()
        json.member("t", target)
        json.member("k", key)
        json.member("s", String(UnicodeScalar(state.rawValue)))
        json.member("at", Int(at))
        json.endObject()
        JournalFormat.appendFrame(json.bytes[...], to: &out)
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
        var target: UnsafeRawBufferPointer
        var key: UnsafeRawBufferPointer
        var keyText: String { (try? JSONParser.parse(key))?.text ?? "" }
        var state: State
        var at: Int64
    }

    /// `{"t":"<target>","k":` — what every record of a target starts with.
    static func prefix(_ target: String) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.member("t", target)
        json.key("k")
        return json.bytes
    }

    /// The ledger's first record (members, without the checksum).
    static let headerObject = JSONWriter.object { json in
        json.member("type", "ledger")
        json.member("version", 1)
    }

    private static let minuteMask: UInt32 = (1 << 30) - 1

    /// A key's state in the top two bits (1 invited, 2 in doubt, 0 neither), and the
    /// minute of its record since 1970 in the other 30 (until the year 3011).
    private static func pack(_ state: State, _ at: Int64) -> UInt32 {
        let code: UInt32
        switch state {
        case .invited: code = 1
        case .inDoubt: code = 2
        case .settled, .forgotten: code = 0
        }
        return code << 30 | UInt32(min(max(at / 60, 0), Int64(minuteMask)))
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

    private static let targetMarker: [UInt8] = Array("{\"t\":\"".utf8)
    private static let keyMarker: [UInt8] = Array(",\"k\":".utf8)
    private static let stateMarker: [UInt8] = Array(",\"s\":\"".utf8)
    private static let atMarker: [UInt8] = Array("\",\"at\":".utf8)

    /// A record's members (without the closing brace and checksum): the target up to the
    /// key, the key (a JSON string), the state letter and the time.
    private static func parse(_ members: UnsafeRawBufferPointer) -> Record? {
        guard let base = members.baseAddress else { return nil }
        let count = members.count
        /// Whether `marker` is at `offset`.
        func has(_ marker: [UInt8], at offset: Int) -> Bool {
            offset + marker.count <= count
                && marker.withUnsafeBytes { memcmp(base + offset, $0.baseAddress!, $0.count) } == 0
        }
        guard has(targetMarker, at: 0) else { return nil }
        // The target: a JSON string without escapes (target names are plain).
        guard let quote = memchr(base + 6, 0x22, count - 6) else { return nil }
        let targetEnd = base.distance(to: UnsafeRawPointer(quote))
        guard has(keyMarker, at: targetEnd + 1) else { return nil }
        let keyStart = targetEnd + 1 + keyMarker.count
        guard keyStart < count, members[keyStart] == UInt8(ascii: "\"") else { return nil }
        var cursor = keyStart + 1
        if let quote = memchr(base + cursor, 0x22, count - cursor),
            memchr(base + cursor, 0x5C, base.distance(to: UnsafeRawPointer(quote)) - cursor) == nil
        {
            cursor = base.distance(to: UnsafeRawPointer(quote))  // no escape in the key
        } else {
            while cursor < count && members[cursor] != UInt8(ascii: "\"") {
                cursor += members[cursor] == UInt8(ascii: "\\") ? 2 : 1
            }
        }
        let keyEnd = cursor + 1
        guard has(stateMarker, at: keyEnd), keyEnd + stateMarker.count < count,
            let state = State(rawValue: members[keyEnd + stateMarker.count])
        else { return nil }
        let atStart = keyEnd + stateMarker.count + 1
        guard has(atMarker, at: atStart), atStart + atMarker.count < count else { return nil }
        var at: Int64 = 0
        for index in (atStart + atMarker.count)..<count {
            let byte = members[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            at = at * 10 + Int64(byte - 0x30)
        }
        return Record(
            target: UnsafeRawBufferPointer(rebasing: members[0..<keyStart]),
            key: UnsafeRawBufferPointer(rebasing: members[keyStart..<keyEnd]), state: state,
            at: at)
    }

}
