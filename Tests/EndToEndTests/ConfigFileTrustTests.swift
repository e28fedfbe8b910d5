import Foundation
import Testing

/// A config file can run a command (`token-command`) and send the token elsewhere
/// (`base-url`): one that someone else could change or replace is refused with exit 2
/// and the command that fixes it, whatever it holds, as ssh refuses its files: writable
/// by a group or everyone, owned by another user (root excepted), in a directory others
/// may write without the sticky bit, or reached through a symbolic link that is.
@Suite struct ConfigFileTrustTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        /// Lays out the files in the test's directory; returns the --config path.
        var setUp: @Sendable (Tool) throws -> String
        /// nil: accepted; else the end of the message, `DIR` standing for the test's
        /// directory.
        var refusal: String?
        /// Whether it changes owners (root only).
        var chowns = false
        /// A directory (in the test's) that the run sees mounted read-only, in a mount
        /// namespace of its own (root only).
        var readOnly: String?
    }

    static let job = "target = sendoso\ntoken-command = touch command-ran; echo tok-12345\n"

    static func config(_ tool: Tool, _ path: String, mode: Int16) throws -> String {
        try tool.write(path, job)
        chmod(tool.path(path), mode_t(mode))
        return path
    }

    static func directory(_ tool: Tool, _ name: String, mode: Int16) throws -> String {
        try FileManager.default.createDirectory(
            atPath: tool.path(name), withIntermediateDirectories: true)
        chmod(tool.path(name), mode_t(mode))
        return tool.path(name)
    }

    static let cases: [Case] = [
        Case(
            testDescription: "mode 0644, owned by the user running",
            setUp: { try config($0, "job.conf", mode: 0o644) }, refusal: nil),
        Case(
            testDescription: "writable by everyone",
            setUp: { try config($0, "job.conf", mode: 0o666) },
            refusal:
                "DIR/job.conf can be written by its group and everyone (mode 0666), and a config file can run a command (token-command) or send the token elsewhere (base-url); it is not read. Run: chmod go-w DIR/job.conf"
        ),
        Case(
            testDescription: "writable by its group",
            setUp: { try config($0, "job.conf", mode: 0o620) },
            refusal: "DIR/job.conf can be written by its group (mode 0620), and a config file"),
        Case(
            testDescription: "owned by another user",
            setUp: { tool in
                let path = try config(tool, "job.conf", mode: 0o644)
                chown(tool.path(path), 65534, 65534)
                return path
            },
            refusal:
                "DIR/job.conf belongs to nobody, uid 65534, not to you (root, uid 0) or root, and a config file can run a command (token-command) or send the token elsewhere (base-url); it is not read. Run: chown root DIR/job.conf",
            chowns: true),
        Case(
            testDescription: "in a directory everyone may write",
            setUp: { tool in
                _ = try directory(tool, "shared", mode: 0o777)
                return try config(tool, "shared/job.conf", mode: 0o644)
            },
            refusal:
                "the directory DIR/shared can be written by its group and everyone (mode 0777, without the sticky bit), so they could replace the file, and a config file can run a command (token-command) or send the token elsewhere (base-url); it is not read. Run: chmod go-w DIR/shared"
        ),
        Case(
            testDescription: "in a directory its group may write",
            setUp: { tool in
                _ = try directory(tool, "team", mode: 0o775)
                return try config(tool, "team/job.conf", mode: 0o644)
            },
            refusal:
                "the directory DIR/team can be written by its group (mode 0775, without the sticky bit), so they could replace the file"
        ),
        Case(
            testDescription: "in a directory of another user",
            setUp: { tool in
                let directory = try directory(tool, "theirs", mode: 0o755)
                chown(directory, 65534, 65534)
                return try config(tool, "theirs/job.conf", mode: 0o644)
            },
            refusal:
                "the directory DIR/theirs belongs to nobody, uid 65534, not to you (root, uid 0) or root, so they could replace the file",
            chowns: true),
        Case(
            testDescription: "in a directory everyone may write, with the sticky bit (like /tmp)",
            setUp: { tool in
                _ = try directory(tool, "sticky", mode: 0o1777)
                return try config(tool, "sticky/job.conf", mode: 0o600)
            }, refusal: nil),
        Case(
            testDescription: "a symbolic link in a directory everyone may write",
            setUp: { tool in
                _ = try directory(tool, "shared", mode: 0o777)
                _ = try config(tool, "job.conf", mode: 0o644)
                try FileManager.default.createSymbolicLink(
                    atPath: tool.path("shared/link.conf"), withDestinationPath: "../job.conf")
                return "shared/link.conf"
            },
            refusal:
                "the directory DIR/shared can be written by its group and everyone (mode 0777, without the sticky bit), so they could replace the file"
        ),
        Case(
            testDescription: "a symbolic link to a file everyone may write",
            setUp: { tool in
                _ = try directory(tool, "real", mode: 0o755)
                _ = try config(tool, "real/job.conf", mode: 0o666)
                try FileManager.default.createSymbolicLink(
                    atPath: tool.path("job.conf"), withDestinationPath: "real/job.conf")
                return "job.conf"
            },
            refusal:
                "DIR/real/job.conf (reached through the symbolic link DIR/job.conf) can be written by its group and everyone (mode 0666), and a config file can run a command (token-command) or send the token elsewhere (base-url); it is not read. Run: chmod go-w DIR/real/job.conf"
        ),
        Case(
            testDescription: "a symbolic link to a safe file, as a Kubernetes ConfigMap mounts one",
            setUp: { tool in
                _ = try directory(tool, "mount", mode: 0o1777)
                _ = try directory(tool, "mount/..2026_12_01", mode: 0o755)
                _ = try config(tool, "mount/..2026_12_01/job.conf", mode: 0o644)
                try FileManager.default.createSymbolicLink(
                    atPath: tool.path("mount/..data"), withDestinationPath: "..2026_12_01")
                try FileManager.default.createSymbolicLink(
                    atPath: tool.path("mount/job.conf"), withDestinationPath: "..data/job.conf")
                return "mount/job.conf"
            }, refusal: nil),
        Case(
            testDescription:
                "in a directory everyone may write, mounted read-only (a ConfigMap's, with runc)",
            setUp: { tool in
                _ = try directory(tool, "configmap", mode: 0o777)
                return try config(tool, "configmap/job.conf", mode: 0o666)
            }, refusal: nil, readOnly: "configmap"),
    ]

    @Test(arguments: cases)
    func aConfigFileOthersCouldChangeIsRefusedWhateverItHolds(_ trust: Case) throws {
        if trust.chowns && geteuid() != 0 {
            try NeededTool.skip("giving a file to another user needs root")
        }
        if trust.readOnly != nil && geteuid() != 0 {
            try NeededTool.skip("a read-only mount needs root")
        }
        let server = try ServerProcess(script: "hostile_server.py", ["ok", "LOG"])
        let tool = try Tool()
        try tool.write("people.csv", sendosoCSV(2))
        let path = try trust.setUp(tool)
        let arguments = [
            "run", "people.csv", "--config", path, "--base-url", server.url, "--progress", "none",
            "--report", "report.csv",
        ]
        let result: ToolResult
        if let readOnly = trust.readOnly {
            // Mounted for the run alone: the namespace goes with it.
            let directory = tool.path(readOnly)
            result = try tool.run(
                arguments,
                launcher: [
                    "unshare", "-m", "sh", "-c",
                    "mount --bind \(directory) \(directory) && "
                        + "mount -o remount,bind,ro \(directory) && exec \"$0\" \"$@\"",
                ])
        } else {
            result = try tool.run(arguments)
        }
        server.stop()
        let ran = FileManager.default.fileExists(atPath: tool.path("command-ran"))
        guard let refusal = trust.refusal else {
            #expect(result.status == 0, "\(result.stderr)")
            let received = try server.received()
            #expect(ran && received.count == 2)
            return
        }
        #expect(result.status == 2)
        // The temporary directory's own path may hold a link (/tmp): compare with both.
        let directories = [tool.directory.path, tool.directory.resolvingSymlinksInPath().path]
        #expect(
            directories.contains {
                result.stderr.hasPrefix("batch-invite run: --config \(path): ")
                    && result.stderr.contains(refusal.replacingOccurrences(of: "DIR", with: $0))
            }, "\(result.stderr)")
        let received = try server.received()
        #expect(!ran && received.isEmpty)
    }

    /// Run by another user, a config file root owns and guards is read.
    @Test func aConfigFileOwnedByRootIsReadByAnotherUser() throws {
        guard geteuid() == 0 else {
            try NeededTool.skip("running the tool as another user needs root")
        }
        let tool = try Tool()
        try tool.writeConfig("job.conf", Self.job)
        try tool.writeConfig("theirs.conf", Self.job)
        chown(tool.path("theirs.conf"), 1234, 1234)
        let asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        let arguments = [
            "run", "people.csv", "--base-url", "http://127.0.0.1:1", "--print-config", "--config",
        ]
        let root = try tool.run(arguments + ["job.conf"], launcher: asNobody)
        #expect(root.status == 0, "\(root.stderr)")
        #expect(root.stdout.contains("token-command = touch command-ran; echo tok-12345\n"))
        let other = try tool.run(arguments + ["theirs.conf"], launcher: asNobody)
        #expect(other.status == 2)
        #expect(
            other.stderr.contains(
                "belongs to uid 1234, not to you (nobody, uid 65534) or root, and a config file"))
    }
}
