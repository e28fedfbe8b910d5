import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for the simulator: POSIX sockets, one thread per
/// connection, keep-alive, Content-Length bodies. Hostile clients get a 400, 408, 413 or
/// 431 and a closed connection (or just the closed connection); they never stop it or
/// the other connections: a request must arrive whole within its deadline however its
/// bytes trickle in, and when every connection is taken, a new client gets the place of
/// the connection idle the longest, else of the request that has been arriving the
/// longest.
public final class HTTPServer: @unchecked Sendable {
    // Safe to share: `connections` and `stopped` are only touched with `lock` held;
    // the rest is immutable after `init`.

    /// What to do with a request.
    public enum Action: Sendable {
        /// Wait `delay` seconds, then answer.
        case respond(HTTPResponse, delay: Double)
        /// Wait `delay` seconds, then close the connection without answering.
        case drop(delay: Double)
    }

    /// Timeouts and limits.
    public struct Limits: Sendable {
        /// Seconds a started request may take to arrive whole, however its bytes trickle in;
        /// then 408 and close. Default 10.
        public var requestTimeout: Double = 10
        /// Seconds an idle keep-alive connection stays open. Default 60.
        public var idleTimeout: Double = 60
        /// Connections served at once. Default 1024. A connection beyond them takes the place
        /// of one idle or still receiving its request (that one is closed); with none such,
        /// it is closed.
        public var maxConnections = 1024

        public init() {}
    }

    /// The port the server listens on (the one picked when 0 was asked for).
    public let port: UInt16
    private let listener: Int32
    private let limits: Limits
    private let handler: @Sendable (HTTPRequest) -> Action
    private let lock = NSLock()
    /// Open connections, and what each is doing since when.
    private var connections: [Int32: (phase: Phase, since: Double)] = [:]
    private var stopped = false

    /// What a connection is doing.
    private enum Phase {
        /// Waiting for a request to begin.
        case idle
        /// Receiving a request.
        case receiving
        /// Handling a request: its answer is coming.
        case handling
    }
    private let acceptEnded = DispatchSemaphore(value: 0)

