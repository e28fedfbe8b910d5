import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The simulator's record of every request that reached an API handler: one JSON object
/// per line (`time`, `api`, `key`, `attempt`, `status`, `outcome`, and `fault` when one was
/// injected), appended to a file. Tests count what the server really received from it.
///
/// Each line is written to the file (one `write`) before the request is answered, so the
/// log holds every request answered even when the simulator is killed (`kill -9`): it is
/// the server's truth for the tests.
public final class RequestLog: @unchecked Sendable {
    // Safe to share: the descriptor is fixed, and each line goes out in writes made with
    // `lock` held, so lines never interleave.

    /// What became of a request.
    public enum Outcome: String, Sendable {
        /// The invitation was made (even if the answer was then lost: see `fault`).
        case invited
        /// The API refused it (bad token, bad body, already invited, unknown user).
        case rejected
        /// An injected fault answered instead of the API.
        case fault
        /// The token endpoint issued a token.
        case issued
    }

    public struct Entry: Sendable {
        public var api: String
        public var key: String
        public var attempt: Int
        public var status: Int?
        public var outcome: Outcome
        public var fault: String?
    }

    private let descriptor: Int32
    private let lock = NSLock()

    /// Opens (creating, or appending to) the log at `path`.
    public init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BatchInviteError.io(
                "cannot open the request log \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        Glibc.close(descriptor)
    }

    public func append(_ entry: Entry) {
        var line: [UInt8] = []
        line.append(
            contentsOf:
                "{\"time\":\"\(Clock.iso8601(milliseconds: Clock.wallMilliseconds()))\",\"api\":"
                .utf8)
        TextBytes.appendJSONString(entry.api, to: &line)
        line.append(contentsOf: ",\"key\":".utf8)
        TextBytes.appendJSONString(entry.key, to: &line)
        line.append(contentsOf: ",\"attempt\":".utf8)
        TextBytes.appendInteger(entry.attempt, to: &line)
        line.append(contentsOf: ",\"status\":".utf8)
        if let status = entry.status {
            TextBytes.appendInteger(status, to: &line)
        } else {
            line.append(contentsOf: "null".utf8)
        }
        line.append(contentsOf: ",\"outcome\":\"\(entry.outcome.rawValue)\"".utf8)
        if let fault = entry.fault {
            line.append(contentsOf: ",\"fault\":".utf8)
            TextBytes.appendJSONString(fault, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < line.count {
            let written = line.withUnsafeBytes {
                write(descriptor, $0.baseAddress! + offset, $0.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { break }
            offset += written
        }
    }
}
