#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What an output's path names, and so how it may be written: the rule every output of
/// the tool follows (reports, pages, summaries, metrics), so that no output ever replaces,
/// truncates or removes a device node, a named pipe or a link.
public enum OutputTarget: Equatable, Sendable {
    /// `-`: the process's standard output.
    case standardOutput
    /// An existing character device or FIFO, or a process's open file reached through
    /// `/dev/fd`, `/dev/stdout`, `/dev/stderr` or `/proc/*/fd`: opened and written as it
    /// is, never created, truncated, renamed over or removed.
    case stream
    /// A regular file, existing or not (or a symbolic link to one, which is replaced):
    /// written under a temporary name beside `real` and renamed onto it.
    case file(real: String)

    /// What `path` names now; throws a usage error (exit 2) for something that is neither
    /// a regular file nor a stream (a directory, a socket, a block device).
    public init(_ path: String) throws {
        if path == "-" {
            self = .standardOutput
            return
        }
        if Self.isProcessFile(path) {
            self = .stream
            return
        }
        var status = stat()
        guard stat(path, &status) == 0 else {
            self = .file(real: path)
            return
        }
        switch status.st_mode & S_IFMT {
        // A link to a regular file is replaced, never written through: a link put in the
        // way cannot make the tool overwrite another file.
        case S_IFREG: self = .file(real: path)
        case S_IFCHR, S_IFIFO: self = .stream
        default:
            throw BatchInviteError.usage(
                "\(path) is \(FileKind.describe(status.st_mode)), not a file that can be written")
        }
    }

    /// Whether writing there creates a file beside it (and so needs its directory).
    public var createsFile: Bool {
        if case .file = self { return true }
        return false
    }

    /// `path` with its symbolic links followed, as far as they lead (to tell whether two
    /// paths name one file): the real path of an existing file, else the real directory
    /// and the last name the links end at.
    public static func resolved(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            if let real = realpath(current, nil) {
                defer { free(real) }
                return String(cString: real)
            }
            // Not there: a dangling link is followed by hand, else the directory is resolved.
            var status = stat()
            guard lstat(current, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { break }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { break }
            let target = String(
                decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : directory(of: current) + "/" + target
        }
        let name = lastComponent(of: current)
        guard let directory = realpath(directory(of: current), nil) else { return current }
        defer { free(directory) }
        let base = String(cString: directory)
        return (base == "/" ? "" : base) + "/" + name
    }

    /// A path through which a process reaches one of its open files: not a file of its
    /// own to replace.
    static func isProcessFile(_ path: String) -> Bool {
        path == "/dev/stdout" || path == "/dev/stderr" || path == "/dev/stdin"
            || path.hasPrefix("/dev/fd/") || (path.hasPrefix("/proc/") && path.contains("/fd/"))
    }

    /// The directory part of `path` (`.` when it has none).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// Words for the kinds of file a path can name, for messages.
public enum FileKind {
    /// "a directory", "a socket", "a character device", ... for a `st_mode`.
    public static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}
