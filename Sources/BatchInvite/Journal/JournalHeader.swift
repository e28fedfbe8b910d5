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
    /// The definition file's absolute path, for `report --journal` to read it again.
    public var targetDefinition: String?
    /// 128 random bits in hex naming the job this journal records, kept by every run that
    /// resumes it: what an idempotency key is made from, with the row's key.
    public var jobID = JournalHeader.newJobID()

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

    /// A new job's ID: 16 random bytes in hex.
    public static func newJobID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            String(format: "%02x", UInt8.random(in: 0...255, using: &generator))
        }
        .joined()
    }

    /// The ID of the job a journal's header names: its `job_id`, or for a journal an
    /// earlier version wrote, the time it started (as stable across resumes).
    public static func jobID(of header: JSONValue) -> String? {
        header["job_id"]?.text ?? header["started"]?.text.map { "started " + $0 }
    }

    /// The header record (members, without the checksum).
    var object: [UInt8] {
        JSONWriter.object { json in
            json.member("type", "header")
            json.member("version", JournalFormat.version)
            json.member("target", target)
            json.member("base_url", baseURL)
            json.member("path", path)
            json.member("input", input)
            json.member("started", Clock.iso8601(milliseconds: Clock.wallMilliseconds()))
            json.member("job_id", jobID)
            if let fingerprint {
                json.member("input_size", Int(fingerprint.size))
                json.member("input_hash", fingerprint.hashText)
            }
            if let options = inputOptions, options.path != "-" {
                Self.write(options, to: &json)
            }
            if let targetDigest {
                json.member("target_digest", targetDigest)
                if let targetDefinition { json.member("target_definition", targetDefinition) }
                json.key("target_vars")
                Self.write(vars: targetVars, to: &json)
            }
            if let restartHistory {
                json.member("restart_history", restartHistory)
            }
        }
    }

    /// `vars` as a JSON object, names in order (as the header holds them).
    static func varsObject(_ vars: [String: String]) -> String {
        var json = JSONWriter()
        write(vars: vars, to: &json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    private static func write(vars: [String: String], to json: inout JSONWriter) {
        json.beginObject()
        for (name, value) in vars.sorted(by: { $0.key < $1.key }) {
            json.key(name)
            json.string(value)
        }
        json.endObject()
    }

    /// How the input is read, as the header's `input_*` members.
    private static func write(_ options: InputOptions, to json: inout JSONWriter) {
        let absolute =
            options.path.hasPrefix("/")
            ? options.path : FileManager.default.currentDirectoryPath + "/" + options.path
        json.member("input_absolute", absolute)
        json.member("input_format", options.resolvedFormat.rawValue)
        if let array = options.jsonArray { json.member("input_json_array", array) }
        if let delimiter = options.resolvedDelimiter {
            json.member("input_delimiter", String(decoding: [delimiter], as: UTF8.self))
        }
        // The encoding and preamble in force: a resumed run reads the file the same way.
        json.member("input_encoding", (options.encoding ?? .utf8).description)
        json.member("input_skip_lines", options.skipLines ?? 0)
        json.key("input_map")
        json.beginArray()
        for mapping in options.mappings {
            json.beginObject()
            json.member("header", mapping.header)
            json.member("field", mapping.field)
            json.endObject()
        }
        json.endArray()
        json.key("input_where")
        json.beginArray()
        for filter in options.filters { json.string(filter.description) }
        json.endArray()
        json.key("input_defaults")
        write(vars: options.defaults, to: &json)
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

    /// The start record (members, without the checksum).
    var object: [UInt8] {
        JSONWriter.object { json in
            json.member("type", "start")
            json.member("pid", Int(getpid()))
            json.member("started", Clock.iso8601(milliseconds: at))
            json.member("at", Int(at))
            json.member("version", BatchInviteVersion.current)
            json.member("done", rowsDone)
            if let boot { json.member("boot", boot) }
            if marksSending { json.member("marks_sent", true) }
            if let inputRows {
                json.member("input_rows", inputRows.rows)
                json.member("input_blank", inputRows.blankRecords)
            }
        }
    }
}
