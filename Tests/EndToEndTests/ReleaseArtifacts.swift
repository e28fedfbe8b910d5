import Foundation
import Testing

/// What `make release` put in dist/ for the version in VERSION: the Debian package, the
/// tarball, and the stripped binary both hold (.build/stripped/batch-invite).
///
/// `make test` runs `make release` before `swift test`. Where they are missing, a test
/// that needs them stops saying to run `make release`: skipped, or failed under CI=true.
struct ReleaseArtifacts {
    let version: String
    let deb: URL
    let tarball: URL
    let binary: URL

    /// VERSION's one line.
    static func version() throws -> String {
        try String(
            contentsOf: Tool.packageRoot.appendingPathComponent("VERSION"), encoding: .utf8
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The release's files, or the test stops (see the type's comment).
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws
        -> ReleaseArtifacts
    {
        let version = try version()
        let dist = Tool.packageRoot.appendingPathComponent("dist")
        let artifacts = ReleaseArtifacts(
            version: version,
            deb: dist.appendingPathComponent("batch-invite_\(version)_amd64.deb"),
            tarball: dist.appendingPathComponent("batch-invite-\(version)-linux-x86_64.tar.gz"),
            binary: Tool.packageRoot.appendingPathComponent(".build/stripped/batch-invite"))
        let missing = [artifacts.deb, artifacts.tarball, artifacts.binary].filter {
            !FileManager.default.fileExists(atPath: $0.path)
        }
        guard missing.isEmpty else {
            let names = missing.map { $0.path }.joined(separator: ", ")
            let message = "\(names) missing: run make release (make test does, before swift test)"
            if NeededTool.isCI { throw NeededTool.MissingToolUnderCI(message: message) }
            try NeededTool.skip(message, sourceLocation: sourceLocation)
        }
        return artifacts
    }
}
