import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A file read only when no one but the user running and root can change it, nor replace
/// it, as ssh treats its configuration and keys: the file is owned by that user or root
/// and writable by no group or others, and so is every directory its path is looked up
/// in (a directory others may write lets them swap the file, unless it has the sticky bit,
/// as `/tmp`), through every symbolic link on the way (the directory holding a link is
/// checked, then the link's target). What sits on a read-only mount passes (no one but
/// root could change it: a Kubernetes ConfigMap mounted readOnly, whose directory is
/// 0777). The file is checked through the descriptor it is read from, so what is checked
/// is what is read.
public struct TrustedFile {
    /// Why the file could be changed by someone else.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        /// What is wrong, naming the file or directory and its mode or owner.
        public var reason: String
        /// The command that fixes it, for the user to run.
        public var fix: String

        public var description: String { "\(reason); run: \(fix)" }
    }

    /// Why the file could not be read or checked.
    public struct Unreadable: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The file's content.
    public let contents: [UInt8]

    /// Opens, checks and reads the file at `path`. Throws `Problem` when others could
    /// change it, `Unreadable` when it cannot be read or checked.
    public init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else {
            throw Unreadable(description: "cannot open it: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw Unreadable(description: "cannot check it: \(String(cString: strerror(errno)))")
        }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG || kind == S_IFIFO else {
            throw Unreadable(description: "it is not a regular file")
        }
        // A pipe (`--config <(...)`) is only written by who holds it: its name, in /proc,
        // is no path to walk.
        var name = (path: path, link: String?.none)
        if kind == S_IFREG {
            name = try Self.walk(path)
        }
        var volume = statvfs()
        let readOnly = fstatvfs(descriptor, &volume) == 0 && volume.f_flag & UInt(ST_RDONLY) != 0
        if !readOnly,
            let problem = Self.problem(info, at: name.path, directory: false, through: name.link)
        {
            throw problem
        }
        contents = try Self.readAll(descriptor)
    }

    private static func readAll(_ descriptor: Int32) throws -> [UInt8] {
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw Unreadable(description: "cannot read it: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return contents }
            contents.append(contentsOf: buffer[..<count])
        }
    }

    /// Checks every directory a name of `path` is looked up in, following symbolic links
    /// (at most 40, as the kernel does); throws the first `Problem`. Returns the file's
    /// path with every link resolved, and the last link on the way, if any.
    private static func walk(_ path: String) throws -> (path: String, link: String?) {
        var pending = try names(of: path)
        var current = "/"
        var link: String?
        var hops = 0
        if let problem = try check(directory: current, through: link) { throw problem }
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name.isEmpty || name == "." { continue }
            if name == ".." {
                current =
                    current == "/"
                    ? "/" : String(current[..<(current.lastIndex(of: "/") ?? current.startIndex)])
                if current.isEmpty { current = "/" }
                continue
            }
            let candidate = current == "/" ? "/" + name : current + "/" + name
            var info = stat()
            guard lstat(candidate, &info) == 0 else {
                throw Unreadable(
                    description:
                        "cannot check \(candidate): \(String(cString: strerror(errno)))")
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                hops += 1
                guard hops <= 40 else { throw Unreadable(description: "too many symbolic links") }
                let text = try target(ofLink: candidate)
                if text.hasPrefix("/") {
                    current = "/"
                }
                pending = text.split(separator: "/", omittingEmptySubsequences: false) + pending
                link = candidate
                continue
            }
            // The file itself is checked through its descriptor.
            guard pending.contains(where: { !$0.isEmpty && $0 != "." }) else {
                return (candidate, link)
            }
            if !isReadOnly(candidate),
                let problem = problem(info, at: candidate, directory: true, through: link)
            {
                throw problem
            }
            current = candidate
        }
        return (path, link)
    }

    /// The names `path` is made of, from the root: those of the current directory first
    /// for a relative path.
    private static func names(of path: String) throws -> [Substring] {
        var names: [Substring] = []
        if !path.hasPrefix("/") {
            guard let here = getcwd(nil, 0) else {
                throw Unreadable(description: "cannot find the current directory")
            }
            names = String(cString: here).split(separator: "/")
            free(here)
        }
        return names + path.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// What the symbolic link `link` points to.
    private static func target(ofLink link: String) throws -> String {
        var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(link, &target, target.count - 1)
        guard length >= 0 else {
            throw Unreadable(
                description: "cannot read the link \(link): \(String(cString: strerror(errno)))")
        }
        return String(decoding: target[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func check(directory: String, through link: String?) throws -> Problem? {
        var info = stat()
        guard lstat(directory, &info) == 0 else {
            throw Unreadable(
                description:
                    "cannot check \(directory): \(String(cString: strerror(errno)))")
        }
        return isReadOnly(directory)
            ? nil : problem(info, at: directory, directory: true, through: link)
    }

    /// Whether `path` is on a read-only mount.
    private static func isReadOnly(_ path: String) -> Bool {
        var volume = statvfs()
        return statvfs(path, &volume) == 0 && volume.f_flag & UInt(ST_RDONLY) != 0
    }

    /// What is wrong with a file or directory of these owner and mode, if anything.
    private static func problem(
        _ info: stat, at path: String, directory: Bool, through link: String?
    )
        -> Problem?
    {
        let me = geteuid()
        let what =
            (directory ? "the directory \(path)" : path)
            + (link.map { " (reached through the symbolic link \($0))" } ?? "")
        let replace = directory ? ", so they could replace the file" : ""
        if info.st_uid != me && info.st_uid != 0 {
            return Problem(
                reason:
                    "\(what) belongs to \(userName(info.st_uid)), not to you (\(userName(me))) or root\(replace)",
                fix: "chown \(name(of: me) ?? String(me)) \(path)"
                    + (directory ? " (or move the file to a directory of yours or root's)" : ""))
        }
        let mode = info.st_mode & 0o7777
        let sticky = directory && mode & 0o1000 != 0
        if mode & 0o022 != 0 && !sticky {
            let whom =
                mode & 0o002 != 0
                ? (mode & 0o020 != 0 ? "its group and everyone" : "everyone") : "its group"
            return Problem(
                reason:
                    "\(what) can be written by \(whom) (mode \(String(format: "%04o", mode))"
                    + (directory ? ", without the sticky bit" : "") + ")\(replace)",
                fix: "chmod go-w \(path)")
        }
        return nil
    }

    private static func name(of uid: uid_t) -> String? {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    private static func userName(_ uid: uid_t) -> String {
        name(of: uid).map { "\($0), uid \(uid)" } ?? "uid \(uid)"
    }
}
