import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The files written under a temporary name (`<path>.tmp-<pid>`) until they are complete:
/// removed when the process exits without completing them (an error, a second signal),
/// and, for those a killed process left behind, by the next process that writes the same
/// path.
public enum TemporaryFiles {
    private static let registered = Mutex<Set<String>>([])
    private static let hook: Void = {
        atexit {
            TemporaryFiles.registered.withLock { paths in
                for path in paths { unlink(path) }
                paths.removeAll()
            }
        }
    }()

    /// The temporary name of `path` for this process.
    static func name(for path: String) -> String {
        path + ".tmp-\(getpid())"
    }

    /// Removes `path` if the process exits before `forget` is called.
    static func register(_ path: String) {
        _ = hook
        registered.withLock { _ = $0.insert(path) }
    }

    static func forget(_ path: String) {
        registered.withLock { _ = $0.remove(path) }
    }

    /// Removes the temporary files of `path` left by processes that no longer run.
    public static func removeStale(of path: String) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            return
        }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != getpid(),
                kill(pid, 0) != 0 && errno == ESRCH
            else { continue }
            unlink(directory + "/" + name)
        }
    }
}
