import Foundation
import Testing

/// A test server of the project's own (`Tests/EndToEndTests/Servers/*.py`) running on a
/// loopback address, which prints "listening on http://HOST:PORT" first; stopped (SIGTERM)
/// when the test is done with it. Each keeps a log of what it received in a scratch folder.
final class ServerProcess {
    let process = Process()
    let url: String
    let directory: URL
    private let output = Pipe()
    private var stopped = false

    var logPath: String { directory.appendingPathComponent("received.log").path }

    /// Starts `Servers/<script>` with `arguments`; `LOG` among them is replaced by the log's path.
    init(script: String, _ arguments: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "batch-invite-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(
            atPath: directory.appendingPathComponent("received.log").path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let scriptPath = Tool.packageRoot.appendingPathComponent(
            "Tests/EndToEndTests/Servers/\(script)"
        ).path
        let log = directory.appendingPathComponent("received.log").path
        process.arguments = ["python3", scriptPath] + arguments.map { $0 == "LOG" ? log : $0 }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = try firstLine(of: output)
        guard text.hasPrefix("listening on ") else {
            process.terminate()
            throw SimulatorFailure(message: "\(script) printed \"\(text)\" instead of its address")
        }
        url = String(text.dropFirst("listening on ".count))
    }

    /// The port it listens on.
    var port: Int { Int(url.split(separator: ":").last ?? "") ?? 0 }

    func stop() {
        guard !stopped else { return }
        stopped = true
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The log's lines.
    func received() throws -> [String] {
        try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// The log's lines as JSON objects (hostile_server.py's log).
    func requests() throws -> [[String: Any]] {
        try received().map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, then released).
func closedPort() -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, length)
            return getsockname(descriptor, $0, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
