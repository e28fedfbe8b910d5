import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A raw TCP connection to the simulator, for what a well-behaved HTTP client never does.
/// One thread may send while another reads (the socket allows it; nothing else is shared).
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            throw SimulatorFailure(message: "cannot connect: \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return }
            offset += written
        }
    }

    func closeWriting() { shutdown(fd, Int32(SHUT_WR)) }

    /// Whether the server closed the connection (checked without waiting).
    var isClosedByPeer: Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_DONTWAIT) | Int32(MSG_PEEK)) == 0
    }

    /// Everything until the server closes the connection (or 15 s pass).
    func readToEnd() -> String {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            data += chunk[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// One response, read by its Content-Length.
    func readResponse() -> String {
        var data: [UInt8] = []
        var byte: UInt8 = 0
        while !data.ends(with: [13, 10, 13, 10]) {
            guard recv(fd, &byte, 1, 0) == 1 else { return String(decoding: data, as: UTF8.self) }
            data.append(byte)
        }
        let head = String(decoding: data, as: UTF8.self)
        let length =
            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        var body = [UInt8](repeating: 0, count: length)
        var received = 0
        while received < length {
            let count = body.withUnsafeMutableBytes {
                recv(fd, $0.baseAddress! + received, length - received, 0)
            }
            if count <= 0 { break }
            received += count
        }
        return head + String(decoding: body, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}

let smsRequest =
    "POST /UserMgmt/SendSmsInvite?ID=3f2504e0-4f89-11d3-9a0c-0305e82c3301 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret\r\nContent-Length: 0\r\n\r\n"

@Suite struct SimulatorRobustnessTests {
    @Test func aMalformedRequestLineGets400AndAClosedConnection() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let connection = try RawConnection(port: simulator.port)
        connection.send("HELLO THERE\r\n\r\n")
        #expect(connection.readToEnd().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(try isStillServing(simulator))
    }

    @Test func oversizedHeadersGet431() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let connection = try RawConnection(port: simulator.port)
        connection.send(
            "POST /api/v3/users HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 20_000)
                + "\r\n\r\n")
        #expect(connection.readToEnd().hasPrefix("HTTP/1.1 431 "))
        #expect(try isStillServing(simulator))
    }

    @Test func aRequestTricklingInGets408AtItsDeadlineWhateverArrives() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--request-timeout-ms", "2000"])
        let connection = try RawConnection(port: simulator.port)
        let started = Date()
        // One byte every half second: more than a plain read timeout would ever see.
        let bytes =
            Array("POST /api/v3/users HTTP/1.1\r\nX-Slow: ".utf8)
            + Array(repeating: UInt8(ascii: "a"), count: 40)
        let writer = Thread {
            for byte in bytes {
                connection.send([byte])
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        writer.start()
        #expect(connection.readToEnd().hasPrefix("HTTP/1.1 408 "))
        #expect(Date().timeIntervalSince(started) < 4)
        #expect(try isStillServing(simulator))
    }

    @Test func slowClientsFillingEveryConnectionDoNotShutOthersOut() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--max-connections", "8"])
        var slow: [RawConnection] = []
        for _ in 0..<8 {
            let connection = try RawConnection(port: simulator.port)
            connection.send("POST /api/v3/users HTTP/1.1\r\nX-Slow: a")
            slow.append(connection)
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try isStillServing(simulator))
        // The request arriving the longest gave way: one slow connection was closed, at once
        // (not after its 10 s deadline).
        Thread.sleep(forTimeInterval: 0.2)
        #expect(slow.filter { $0.isClosedByPeer }.count == 1)
        for _ in 0..<3 {
            #expect(try isStillServing(simulator))
        }
    }

    @Test func theRequestLogHoldsEveryAnsweredRequestAfterKillNine() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let connection = try RawConnection(port: simulator.port)
        for _ in 0..<20 {
            connection.send(smsRequest)
            #expect(connection.readResponse().hasPrefix("HTTP/1.1 200 OK"))
        }
        kill(simulator.process.processIdentifier, SIGKILL)
        simulator.stop()
        #expect(try simulator.logEntries().count == 20)
    }

    @Test func anOversizedBodyGets413WithoutBeingRead() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let connection = try RawConnection(port: simulator.port)
        connection.send(
            "POST /api/v3/users HTTP/1.1\r\nAuthorization: Bearer secret\r\nContent-Length: 2000000\r\n\r\n{"
        )
        #expect(connection.readToEnd().hasPrefix("HTTP/1.1 413 "))
        #expect(try isStillServing(simulator))
    }

    @Test func aSlowClientGets408() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--request-timeout-ms", "300"])
        let connection = try RawConnection(port: simulator.port)
        connection.send("POST /api/v3/users HTTP/1.1\r\nContent-Le")
        let start = Date()
        #expect(connection.readToEnd().hasPrefix("HTTP/1.1 408 "))
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(try isStillServing(simulator))
    }

    @Test func anIdleKeepAliveConnectionIsClosedQuietly() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--idle-timeout-ms", "300"])
        let connection = try RawConnection(port: simulator.port)
        connection.send(smsRequest)
        #expect(connection.readResponse().hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(connection.readToEnd() == "")
    }

    @Test func aHalfClosedConnectionStillGetsItsAnswers() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let connection = try RawConnection(port: simulator.port)
        connection.send(smsRequest + smsRequest)
        connection.closeWriting()
        let replies = connection.readToEnd()
        #expect(replies.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
    }

    @Test func keepAliveServesSeveralRequestsAndConnectionCloseIsHonoured() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let connection = try RawConnection(port: simulator.port)
        connection.send(smsRequest)
        #expect(connection.readResponse().hasPrefix("HTTP/1.1 200 OK"))
        connection.send(
            smsRequest.replacingOccurrences(
                of: "Host: x\r\n", with: "Host: x\r\nConnection: close\r\n"))
        let last = connection.readResponse()
        #expect(last.hasPrefix("HTTP/1.1 200 OK") && last.contains("Connection: close\r\n"))
        #expect(connection.readToEnd() == "")
    }

    @Test func aClientLeavingMidRequestDoesNotDisturbOthers() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        for _ in 0..<20 {
            let connection = try RawConnection(port: simulator.port)
            connection.send(
                "POST /api/v3/users HTTP/1.1\r\nAuthorization: Bearer secret\r\nContent-Length: 100\r\n\r\n{\"us"
            )
        }
        #expect(try isStillServing(simulator))
    }

    @Test func manyConcurrentConnectionsAreServed() throws {
        let simulator = try SimulatorProcess(["--token", "secret", "--latency-ms", "100"])
        let connections = try (0..<200).map { _ in try RawConnection(port: simulator.port) }
        for connection in connections { connection.send(smsRequest) }
        let start = Date()
        let answered = connections.filter { $0.readResponse().hasPrefix("HTTP/1.1 200 OK") }.count
        #expect(answered == 200)
        // All 200 waited their 100 ms side by side, not one after another (20 s).
        #expect(Date().timeIntervalSince(start) < 12)
    }

    @Test func sigtermStopsItCleanlyWithTheLogFlushed() throws {
        let simulator = try SimulatorProcess(["--token", "secret"])
        let connection = try RawConnection(port: simulator.port)
        connection.send(smsRequest)
        _ = connection.readResponse()
        #expect(simulator.stop() == 0)
        #expect(try simulator.logEntries().count == 1)
    }

    private func isStillServing(_ simulator: SimulatorProcess) throws -> Bool {
        let connection = try RawConnection(port: simulator.port)
        connection.send(smsRequest)
        return connection.readResponse().hasPrefix("HTTP/1.1 200 OK")
    }
}