    /// Binds 127.0.0.1:`port` (0 picks a free port) and listens; `start()` begins serving.
    public init(
        port: UInt16, limits: Limits = Limits(),
        handler: @escaping @Sendable (HTTPRequest) -> Action
    ) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw BatchInviteError.io("cannot create a socket: \(String(cString: strerror(errno)))")
        }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BatchInviteError.usage("cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            _ = $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        self.port = UInt16(bigEndian: address.sin_port)
        listener = fd
        self.limits = limits
        self.handler = handler
    }

    deinit {
        close(listener)
    }

    /// Starts accepting connections on a thread of its own.
    public func start() {
        let thread = Thread { [self] in
            acceptLoop()
            acceptEnded.signal()
        }
        thread.start()
    }

    /// Stops accepting, closes every open connection and waits for the accept thread.
    public func stop() {
        lock.lock()
        guard !stopped else {
            lock.unlock()
            return
        }
        stopped = true
        let open = Array(connections.keys)
        lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in open {
            shutdown(fd, Int32(SHUT_RDWR))
        }
        acceptEnded.wait()
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE {
                    if errno == EMFILE || errno == ENFILE { usleep(10_000) }
                    if isStopped { return }
                    continue
                }
                return
            }
            lock.lock()
            var admitted = !stopped
            if admitted && connections.count >= limits.maxConnections {
                // Full: make room by closing the connection idle the longest, else the one
                // whose request has been arriving the longest.
                let victim =
                    connections.filter { $0.value.phase == .idle }.min {
                        $0.value.since < $1.value.since
                    }
                    ?? connections.filter { $0.value.phase == .receiving }.min {
                        $0.value.since < $1.value.since
                    }
                if let victim {
                    connections[victim.key] = nil
                    shutdown(victim.key, Int32(SHUT_RDWR))
                } else {
                    admitted = false
                }
            }
            if admitted { connections[fd] = (.idle, Clock.monotonic()) }
            lock.unlock()
            guard admitted else {
                close(fd)
                continue
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var yes: Int32 = 1
            setsockopt(
                fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let thread = Thread { [self] in
                serve(fd)
                lock.lock()
                connections[fd] = nil
                lock.unlock()
                close(fd)
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// Notes what connection `fd` is doing now (unless it was closed to make room).
    private func enter(_ phase: Phase, _ fd: Int32) {
        lock.lock()
        if let current = connections[fd], current.phase != phase {
            connections[fd] = (phase, Clock.monotonic())
        }
        lock.unlock()
    }

    /// Serves one connection until it closes, errs or times out.
    private func serve(_ fd: Int32) {
        var inbox = Inbox()
        while true {
            let outcome = inbox.buffer.withUnsafeBytes { HTTPRequestParser.parse($0) }
            switch outcome {
            case .failure(let status, let message):
                send(
                    fd,
                    HTTPResponse.json(
                        status, "{\"success\":false,\"message\":\(TextBytes.jsonString(message))}"),
                    close: true)
                return
            case .request(let request, let consumed):
                inbox.take(consumed)
                guard answer(request, on: fd) else { return }
            case .needMore(let expectsContinue):
                guard receive(into: &inbox, on: fd, expectsContinue: expectsContinue) else {
                    return
                }
            }
        }
    }

    /// How far a connection is in receiving its requests.
    private struct Inbox {
        /// The bytes received and not yet taken by a request.
        var buffer: [UInt8] = []
        /// Whether `100 Continue` was sent for the request being received.
        var sentContinue = false
        /// When the request being received must be whole.
        var deadline = Double.infinity
        /// Where `recv` writes.
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)

        init() {
            buffer.reserveCapacity(4096)
        }

        /// Removes a whole request's `count` bytes; the next request starts afresh.
        mutating func take(_ count: Int) {
            buffer.removeFirst(count)
            sentContinue = false
            deadline = .infinity
        }
    }

    /// Hands `request` to the handler and carries out its action; whether the connection
    /// stays open for the next request.
    private func answer(_ request: HTTPRequest, on fd: Int32) -> Bool {
        enter(.handling, fd)
        switch handler(request) {
        case .respond(let response, let delay):
            pause(delay)
            return send(fd, response, close: request.wantsClose) && !request.wantsClose
        case .drop(let delay):
            pause(delay)
            return false
        }
    }

    /// Waits for more of a request (or for the next one, on an idle connection) within the
    /// idle timeout or the request's deadline, sending `100 Continue` once if it was asked
    /// for; whether the connection stays open. A request that misses its deadline is
    /// answered 408.
    private func receive(into inbox: inout Inbox, on fd: Int32, expectsContinue: Bool) -> Bool {
        if expectsContinue && !inbox.sentContinue {
            inbox.sentContinue = true
            guard write(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return false }
        }
        let now = Clock.monotonic()
        let timeout: Double
        if inbox.buffer.isEmpty {
            enter(.idle, fd)
            timeout = limits.idleTimeout
        } else {
            if inbox.deadline == .infinity { inbox.deadline = now + limits.requestTimeout }
            enter(.receiving, fd)
            timeout = inbox.deadline - now
        }
        switch timeout > 0 ? waitReadable(fd, seconds: timeout) : .timedOut {
        case .timedOut:
            if !inbox.buffer.isEmpty {
                send(
                    fd,
                    HTTPResponse.json(408, "{\"success\":false,\"message\":\"request timed out\"}"),
                    close: true)
            }
            return false
        case .failed:
            return false
        case .ready:
            let count = inbox.chunk.withUnsafeMutableBytes {
                recv(fd, $0.baseAddress, $0.count, 0)
            }
            if count < 0 && errno == EINTR { return true }
            guard count > 0 else { return false }
            inbox.buffer.append(contentsOf: inbox.chunk[0..<count])
            return true
        }
    }

    private enum Readiness { case ready, timedOut, failed }

    private func waitReadable(_ fd: Int32, seconds: Double) -> Readiness {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let result = poll(&entry, 1, Int32(min(seconds * 1000, Double(Int32.max))))
            if result > 0 { return .ready }
            if result == 0 { return .timedOut }
            if errno != EINTR { return .failed }
        }
    }

    private func pause(_ seconds: Double) {
        guard seconds > 0 else { return }
        usleep(UInt32(min(seconds, 3600) * 1_000_000))
    }

    @discardableResult
    private func send(_ fd: Int32, _ response: HTTPResponse, close: Bool) -> Bool {
        write(fd, response.serialized(close: close))
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
