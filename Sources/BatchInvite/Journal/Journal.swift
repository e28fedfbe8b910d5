import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The run's record of what happened to each row: an append-only JSON Lines file, one
/// record per line, mode 0600. Appends are queued and written by a thread of their own,
/// which also encodes and checksums them (the sending thread's time goes to sending), with
/// one `fsync` per group, so many rows share the cost of each sync: a group holding a
/// dispatch record is written as soon as the previous one is on disk (a row waits for it
/// before it is sent); outcomes alone wait up to `commitInterval` or `commitRecords`
/// records, whichever comes first.
///
/// Safe for concurrent use.
public final class Journal: DispatchLog, @unchecked Sendable {
    // Safe to share: `dispatches`, `others`, `appendedDispatches`, `durableDispatches`,
    // `closing`, `committerIdle`, `failure` and the observers are only touched with
    // `condition` locked; `size` by the committing thread alone (and `init` before it
    // starts); the descriptors are fixed.

    /// The longest a record waits before its group is written and synced.
    public static let commitInterval = 0.010
    /// A group is written at once when it holds this many records.
    public static let commitRecords = 256

    public let path: String
    private let lock: JournalLock
    private let descriptor: Int32
    /// Used by `record(at:)` alone, once appending is over.
    private let reader: JournalReader
    private let condition = NSCondition()
    /// Dispatch records appended and not yet taken by the committing thread: a row waits
    /// for each, so a group holding one is written at once.
    private var dispatches: [Record] = []
    /// Other records appended and not yet taken (outcomes, the end record).
    private var others: [Record] = []
    /// Dispatch records appended since the journal was opened, and how many are on disk.
    private var appendedDispatches: Int64 = 0
    private var durableDispatches: Int64 = 0
    private var closing = false
    /// Whether the committing thread waits for records (not gathering a group).
    private var committerIdle = false
    private var observers: [@Sendable () -> Void] = []
    private var outcomeObserver: (@Sendable (_ row: Int, _ offset: Int64) -> Void)?
    private var failure: BatchInviteError?
    private let committerEnded = DispatchSemaphore(value: 0)
    /// The file's size as the committing thread has written it.
    private var size: Int64
    /// Syncs can be switched off for benchmarks that measure their cost (never otherwise).
    private let syncs: Bool

    /// A record waiting to be encoded and written.
    private enum Record {
        case dispatch(row: Int, line: Int, key: String)
        case outcome(ReportRecord, OutcomeMarks)
        case object([UInt8])
    }

