private import CLibCurl
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A command line run through `/bin/sh -c` in a process group of its own, with nothing on
/// its standard input, within bounds: it is stopped at `timeout`, or as soon as it prints
/// more than `outputLimit` bytes on its standard output, and only the last `errorTail`
/// bytes of its standard error are kept. Whatever it started in its group is stopped with
/// it: when it ends (or is stopped), its group gets SIGTERM, and SIGKILL once its pipes
/// close or `grace` seconds have passed, so nothing it left behind outlives `run`.
/// The group's leader is reaped only after that, so its ID cannot name another group.
/// A group of its own does not get the terminal's Ctrl-C: every group still running when
/// this process exits gets SIGKILL.
public struct BoundedCommand: Sendable {
    /// How the command ended.
    public enum Ending: Sendable, Equatable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal it did not get from `run` ended it.
        case signalled(Int32)
        /// It ran past `timeout` and was stopped.
        case timedOut
        /// It printed more than `outputLimit` bytes and was stopped.
        case printedTooMuch
    }

    /// What came of a run.
    public struct Result: Sendable {
        public var ending: Ending
        /// Its standard output (at most `outputLimit` bytes).
        public var output: [UInt8]
        /// The end of its standard error (at most `errorTail` bytes).
        public var errorTail: [UInt8]
    }

    /// Why it could not be started (no pipe, no process).
    public struct StartFailure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public var command: String
    /// Seconds it may run. Default 30.
    public var timeout = 30.0
    /// Bytes of standard output read at most. Default 64 KiB.
    public var outputLimit = 64 * 1024
    /// Bytes kept of the end of its standard error. Default 4 KiB.
    public var errorTail = 4 * 1024
    /// Seconds between SIGTERM and SIGKILL for its group. Default 2.
    public var grace = 2.0

    public init(_ command: String) {
        self.command = command
    }

    /// The leaders of the groups running now.
    private static let running = Mutex<Set<pid_t>>([])
    private static let hook: Void = {
        atexit {
            BoundedCommand.running.withLock { leaders in
                for leader in leaders { kill(-leader, SIGKILL) }
            }
        }
    }()

    /// Runs it to its end. Throws `StartFailure` when it cannot be started.
    public func run() throws -> Result {
        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        guard clibcurl_pipe_cloexec(&outputPipe) == 0 else { throw failure("pipe") }
        guard clibcurl_pipe_cloexec(&errorPipe) == 0 else {
            outputPipe.forEach { close($0) }
            throw failure("pipe")
        }
        let nothing = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let leader: pid_t
        do {
            defer {
                close(outputPipe[1])
                close(errorPipe[1])
                if nothing >= 0 { close(nothing) }
            }
            guard nothing >= 0 else { throw failure("open /dev/null") }
            _ = Self.hook
            leader = try spawn(input: nothing, output: outputPipe[1], errors: errorPipe[1])
            Self.running.withLock { _ = $0.insert(leader) }
        } catch {
            close(outputPipe[0])
            close(errorPipe[0])
            throw error
        }
        defer {
            close(outputPipe[0])
            close(errorPipe[0])
        }
        return collect(leader: leader, output: outputPipe[0], errors: errorPipe[0])
    }

    private func failure(_ call: String) -> StartFailure {
        StartFailure(description: "\(call): \(String(cString: strerror(errno)))")
    }

    /// Starts `/bin/sh -c command` as the leader of a new process group, with the
    /// signals' default actions and none blocked (this process ignores SIGPIPE and, while
    /// it runs, SIGINT and SIGTERM: the command must not inherit that).
    private func spawn(input: Int32, output: Int32, errors: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, errors, 2)
        // Nothing else of this process (sockets, the journal) goes to the command.
        clibcurl_spawn_closefrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        sigdelset(&everySignal, SIGKILL)
        sigdelset(&everySignal, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let words: [String] = ["/bin/sh", "-c", command]
        let arguments = words.map { word in word.withCString { strdup($0) } }
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments + [nil], environ)
        guard status == 0 else {
            errno = status
            throw failure("posix_spawn")
        }
        return pid
    }

    /// Reads both pipes until the command and what it left behind are gone, stopping
    /// them when a bound is passed; then reaps the leader.
    private func collect(leader: pid_t, output: Int32, errors: Int32) -> Result {
        var watch = Watch(leader: leader, output: output, grace: grace)
        let deadline = Clock.monotonic() + timeout
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let now = Clock.monotonic()
            if !watch.leaderEnded && Self.hasEnded(leader) {
                watch.leaderEnded = true
                // What it started and left running goes with it.
                watch.stopGroup(now: now)
            }
            if watch.leaderEnded && !watch.outputOpen && !watch.errorsOpen { break }
            if watch.stoppedFor == nil && now >= deadline {
                watch.stoppedFor = .timedOut
                watch.stopGroup(now: now)
            }
            if let killAt = watch.killAt, now >= killAt {
                // Pipes held by a process that left the group may never close: what is
                // left unread is not waited for.
                break
            }
            var descriptors: [pollfd] = []
            if watch.outputOpen {
                descriptors.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0))
            }
            if watch.errorsOpen {
                descriptors.append(pollfd(fd: errors, events: Int16(POLLIN), revents: 0))
            }
            // The leader's end is not a descriptor: look again every 20 ms.
            var wait = min(watch.killAt ?? deadline, deadline) - now
            if !watch.leaderEnded || descriptors.isEmpty { wait = min(wait, 0.02) }
            let ready = poll(
                &descriptors, nfds_t(descriptors.count), Int32(max(wait, 0) * 1000) + 1)
            guard ready > 0 else { continue }
            for descriptor in descriptors where descriptor.revents != 0 {
                let count = buffer.withUnsafeMutableBytes {
                    read(descriptor.fd, $0.baseAddress, $0.count)
                }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                watch.take(buffer[..<max(count, 0)], from: descriptor.fd, now: now, bounds: self)
            }
        }
        // Whatever of the group still runs (a process that ignored SIGTERM) ends here,
        // the leader last: until it is reaped its ID names no other group.
        kill(-leader, SIGKILL)
        let status = waitForEnd(leader)
        Self.running.withLock { _ = $0.remove(leader) }
        var result = watch.result
        if let stoppedFor = watch.stoppedFor {
            result.ending = stoppedFor
        } else if status & 0x7F == 0 {
            result.ending = .exited((status >> 8) & 0xFF)
        } else {
            result.ending = .signalled(status & 0x7F)
        }
        return result
    }

    /// What `collect` knows of a command running: which pipes are open, whether the
    /// leader ended, why `run` stopped it and when its group gets SIGKILL, and what it
    /// printed.
    private struct Watch {
        let leader: pid_t
        /// The standard output's pipe (the other one is the standard error's).
        let output: Int32
        let grace: Double
        var result = Result(ending: .exited(0), output: [], errorTail: [])
        var outputOpen = true
        var errorsOpen = true
        var leaderEnded = false
        /// Why `run` stopped the command, once it did.
        var stoppedFor: Ending?
        /// When the group gets SIGKILL, once it got SIGTERM.
        var killAt: Double?

        /// Sends the group SIGTERM (once), and SIGKILL `grace` seconds later.
        mutating func stopGroup(now: Double) {
            guard killAt == nil else { return }
            kill(-leader, SIGTERM)
            killAt = now + grace
        }

        /// Keeps what was read from pipe `descriptor` (nothing: it closed), within the
        /// command's bounds.
        mutating func take(
            _ bytes: ArraySlice<UInt8>, from descriptor: Int32, now: Double,
            bounds: BoundedCommand
        ) {
            guard !bytes.isEmpty else {
                if descriptor == output { outputOpen = false } else { errorsOpen = false }
                return
            }
            guard descriptor == output else {
                result.errorTail.append(contentsOf: bytes)
                if result.errorTail.count > bounds.errorTail {
                    result.errorTail.removeFirst(result.errorTail.count - bounds.errorTail)
                }
                return
            }
            guard result.output.count + bytes.count <= bounds.outputLimit else {
                // Stopped at once: nothing more of it is read or kept.
                stoppedFor = .printedTooMuch
                kill(-leader, SIGKILL)
                killAt = now
                outputOpen = false
                errorsOpen = false
                return
            }
            result.output.append(contentsOf: bytes)
        }
    }

    /// Whether the leader has ended, without reaping it (its process ID, and so its
    /// group's, stays taken until `waitForEnd`).
    private static func hasEnded(_ leader: pid_t) -> Bool {
        var information = siginfo_t()
        let status = waitid(P_PID, id_t(leader), &information, WEXITED | WNOHANG | WNOWAIT)
        return status == 0 && information.si_signo == SIGCHLD || status < 0 && errno == ECHILD
    }

    /// Reaps the leader, waiting for its end; returns its wait status.
    @discardableResult
    private func waitForEnd(_ leader: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(leader, &status, 0) < 0 {
            guard errno == EINTR else { return status }
        }
        return status
    }
}
