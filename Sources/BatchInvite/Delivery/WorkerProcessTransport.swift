import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Sends requests through `HTTPTransport` in a child process (`batch-invite
/// http-worker`), replaced by a fresh one every `recycleAfter` requests.
///
/// Why: FoundationNetworking on Linux keeps about 0.2 KB per request it ever made
/// (valgrind shows the allocations inside URLSession's libcurl glue; see BENCHMARKS.md), so
/// a million-row run would grow by hundreds of megabytes. A child that exits gives that
/// memory back. The token reaches the child through its environment, never its arguments.
/// Safe for concurrent use.
public final class WorkerProcessTransport: Transport, @unchecked Sendable {
    // Safe to share: `current`, `children` and `sent` are only touched with `lock` held; each `Child`
    // locks itself.
    private let executable: String
    private let baseURL: String
    private let token: String
    private let concurrency: Int
    private let timeout: Double
    private let recycleAfter: Int
    private let lock = NSLock()
    private var current: Child?
    /// Children not known to have exited yet (the current one and any retiring).
    private var children: [Child] = []
    private var sent = 0

    /// Requests go through children of `executable` (this program), `recycleAfter` each.
    public init(
        executable: String, baseURL: String, token: String, concurrency: Int, timeout: Double,
        recycleAfter: Int = 50_000
    ) {
        self.executable = executable
        self.baseURL = baseURL
        self.token = token
        self.concurrency = concurrency
        self.timeout = timeout
        self.recycleAfter = max(recycleAfter, 1)
    }

    deinit {
        current?.retire()
    }

    /// Retires the current child and waits until every child has exited (and was reaped,
    /// so its CPU time counts as this process's children's). Call once no request is left.
    public func finish() {
        lock.lock()
        let child = current
        current = nil
        let all = children
        lock.unlock()
        child?.retire()
        for child in all {
            child.waitUntilEnded()
        }
    }

    public func send(_ request: APIRequest) -> TransportResult {
        let child: Child
        do {
            child = try childForNextRequest()
        } catch {
            return .failed(
                TransportFailure(
                    kind: .notReached, description: "cannot start the HTTP worker: \(error)"))
        }
        return child.send(request)
    }

    private func childForNextRequest() throws -> Child {
        lock.lock()
        defer { lock.unlock() }
        if let child = current, sent < recycleAfter, child.reserve() {
            sent += 1
            return child
        }
        current?.retire()
        let child = try Child(
            executable: executable, baseURL: baseURL, token: token, concurrency: concurrency,
            timeout: timeout)
        children.removeAll { $0.hasEnded }
        children.append(child)
        current = child
        sent = 1
        _ = child.reserve()
        return child
    }

    /// One `http-worker` process and the requests waiting for its answers.
    final class Child: @unchecked Sendable {
        // Safe to share: `waiting`, `nextID`, `alive`, `retiring` are only touched with
        // `lock` held; writes to the pipe are serialised by `writeLock`.
        private let process = Process()
        private let input: FileHandle
        private let output: FileHandle
        private let lock = NSLock()
        private let writeLock = NSLock()
        private var waiting: [UInt32: Waiter] = [:]
        private var nextID: UInt32 = 0
        private var alive = true
        private var retiring = false
        /// Sends promised by `reserve()` and not yet registered: the input stays open for them.
        private var reserved = 0
        private let ended = DispatchSemaphore(value: 0)
        private var exited = false

        final class Waiter: @unchecked Sendable {
            // Written once by the reading thread before `done` is signalled, read after.
            var result: TransportResult?
            let done = DispatchSemaphore(value: 0)
        }

        init(executable: String, baseURL: String, token: String, concurrency: Int, timeout: Double)
            throws
        {
            let stdin = Pipe()
            let stdout = Pipe()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "http-worker", "--base-url", baseURL, "--concurrency", "\(concurrency)",
                "--timeout", "\(timeout)",
            ]
            var environment = ProcessInfo.processInfo.environment
            environment[WorkerFrames.tokenVariable] = token
            process.environment = environment
            process.standardInput = stdin
            process.standardOutput = stdout
            try process.run()
            input = stdin.fileHandleForWriting
            output = stdout.fileHandleForReading
            let reader = Thread { [self] in readAnswers() }
            reader.start()
        }

