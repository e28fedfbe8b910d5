import Foundation
import Testing

/// Whether Debian's nginx is installed (`make test` installs nginx-light); the TLS tests
/// need a real TLS server.
let nginxPath = ["/usr/sbin/nginx", "/usr/bin/nginx"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// A private CA and a server certificate it signed (for `api.batch-invite.test`,
/// `localhost` and 127.0.0.1), made by the `openssl` command in a scratch folder.
final class TestCertificates {
    let directory: URL
    var caPath: String { directory.appendingPathComponent("ca.pem").path }
    var certificatePath: String { directory.appendingPathComponent("server.pem").path }
    var keyPath: String { directory.appendingPathComponent("server.key").path }

    init(caName: String = "batch-invite test CA") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "batch-invite-tls-\(UUID().uuidString)")
        try NeededTool.openssl.require()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(
            ["req", "-x509"] + ec + [
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=\(caName)",
            ])
        try openssl(
            ["req"] + ec + [
                "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=api.batch-invite.test",
            ])
        try "subjectAltName=DNS:api.batch-invite.test,DNS:localhost,IP:127.0.0.1\n".write(
            to: directory.appendingPathComponent("ext.cnf"), atomically: true, encoding: .utf8)
        try openssl([
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf",
        ])
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SimulatorFailure(message: "openssl \(arguments.joined(separator: " ")) failed")
        }
    }
}

/// nginx on 127.0.0.1 serving TLS (HTTP/2 offered) with `certificates`, passing every
/// request on to `upstream` (the simulator), and logging each request's protocol.
final class NginxProcess {
    let process = Process()
    let port: Int
    let directory: URL

    var accessLog: String { directory.appendingPathComponent("access.log").path }

    init(certificates: TestCertificates, upstream: String) throws {
        try NeededTool.nginx.require()
        guard let nginx = nginxPath else {
            throw SimulatorFailure(message: "nginx is not installed")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "batch-invite-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = closedPort()
        let root = directory.path
        let configuration = """
            worker_processes 1;
            pid \(root)/nginx.pid;
            events { worker_connections 256; }
            http {
                log_format protocol '$server_protocol $status $request_uri';
                access_log \(root)/access.log protocol;
                client_body_temp_path \(root)/body;
                proxy_temp_path \(root)/proxy;
                fastcgi_temp_path \(root)/fastcgi;
                uwsgi_temp_path \(root)/uwsgi;
                scgi_temp_path \(root)/scgi;
                server {
                    listen 127.0.0.1:\(port) ssl http2;
                    ssl_certificate \(certificates.certificatePath);
                    ssl_certificate_key \(certificates.keyPath);
                    location / {
                        proxy_pass \(upstream);
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                }
            }
            """
        try configuration.write(
            to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = [
            "-e", "\(root)/error.log", "-p", root, "-c", "\(root)/nginx.conf", "-g", "daemon off;",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !Self.accepts(port: port) {
            guard Date() < deadline, process.isRunning else {
                process.terminate()
                throw SimulatorFailure(message: "nginx did not start on port \(port)")
            }
            usleep(20_000)
        }
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The access log's lines (`HTTP/2.0 201 /api/v3/users`).
    func requests() throws -> [String] {
        try String(contentsOfFile: accessLog, encoding: .utf8).split(separator: "\n").map(
            String.init)
    }

    private static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