    /// Opens the journal at `path` for a run: created with `header` when it does not exist
    /// or is empty, else appended to (after `JournalScanner` checked it and cut off a torn
    /// tail). Holds the journal's lock while open.
    public init(path: String, header: JournalHeader, lock: JournalLock? = nil, syncs: Bool = true)
        throws
    {
        self.path = path
        self.syncs = syncs
        self.lock = try lock ?? JournalLock(journal: path)
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BatchInviteError.io(
                "cannot create the journal \(path): \(String(cString: strerror(errno)))")
        }
        reader = try JournalReader(path: path)
        var info = stat()
        fstat(descriptor, &info)
        size = Int64(info.st_size)
        if info.st_size == 0 {
            // Written at once: every other record must come after it (synced with the first group).
            var bytes: [UInt8] = []
            JournalFormat.appendFrame(header.object[...], to: &bytes)
            if let error = write(bytes, sync: false) { throw error }
            size = Int64(bytes.count)
        }
        let committer = Thread { [self] in
            commitLoop()
            committerEnded.signal()
        }
        committer.start()
    }

    public func appendDispatch(row: Int, line: Int, key: String) -> Int64 {
        enqueue(.dispatch(row: row, line: line, key: key))
    }

    public func commitDispatches() {
        condition.lock()
        if !dispatches.isEmpty { condition.broadcast() }
        condition.unlock()
    }

    public func durablePosition() throws -> Int64 {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        return durableDispatches
    }

    public func whenDurable(_ observer: @escaping @Sendable () -> Void) {
        condition.lock()
        observers.append(observer)
        condition.unlock()
    }

    /// Calls `observer`, on the committing thread, with the row and file offset of each
    /// outcome once it is encoded (all of them before `close` returns). Set it before the
    /// first outcome is appended.
    public func whenOutcomeWritten(
        _ observer: @escaping @Sendable (_ row: Int, _ offset: Int64) -> Void
    ) {
        condition.lock()
        outcomeObserver = observer
        condition.unlock()
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// Appends one record (the outcome of a row), with what a later run must know of it.
    public func append(_ record: ReportRecord, marks: OutcomeMarks = OutcomeMarks()) {
        enqueue(.outcome(record, marks))
    }

    /// Appends the record that the input was read to its end: `rows` data rows and
    /// `blankRecordsSkipped` blank records. With it, a later run whose journal settles
    /// every row need not read the input again.
    public func end(rows: Int, blankRecordsSkipped: Int) {
        enqueue(
            .object(
                Array("{\"type\":\"end\",\"rows\":\(rows),\"blank\":\(blankRecordsSkipped)}".utf8)))
    }

    /// Queues a record; for a dispatch record returns its number (from 1 in this run), the
    /// position `durablePosition` must reach for it to be on disk: it is written in the
    /// next group, at once, when `commitDispatches` says the batch is whole.
    @discardableResult
    private func enqueue(_ record: Record) -> Int64 {
        condition.lock()
        defer { condition.unlock() }
        if case .dispatch = record {
            dispatches.append(record)
            appendedDispatches += 1
            return appendedDispatches
        }
        others.append(record)
        // Woken only when it has a reason to act: it slept on an empty queue or the group is
        // full (a signal per record would cost a switch per record).
        if committerIdle || others.count >= Self.commitRecords { condition.broadcast() }
        return 0
    }

    /// Encodes `records` into `out`, telling the outcome observer where each outcome lands.
    private func encode(
        _ records: [Record], into out: inout [UInt8], observer: ((Int, Int64) -> Void)?
    ) {
        var object: [UInt8] = []
        var json: [UInt8] = []
        for record in records {
            object.removeAll(keepingCapacity: true)
            switch record {
            case .dispatch(let row, let line, let key):
                object.append(contentsOf: "{\"type\":\"dispatch\",\"row\":".utf8)
                TextBytes.appendInteger(row, to: &object)
                object.append(contentsOf: ",\"line\":".utf8)
                TextBytes.appendInteger(line, to: &object)
                object.append(contentsOf: ",\"key\":".utf8)
                TextBytes.appendJSONString(key, to: &object)
                object.append(UInt8(ascii: "}"))
            case .outcome(let outcome, let marks):
                observer?(outcome.row, size + Int64(out.count))
                object.append(contentsOf: "{\"type\":\"outcome\",".utf8)
                // Flags before the row: a reader's walk stops once it has the status.
                if marks.transient { object.append(contentsOf: "\"transient\":true,".utf8) }
                if marks.unsettled { object.append(contentsOf: "\"unsettled\":true,".utf8) }
                json.removeAll(keepingCapacity: true)
                outcome.appendJSON(to: &json)
                object.append(contentsOf: json[1..<(json.count - 1)])  // without its { and newline
            case .object(let bytes):
                object.append(contentsOf: bytes)
            }
            JournalFormat.appendFrame(object[...], to: &out)
        }
    }

    /// Writes and syncs everything appended, stops the committing thread, and reports a
    /// write error that happened on the way.
    public func close() throws {
        condition.lock()
        closing = true
        condition.broadcast()
        condition.unlock()
        committerEnded.wait()
        if let failure { throw failure }
    }

    /// The record written at `offset` (read back for the report, once appending is over).
    public func record(at offset: Int64) throws -> ReportRecord {
        try reader.record(at: offset)
    }

    private func commitLoop() {
        var dispatchGroup: [Record] = []
        var otherGroup: [Record] = []
        var bytes: [UInt8] = []
        condition.lock()
        while true {
            while dispatches.isEmpty && others.isEmpty && !closing {
                committerIdle = true
                condition.wait()
                committerIdle = false
            }
            if dispatches.isEmpty && others.isEmpty && closing { break }
            // Outcomes alone gather a group for up to the interval; rows waiting for their
            // dispatch records do not wait for company (records appended during this
            // group's sync form the next).
            let deadline = Date(timeIntervalSinceNow: Self.commitInterval)
            while dispatches.isEmpty && others.count < Self.commitRecords && !closing
                && condition.wait(until: deadline)
            {}
            swap(&dispatchGroup, &dispatches)
            swap(&otherGroup, &others)
            let observer = outcomeObserver
            condition.unlock()
            // Outcomes first: once a dispatch record is on disk, so is every outcome
            // appended before it (a run killed then leaves no more rows in doubt than it
            // had requests under way).
            bytes.removeAll(keepingCapacity: true)
            encode(otherGroup, into: &bytes, observer: observer)
            encode(dispatchGroup, into: &bytes, observer: nil)
            let error = write(bytes, sync: true)
            size += Int64(bytes.count)
            let count = Int64(dispatchGroup.count)
            dispatchGroup.removeAll(keepingCapacity: true)
            otherGroup.removeAll(keepingCapacity: true)
            condition.lock()
            durableDispatches += count
            if let error, failure == nil { failure = error }
            if count > 0 || error != nil {
                let observers = self.observers
                condition.unlock()
                observers.forEach { $0() }
                condition.lock()
            }
        }
        condition.unlock()
    }

    /// Writes `bytes` at the end of the journal, then syncs it when `sync` says so.
    private func write(_ bytes: [UInt8], sync: Bool) -> BatchInviteError? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return .io("cannot write the journal \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        if sync && syncs && fsync(descriptor) != 0 {
            return .io("cannot sync the journal \(path): \(String(cString: strerror(errno)))")
        }
        return nil
    }
}

