import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `run --journal-dir DIR`: a directory holding one journal per input, named by the
/// input's content, so that the same command run every night over an export rewritten in
/// place resumes the same export and begins a new journal for a new one.
///
/// A night's files are named `<digest>.report.<csv|jsonl>` (its report),
/// `<digest>.report.html` (its page), and `<report name>.journal` with the journal's own
/// files beside it (`.lock`, `.history`, and the journals `--restart` set aside,
/// `.<start time>`); the digest is the first 16 hex digits of the SHA-256 of the input's
/// bytes, as `deploy/batch-invite-nightly` named them, so that its nights resume.
/// Nothing else in the directory is ever removed.
public struct JournalDirectory: Sendable {
    /// The directory.
    public let path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The first 16 hex digits of the SHA-256 of the bytes of the regular file at `file`.
    public static func digest(ofFile file: String) throws -> String {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            throw BatchInviteError.input("cannot open \(file): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var hasher = SHA256.Hasher()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw BatchInviteError.input(
                    "cannot read \(file): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return hasher.finish().prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The report of the input whose digest is `digest`, in the format whose extension is
    /// `format` (`csv`, `jsonl`).
    public func reportPath(digest: String, format: String) -> String {
        "\(path)/\(digest).report.\(format)"
    }

    /// The journal of that input: its report's path and `.journal`.
    public func journalPath(digest: String, format: String) -> String {
        reportPath(digest: digest, format: format) + ".journal"
    }

    /// The HTML page of that input.
    public func pagePath(digest: String) -> String {
        "\(path)/\(digest).report.html"
    }

    /// Creates the directory (mode 0700, with its parents) when there is none; a usage
    /// error when the path names something else.
    public func create() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw BatchInviteError.usage("--journal-dir \(path) is not a directory")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw BatchInviteError.usage(
                "--journal-dir \(path): cannot create it (\(error.localizedDescription))")
        }
    }

    /// A journal of the directory that names its night: `<16 hex digits>.report.<csv|jsonl>.journal`.
    struct Night {
        let digest: String
        let format: String

        init?(journalName name: String) {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[1] == "report", parts[3] == "journal",
                ["csv", "jsonl"].contains(parts[2]), parts[0].utf8.count == 16,
                parts[0].utf8.allSatisfy({
                    (0x30...0x39).contains($0) || (0x61...0x66).contains($0)
                })
            else { return nil }
            digest = String(parts[0])
            format = String(parts[2])
        }

        var journalName: String { "\(digest).report.\(format).journal" }

        /// Whether `name` is one of the night's files (the journal's own included).
        func owns(_ name: String) -> Bool {
            if [
                "\(digest).report.\(format)", "\(digest).report.html", journalName,
                journalName + ".lock", journalName + ".history",
            ].contains(name) {
                return true
            }
            guard name.hasPrefix(journalName + ".") else { return false }
            return Self.isSetAsideStamp(name.dropFirst(journalName.count + 1))
        }

        /// `20261206T082051Z` or `old` (what `--restart` names a journal set aside), with
        /// `-2`, `-3`... after it.
        static func isSetAsideStamp(_ text: Substring) -> Bool {
            let pieces = text.split(separator: "-", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { return false }
            if pieces.count == 2 {
                guard !pieces[1].isEmpty, pieces[1].utf8.allSatisfy({ (0x30...0x39).contains($0) })
                else { return false }
            }
            let stamp = pieces[0]
            if stamp == "old" { return true }
            let bytes = Array(stamp.utf8)
            return bytes.count == 16 && bytes[8] == UInt8(ascii: "T")
                && bytes[15] == UInt8(ascii: "Z")
                && bytes.enumerated().allSatisfy {
                    [8, 15].contains($0.offset) || (0x30...0x39).contains($0.element)
                }
        }
    }
}
