import BatchInvite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The files a command names, checked together before anything is read or sent (README,
/// "Security"): no output may be the input, the journal, the ledger or another output
/// (the same device and inode when the file exists, the same resolved path when it does
/// not); an output that is a device node or a named pipe is written as a stream, anything
/// else that is not a regular file is refused; the journal and the ledger must be regular
/// files; and each output's directory must take a new file. Any failure is a usage error
/// (exit 2) naming the options concerned.
struct CommandFiles {
    enum Role {
        /// Only read: the input, a config file, a token file, a CA file.
        case reads
        /// Written whole (report, page, summary, metrics, request log): a stream is fine.
        case writes
        /// Read and written in place, locked (journal, ledger, spool): a regular file only.
        case keeps
    }

    struct File {
        let option: String
        let path: String
        let role: Role
    }

    private(set) var files: [File] = []

    mutating func reads(_ option: String, _ path: String?) {
        add(option, path, .reads)
    }

    mutating func writes(_ option: String, _ path: String?) {
        add(option, path, .writes)
    }

    mutating func keeps(_ option: String, _ path: String?) {
        add(option, path, .keeps)
    }

    private mutating func add(_ option: String, _ path: String?, _ role: Role) {
        guard let path, !path.isEmpty, path != "-" else { return }
        files.append(File(option: option, path: path, role: role))
    }

    /// Every check; throws the first problem found.
    func check() throws {
        let identities = files.map { Identity($0.path) }
        for (index, file) in files.enumerated() where file.role != .reads {
            for other in files.indices where other != index {
                guard other < index || files[other].role == .reads,
                    identities[index] == identities[other]
                else { continue }
                let first = files[other]
                throw BatchInviteError.usage(
                    "\(first.option) \(first.path) and \(file.option) \(file.path) are the same "
                        + "file: \(Self.consequence(first, file)); give each its own path")
            }
        }
        for file in files where file.role != .reads {
            try checkKind(file)
        }
        for file in files where file.role != .reads {
            try checkWritable(file)
        }
    }

    /// What writing one file over the other would have done, in a few words.
    private static func consequence(_ first: File, _ second: File) -> String {
        if first.role == .reads {
            return "writing \(second.option) would destroy what \(first.option) reads"
        }
        if first.role == .keeps || second.role == .keeps {
            return "the run's memory of what was sent would be lost, and people invited again"
        }
        return "one would overwrite the other"
    }

    private func checkKind(_ file: File) throws {
        switch file.role {
        case .writes:
            do {
                _ = try OutputTarget(file.path)
            } catch let error as BatchInviteError {
                throw BatchInviteError.usage("\(file.option): \(error.description)")
            }
        case .keeps:
            var status = stat()
            guard stat(file.path, &status) == 0 else { return }
            guard status.st_mode & S_IFMT == S_IFREG else {
                throw BatchInviteError.usage(
                    "\(file.option) \(file.path) is \(FileKind.describe(status.st_mode)); it "
                        + "must be a regular file (it is read back and written in place)")
            }
        case .reads:
            break
        }
    }

    /// Creates and removes a file beside the output, as writing it will.
    private func checkWritable(_ file: File) throws {
        guard let target = try? OutputTarget(file.path), case .file(let real) = target else {
            return
        }
        let probe = real + ".tmp-\(getpid())"
        unlink(probe)
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw BatchInviteError.usage(
                "\(file.option) \(file.path) cannot be written: no file can be created in "
                    + "\(OutputTarget.directory(of: real)) (\(reason)); nothing was read or sent")
        }
        close(descriptor)
        unlink(probe)
    }

    /// Removes what processes that died left of the outputs (`<path>.tmp-<pid>`).
    func removeStaleTemporaries() {
        for file in files where file.role != .reads {
            guard let target = try? OutputTarget(file.path), case .file(let real) = target else {
                continue
            }
            TemporaryFiles.removeStale(of: real)
        }
    }

    /// Whether the failure summary of a command whose files may not have passed their
    /// checks may be written at `path`: it must be a file this command writes, and no
    /// other of its files.
    func safeForFailureSummary(_ path: String) -> Bool {
        guard (try? OutputTarget(path)) != nil else { return false }
        let mine = Identity(path)
        return files.filter { Identity($0.path) == mine }.count == 1
    }

    /// Whether a summary of a command that stopped while reading its options may be
    /// written at `path`: not where any other argument's file is (the command line could
    /// not be read, so which arguments are files is not known for sure).
    static func safeForFailureSummary(_ path: String, besides arguments: [String]) -> Bool {
        guard (try? OutputTarget(path)) != nil else { return false }
        let mine = Identity(path)
        return !arguments.contains { $0 != path && Identity($0) == mine }
            && arguments.filter({ $0 == path }).count <= 1
    }

    /// What makes two paths the same file.
    private enum Identity: Equatable {
        case inode(UInt64, UInt64)
        case path(String)

        init(_ path: String) {
            var status = stat()
            if stat(path, &status) == 0 {
                self = .inode(UInt64(status.st_dev), UInt64(status.st_ino))
            } else {
                self = .path(OutputTarget.resolved(path))
            }
        }
    }
}