/// The journal's first record: what the run was about, so that a later run can tell
/// whether the journal belongs to it.
public struct JournalHeader: Sendable, Equatable {
    public var target: String
    public var baseURL: String
    public var path: String
    public var input: String
    /// The input's size and a 64-bit hash of its bytes; nil for standard input.
    public var fingerprint: InputFingerprint?
    /// How the input is read (format, delimiter, encoding, `--map`, defaults), so that
    /// `report` can read it again the same way; its path is kept made absolute.
    public var inputOptions: InputOptions?

    public init(
        target: String, baseURL: String, path: String, input: String,
        fingerprint: InputFingerprint?,
        inputOptions: InputOptions? = nil
    ) {
        self.target = target
        self.baseURL = baseURL
        self.path = path
        self.input = input
        self.fingerprint = fingerprint
        self.inputOptions = inputOptions
    }

    /// The input options written in a header record; nil when it has none (standard input,
    /// or a journal of an earlier version).
    public static func inputOptions(from header: JSONValue) -> InputOptions? {
        guard let path = header["input_absolute"]?.text else { return nil }
        var options = InputOptions(path: path)
        options.format = header["input_format"]?.text.flatMap(InputFormat.init(rawValue:))
        if let delimiter = header["input_delimiter"]?.text, delimiter.utf8.count == 1 {
            options.delimiter = delimiter.utf8.first
        }
        options.encoding =
            header["input_encoding"]?.text.flatMap(TextEncoding.init(optionValue:)) ?? .utf8
        for pair in header["input_map"]?.elements ?? [] {
            if let header = pair["header"]?.text, let field = pair["field"]?.text {
                options.mappings.append(HeaderMapping(header: header, field: field))
            }
        }
        if case .object(let members)? = header["input_defaults"] {
            for member in members {
                if let value = member.value.text { options.defaults[member.key] = value }
            }
        }
        return options
    }