        /// Promises one `send`, so that retiring waits for it; false when this child takes
        /// no more requests.
        func reserve() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            guard alive && !retiring else { return false }
            reserved += 1
            return true
        }

        func send(_ request: APIRequest) -> TransportResult {
            let waiter = Waiter()
            lock.lock()
            reserved -= 1
            guard alive else {
                lock.unlock()
                return .failed(
                    TransportFailure(kind: .notReached, description: "the HTTP worker ended"))
            }
            nextID &+= 1
            let id = nextID
            waiting[id] = waiter
            lock.unlock()
            let frame = WorkerFrames.encode(id: id, request: request)
            writeLock.lock()
            let written = frame.withUnsafeBytes { WorkerFrames.writeAll(input.fileDescriptor, $0) }
            writeLock.unlock()
            if !written {
                lock.lock()
                waiting[id] = nil
                lock.unlock()
                return .failed(
                    TransportFailure(kind: .notReached, description: "the HTTP worker ended"))
            }
            waiter.done.wait()
            finishedOne()
            return waiter.result
                ?? .failed(
                    TransportFailure(kind: .answerLost, description: "the HTTP worker ended"))
        }

        /// No new requests; the child's input is closed once the last answer is in.
        func retire() {
            lock.lock()
            retiring = true
            let idle = waiting.isEmpty && reserved == 0
            lock.unlock()
            if idle { closeInput() }
        }

        private func finishedOne() {
            lock.lock()
            let done = retiring && waiting.isEmpty && reserved == 0
            lock.unlock()
            if done { closeInput() }
        }

        private func closeInput() {
            writeLock.lock()
            try? input.close()
            writeLock.unlock()
        }

        private func readAnswers() {
            let descriptor = output.fileDescriptor
            while let (id, result) = WorkerFrames.readAnswer(descriptor) {
                lock.lock()
                let waiter = waiting.removeValue(forKey: id)
                lock.unlock()
                waiter?.result = result
                waiter?.done.signal()
            }
            lock.lock()
            alive = false
            let orphans = waiting
            waiting.removeAll()
            lock.unlock()
            for waiter in orphans.values {
                waiter.result = .failed(
                    TransportFailure(kind: .answerLost, description: "the HTTP worker ended"))
                waiter.done.signal()
            }
            process.waitUntilExit()
            lock.lock()
            exited = true
            lock.unlock()
            ended.signal()
        }

        /// Whether the process has exited and was reaped.
        var hasEnded: Bool {
            lock.lock()
            defer { lock.unlock() }
            return exited
        }

        /// Waits until the process has exited and was reaped.
        func waitUntilEnded() {
            ended.wait()
            ended.signal()  // for any later waiter
        }
    }
}

/// The byte frames between `WorkerProcessTransport` and `batch-invite http-worker`: a
/// request is `id, method, path, content type, body`; an answer `id, kind, status,
/// headers, body` (each text or bytes with a 32-bit little-endian length first).
public enum WorkerFrames {
    /// The environment variable the child reads the token from.
    public static let tokenVariable = "BATCH_INVITE_WORKER_TOKEN"

    public static func encode(id: UInt32, request: APIRequest) -> [UInt8] {
        var frame: [UInt8] = []
        put(id, &frame)
        put(Array(request.method.utf8), &frame)
        put(Array(request.pathAndQuery.utf8), &frame)
        put(Array((request.contentType ?? "").utf8), &frame)
        put(request.body, &frame)
        return frame
    }

    public static func encode(id: UInt32, result: TransportResult) -> [UInt8] {
        var frame: [UInt8] = []
        put(id, &frame)
        switch result {
        case .answered(let status, let headers, let body):
            frame.append(0)
            put(UInt32(truncatingIfNeeded: status), &frame)
            put(
                Array(headers.map { "\($0.key)\u{0}\($0.value)" }.joined(separator: "\u{0}").utf8),
                &frame)
            put(body, &frame)
        case .failed(let failure):
            frame.append(failure.kind == .notReached ? 1 : 2)
            put(0, &frame)
            put([], &frame)
            put(Array(failure.description.utf8), &frame)
        }
        return frame
    }

    /// Reads one request frame; nil at the end of the input.
    public static func readRequest(_ descriptor: Int32) -> (UInt32, APIRequest)? {
        guard let id = readUInt32(descriptor), let method = readBytes(descriptor),
            let path = readBytes(descriptor),
            let contentType = readBytes(descriptor), let body = readBytes(descriptor)
        else { return nil }
        let type = String(decoding: contentType, as: UTF8.self)
        return (
            id,
            APIRequest(
                method: String(decoding: method, as: UTF8.self),
                pathAndQuery: String(decoding: path, as: UTF8.self),
                body: body, contentType: type.isEmpty ? nil : type)
        )
    }

    /// Reads one answer frame; nil at the end of the input.
    public static func readAnswer(_ descriptor: Int32) -> (UInt32, TransportResult)? {
        guard let id = readUInt32(descriptor), let kind = readExactly(descriptor, 1)?.first,
            let status = readUInt32(descriptor), let headerBytes = readBytes(descriptor),
            let body = readBytes(descriptor)
        else { return nil }
        guard kind == 0 else {
            let failure = TransportFailure(
                kind: kind == 1 ? .notReached : .answerLost,
                description: String(decoding: body, as: UTF8.self))
            return (id, .failed(failure))
        }
        var headers: [String: String] = [:]
        let parts = String(decoding: headerBytes, as: UTF8.self).split(
            separator: "\u{0}", omittingEmptySubsequences: false)
        var index = 0
        while index + 1 < parts.count {
            headers[String(parts[index])] = String(parts[index + 1])
            index += 2
        }
        return (id, .answered(status: Int(Int32(bitPattern: status)), headers: headers, body: body))
    }

    /// Writes every byte, retrying short writes; false when the pipe is gone.
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    private static func put(_ value: UInt32, _ frame: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { frame.append(contentsOf: $0) }
    }

    private static func put(_ bytes: [UInt8], _ frame: inout [UInt8]) {
        put(UInt32(bytes.count), &frame)
        frame.append(contentsOf: bytes)
    }

    private static func readUInt32(_ descriptor: Int32) -> UInt32? {
        guard let bytes = readExactly(descriptor, 4) else { return nil }
        return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3])
            << 24
    }

    private static func readBytes(_ descriptor: Int32) -> [UInt8]? {
        guard let count = readUInt32(descriptor), count <= 64 << 20 else { return nil }
        return readExactly(descriptor, Int(count))
    }

    private static func readExactly(_ descriptor: Int32, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = bytes.withUnsafeMutableBytes {
                Glibc.read(descriptor, $0.baseAddress! + offset, count - offset)
            }
            if received < 0 && errno == EINTR { continue }
            if received <= 0 { return nil }
            offset += received
        }
        return bytes
    }
}
