import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

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
    /// The journal a `--restart` set aside to begin this one, whose history
    /// (`RestartHistory`) the runs of this journal keep to.
    public var restartHistory: String?
    /// A digest of the target's definition (`Target.definitionDigest`); nil for a built-in.
    public var targetDigest: String?
    /// The `--var` values the target was given: other values make another run.
    public var targetVars: [String: String] = [:]

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
        options.jsonArray = header["input_json_array"]?.text
        if let delimiter = header["input_delimiter"]?.text, delimiter.utf8.count == 1 {
            options.delimiter = delimiter.utf8.first
        }
        // A journal without it read UTF-8. An encoding this system's iconv does not
        // know (a journal from another machine) is left to the guess.
        options.encoding =
            header["input_encoding"]?.text.map(TextEncoding.init(optionValue:)) ?? .utf8
        // Journals before version 3 knew no preamble.
        options.skipLines = header["input_skip_lines"]?.text.flatMap { Int($0) } ?? 0
        for pair in header["input_map"]?.elements ?? [] {
            if let header = pair["header"]?.text, let field = pair["field"]?.text {
                options.mappings.append(HeaderMapping(header: header, field: field))
            }
        }
        for filter in header["input_where"]?.elements ?? [] {
            if let text = filter.text, let parsed = RowFilter(text) {
                options.filters.append(parsed)
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
        if let targetDigest {
            out.append(contentsOf: ",\"target_digest\":".utf8)
            TextBytes.appendJSONString(targetDigest, to: &out)
            out.append(contentsOf: ",\"target_vars\":".utf8)
            out += Self.varsObject(targetVars).utf8
        }
        if let restartHistory {
            out.append(contentsOf: ",\"restart_history\":".utf8)
            TextBytes.appendJSONString(restartHistory, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `vars` as a JSON object, names in order.
    static func varsObject(_ vars: [String: String]) -> String {
        JSONValue.object(
            vars.sorted { $0.key < $1.key }.map {
                JSONMember(key: $0.key, value: .string($0.value))
            }
        ).encoded
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
        if let array = options.jsonArray { member("input_json_array", array) }
        if let delimiter = options.resolvedDelimiter {
            member("input_delimiter", String(decoding: [delimiter], as: UTF8.self))
        }
        // The encoding and preamble in force: a resumed run reads the file the same way.
        member("input_encoding", (options.encoding ?? .utf8).description)
        out.append(contentsOf: ",\"input_skip_lines\":\(options.skipLines ?? 0)".utf8)
        out.append(contentsOf: ",\"input_map\":[".utf8)
        for (index, mapping) in options.mappings.enumerated() {
            out.append(contentsOf: (index == 0 ? "{\"header\":" : ",{\"header\":").utf8)
            TextBytes.appendJSONString(mapping.header, to: &out)
            out.append(contentsOf: ",\"field\":".utf8)
            TextBytes.appendJSONString(mapping.field, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "],\"input_where\":[".utf8)
        for (index, filter) in options.filters.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            TextBytes.appendJSONString(filter.description, to: &out)
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

/// The record each run appends when it opens the journal: which process, when, which
/// version, and how many rows earlier runs had settled; a journal read later tells which
/// run did what.
public struct JournalStart: Sendable, Equatable {
    /// Rows an earlier run on the journal had settled for good.
    public var rowsDone: Int
    /// When the run opened the journal, in milliseconds since 1970.
    public var at: Int64
    /// The machine's boot (`BootIdentity`) when the run started; nil where it is unknown.
    /// A later run on the same boot may trust what this one wrote without syncing it.
    public var boot: String?
    /// Whether the run writes a `sent` record before each row's first request (set by the
    /// journal: `Journal.logsAhead`); only then does a missing one mean a row never went out.
    public var marksSending = false
    /// The input's data rows and blank records, when known before the first request (the
    /// run read it through first, or an earlier run on the journal did): from this record
    /// on, `status` counts every input row, those the run never reached too.
    public var inputRows: (rows: Int, blankRecords: Int)?

    public init(
        rowsDone: Int, at: Int64 = Clock.wallMilliseconds(), boot: String? = BootIdentity.current,
        inputRows: (rows: Int, blankRecords: Int)? = nil
    ) {
        self.rowsDone = rowsDone
        self.at = at
        self.boot = boot
        self.inputRows = inputRows
    }

    public static func == (left: JournalStart, right: JournalStart) -> Bool {
        left.rowsDone == right.rowsDone && left.at == right.at && left.boot == right.boot
            && left.marksSending == right.marksSending
            && left.inputRows?.rows == right.inputRows?.rows
            && left.inputRows?.blankRecords == right.inputRows?.blankRecords
    }

    var object: [UInt8] {
        let now = at
        var out = Array("{\"type\":\"start\",\"pid\":\(getpid()),\"started\":".utf8)
        TextBytes.appendJSONString(Clock.iso8601(milliseconds: now), to: &out)
        out.append(contentsOf: ",\"at\":\(now)".utf8)
        out.append(contentsOf: ",\"version\":".utf8)
        TextBytes.appendJSONString(BatchInviteVersion.current, to: &out)
        out.append(contentsOf: ",\"done\":\(rowsDone)".utf8)
        if let boot {
            out.append(contentsOf: ",\"boot\":".utf8)
            TextBytes.appendJSONString(boot, to: &out)
        }
        if marksSending { out.append(contentsOf: ",\"marks_sent\":true".utf8) }
        if let inputRows {
            out.append(
                contentsOf:
                    ",\"input_rows\":\(inputRows.rows),\"input_blank\":\(inputRows.blankRecords)"
                    .utf8)
        }
        out.append(UInt8(ascii: "}"))
        return out
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
        // Opened without waiting: a named pipe without a writer is not a file to hash.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            throw BatchInviteError.input("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
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
