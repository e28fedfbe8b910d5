import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `batch-invite simulate` running on a free port of 127.0.0.1, stopped (SIGTERM) when
/// the test is done with it.
final class SimulatorProcess {
    let process = Process()
    let port: Int
    let directory: URL
    private let output = Pipe()
    private let errors = Pipe()
    private var stopped = false

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var logPath: String { directory.appendingPathComponent("requests.jsonl").path }

    /// Starts the simulator with `arguments` (a request log in a scratch folder is added).
    init(_ arguments: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "batch-invite-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.executableURL = Tool.binary
        process.arguments =
            ["simulate", "--request-log", directory.appendingPathComponent("requests.jsonl").path]
            + arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = try firstLine(of: output)
        guard text.hasPrefix("listening on http://127.0.0.1:"),
            let port = Int(text.split(separator: ":").last ?? "")
        else {
            process.terminate()
            throw SimulatorFailure(message: "simulate printed \"\(text)\" instead of its address")
        }
        self.port = port
    }

    /// Sends SIGTERM and waits; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if !stopped {
            stopped = true
            process.terminate()
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The request log's entries (stop the simulator first so that it is flushed).
    func logEntries() throws -> [[String: Any]] {
        let text = try String(contentsOfFile: logPath, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    // MARK: Requests

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 20
        return URLSession(configuration: configuration)
    }()

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data

        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }
    }

    /// POSTs to the Sendoso endpoint.
    func invite(
        email: String, firstName: String = "Ada", lastName: String = "Lovelace",
        role: String = "manager",
        team: Any = 1234, token: String? = "secret"
    ) async throws -> Reply {
        let user: [String: Any] = [
            "first_name": firstName, "last_name": lastName, "email": email, "role": role,
            "team_group_id": team,
        ]
        return try await post(
            "/api/v3/users", body: try JSONSerialization.data(withJSONObject: ["user": user]),
            token: token)
    }

    /// POSTs to the CyberArk endpoint.
    func sendSMS(id: String?, token: String? = "secret") async throws -> Reply {
        try await post(
            "/UserMgmt/SendSmsInvite" + (id.map { "?ID=\($0)" } ?? ""), body: Data(), token: token)
    }

    func post(_ path: String, body: Data, token: String?, method: String = "POST") async throws
        -> Reply
    {
        try await Self.post(baseURL: baseURL, path, body: body, token: token, method: method)
    }

    /// The same, to the simulator at `baseURL` (for requests sent at once from many tasks).
    static func post(
        baseURL: String, _ path: String, body: Data, token: String?, method: String = "POST"
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await Self.session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        return Reply(status: http.statusCode, headers: headers, body: data)
    }
}

/// The first line a process wrote to `pipe` (its address, for the servers tests start).
func firstLine(of pipe: Pipe) throws -> String {
    var line: [UInt8] = []
    let handle = pipe.fileHandleForReading
    while let byte = try handle.read(upToCount: 1)?.first, byte != 10 {
        line.append(byte)
    }
    return String(decoding: line, as: UTF8.self)
}

struct SimulatorFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