    var object: [UInt8] {
        var out = Array(
            "{\"type\":\"header\",\"version\":\(JournalFormat.version),\"target\":".utf8)
        TextBytes.appendJSONString(target, to: &out)
        out.append(contentsOf: ",\"base_url\":".utf8)
        TextBytes.appendJSONString(baseURL, to: &out)
        out.append(contentsOf: ",\"path\":".utf8)
        TextBytes.appendJSONString(path, to: &out)
        out.append(contentsOf: ",\"input\":".utf8)
        TextBytes.appendJSONString(input, to: &out)
        out.append(
            contentsOf: ",\"started\":\"\(Clock.iso8601(milliseconds: Clock.wallMilliseconds()))\""
                .utf8)
        if let fingerprint {
            out.append(
                contentsOf:
                    ",\"input_size\":\(fingerprint.size),\"input_hash\":\"\(fingerprint.hashText)\""
                    .utf8)
        }
        if let options = inputOptions, options.path != "-" {
            appendOptions(options, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    private func appendOptions(_ options: InputOptions, to out: inout [UInt8]) {
        func member(_ name: String, _ text: String) {
            out.append(contentsOf: ",\"\(name)\":".utf8)
            TextBytes.appendJSONString(text, to: &out)
        }
        let absolute =
            options.path.hasPrefix("/")
            ? options.path : FileManager.default.currentDirectoryPath + "/" + options.path
        member("input_absolute", absolute)
        member("input_format", options.resolvedFormat.rawValue)
        if let delimiter = options.resolvedDelimiter {
            member("input_delimiter", String(decoding: [delimiter], as: UTF8.self))
        }
        member("input_encoding", options.encoding.description)
        out.append(contentsOf: ",\"input_map\":[".utf8)
        for (index, mapping) in options.mappings.enumerated() {
            out.append(contentsOf: (index == 0 ? "{\"header\":" : ",{\"header\":").utf8)
            TextBytes.appendJSONString(mapping.header, to: &out)
            out.append(contentsOf: ",\"field\":".utf8)
            TextBytes.appendJSONString(mapping.field, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "],\"input_defaults\":{".utf8)
        for (index, (field, value)) in options.defaults.sorted(by: { $0.key < $1.key })
            .enumerated()
        {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            TextBytes.appendJSONString(field, to: &out)
            out.append(UInt8(ascii: ":"))
            TextBytes.appendJSONString(value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// An input file's size and a 64-bit hash of its bytes.
public struct InputFingerprint: Sendable, Equatable {
    public var size: Int64
    public var hash: UInt64

    public init(size: Int64, hash: UInt64) {
        self.size = size
        self.hash = hash
    }

    public var hashText: String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Reads `path` through once; nil for standard input or what is not a regular file.
    public static func of(path: String) throws -> InputFingerprint? {
        guard path != "-" else { return nil }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw BatchInviteError.input("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var hash: UInt64 = 0x6261_7463_682d_696e
        var size: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            size += Int64(count)
            hash = chunk.withUnsafeBytes {
                KeyDigest.digest(UnsafeRawBufferPointer(rebasing: $0[0..<count]), seed: hash)
            }
        }
        return InputFingerprint(size: size, hash: hash)
    }
}

/// One run at a time per journal: an exclusive `flock` on `<journal>.lock`, which holds the
/// owner's pid and start time. The kernel drops the lock when its process dies, so a lock
/// left by a killed run is simply taken over.
public final class JournalLock: @unchecked Sendable {
    // Safe to share: immutable after `init`.
    private let descriptor: Int32

    /// Takes the lock of `journal`, or says who holds it.
    public init(journal: String) throws {
        let path = journal + ".lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BatchInviteError.io("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var bytes = [UInt8](repeating: 0, count: 256)
            let count = bytes.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress, $0.count, 0)
            }
            let owner = String(decoding: bytes[0..<max(count, 0)], as: UTF8.self)
            Glibc.close(descriptor)
            let pid =
                owner.split(separator: "\n").first { $0.hasPrefix("pid ") }?.dropFirst(4) ?? "?"
            let since =
                owner.split(separator: "\n").first { $0.hasPrefix("since ") }?.dropFirst(6) ?? "?"
            throw BatchInviteError.usage(
                "journal \(journal) is in use by pid \(pid) since \(since)")
        }
        let owner =
            "pid \(getpid())\nsince \(Clock.iso8601(milliseconds: Clock.wallMilliseconds()))\n"
        _ = ftruncate(descriptor, 0)
        _ = Array(owner.utf8).withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// The pid and start time of the run holding `journal`'s lock now; nil when none does.
    static func holder(journal: String) -> String? {
        let descriptor = open(journal + ".lock", O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        return String(decoding: bytes[0..<max(count, 0)], as: UTF8.self)
            .split(separator: "\n").joined(separator: ", ")
    }
}
