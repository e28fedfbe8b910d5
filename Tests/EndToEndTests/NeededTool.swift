import Foundation
import Testing

/// A program (or Python module) a test needs that `make test` installs and `swift test`
/// alone may run without: `try NeededTool.nginx.require()` before the test uses it.
///
/// Where it is missing, the test stops saying which tool and that `make test` installs
/// it: cancelled, so it is reported as skipped, never as passed. Under `CI=true`, where
/// `make test` has installed every one of them, a missing tool fails the test instead.
struct NeededTool: Sendable {
    /// What the message calls it: "nginx", "Python's jsonschema".
    let name: String
    /// What `make test` installs for it: "Debian's nginx-light".
    let package: String
    let isInstalled: Bool

    /// Whether this is CI (`CI=true`, as `.ci/run`'s machines set it).
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Goes on when the tool is installed. Otherwise cancels the test (skipped, with the
    /// reason), or under `CI=true` throws, failing it.
    func require(sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard !isInstalled else { return }
        try Self.missing("\(name) is not installed (make test installs \(package))", sourceLocation)
    }

    /// The exit code of a checker script (Tests/EndToEndTests/Checkers) that could not run
    /// because a tool is missing; it prints `missing: WHAT (make test installs ...)` first.
    static let checkerMissingToolStatus: Int32 = 77

    /// A checker script's result, handled as `require` handles a missing tool when the
    /// script says it lacks one; any other result is the test's to judge.
    static func checkerRan(_ result: ToolResult, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        guard result.status == checkerMissingToolStatus else { return }
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("missing: ") }
        try missing(
            "not installed: " + (line?.dropFirst("missing: ".count) ?? "a tool the checker needs"),
            sourceLocation)
    }

    /// Cancels the test (skipped, with the reason) for a condition no installation can
    /// meet here (not root, no device nodes, a corpus outside the clone), even under CI.
    static func skip(_ reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> Never
    {
        print("skipped: \(reason)")
        try Test.cancel(Comment(rawValue: "skipped: \(reason)"), sourceLocation: sourceLocation)
    }

    private static func missing(_ message: String, _ sourceLocation: SourceLocation) throws {
        if isCI {
            throw MissingToolUnderCI(message: message)
        }
        try skip(message, sourceLocation: sourceLocation)
    }

    /// A tool missing where `make test` should have installed it.
    struct MissingToolUnderCI: Error, CustomStringConvertible {
        let message: String
        var description: String { "\(message); under CI=true a missing tool fails the test" }
    }
}

extension NeededTool {
    /// The first of `names` on PATH (or in `extra` directories), if any.
    static func onPath(_ names: [String], extra: [String] = []) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + extra
        for name in names {
            for directory in directories {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    static let nginx = NeededTool(
        name: "nginx", package: "Debian's nginx-light", isInstalled: nginxPath != nil)
    static let openssl = NeededTool(
        name: "openssl", package: "Debian's openssl",
        isInstalled: onPath(["openssl"]) != nil)
    static let curl = NeededTool(
        name: "curl", package: "Debian's curl", isInstalled: onPath(["curl"]) != nil)
    static let chromium = NeededTool(
        name: "chromium", package: "Debian's chromium", isInstalled: Chromium.executable != nil)
    /// util-linux's `script`, for a pseudo-terminal: Essential, on every Debian system.
    static let script = NeededTool(
        name: "script", package: "nothing: it is util-linux's, on every Debian system",
        isInstalled: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"))
    /// man-db's `man`, which renders the man page; bash, fish and zsh, which load the
    /// completions.
    static let man = NeededTool(
        name: "man", package: "Debian's man-db", isInstalled: onPath(["man"]) != nil)
    static let bash = NeededTool(
        name: "bash", package: "nothing: it is on every Debian system",
        isInstalled: onPath(["bash"]) != nil)
    static let fish = NeededTool(
        name: "fish", package: "Debian's fish", isInstalled: onPath(["fish"]) != nil)
    static let zsh = NeededTool(
        name: "zsh", package: "Debian's zsh", isInstalled: onPath(["zsh"]) != nil)
    static let mmdebstrap = NeededTool(
        name: "mmdebstrap", package: "Debian's mmdebstrap",
        isInstalled: onPath(["mmdebstrap"], extra: ["/usr/sbin", "/sbin"]) != nil)
    static let lintian = NeededTool(
        name: "lintian", package: "Debian's lintian", isInstalled: onPath(["lintian"]) != nil)
}
