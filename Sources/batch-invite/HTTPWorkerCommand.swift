import BatchInvite
import Foundation

/// `batch-invite http-worker`: the child `run` sends its requests through (see
/// `WorkerProcessTransport`). Reads request frames on standard input, answers on standard
/// output, takes the token from its environment. Not for people: left out of the help.
struct HTTPWorkerCommand: Command {
    static let name = "http-worker"
    static let summary = "(internal) the HTTP child process of run"
    static let hidden = true
    static let options: [OptionSpec] = [
        OptionSpec(name: "--base-url", value: "URL", help: "the API's base URL"),
        OptionSpec(name: "--concurrency", value: "N", help: "requests in flight"),
        OptionSpec(name: "--timeout", value: "SECONDS", help: "per request"),
    ]
    static let help = helpText(
        usage: "batch-invite http-worker --base-url URL --concurrency N --timeout SECONDS",
        description:
            "Internal: run's HTTP child process. Reads request frames on stdin, writes answers on stdout.",
        options: options)

    let transport: HTTPTransport
    let concurrency: Int

    init(_ arguments: Arguments) throws {
        guard let base = arguments.value("--base-url"),
            let token = ProcessInfo.processInfo.environment[WorkerFrames.tokenVariable],
            !token.isEmpty
        else {
            throw BatchInviteError.usage(
                "http-worker is started by run, with a base URL and a token")
        }
        concurrency = max(Int(arguments.value("--concurrency") ?? "") ?? 8, 1)
        transport = HTTPTransport(
            baseURL: base, token: token, concurrency: concurrency,
            timeout: Double(arguments.value("--timeout") ?? "") ?? 30)
    }

    func run() throws -> Int32 {
        // A Ctrl-C reaches the whole process group: the parent decides when to stop, and
        // the requests in flight here must still get their answers to it.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let requests = WorkQueue()
        let writeLock = NSLock()
        let done = DispatchGroup()
        let transport = self.transport
        for _ in 0..<concurrency {
            done.enter()
            Thread {
                while let (id, request) = requests.next() {
                    let frame = WorkerFrames.encode(id: id, result: transport.send(request))
                    writeLock.lock()
                    _ = frame.withUnsafeBytes { WorkerFrames.writeAll(1, $0) }
                    writeLock.unlock()
                }
                done.leave()
            }.start()
        }
        while let item = WorkerFrames.readRequest(0) {
            requests.add(item)
        }
        requests.close()
        done.wait()
        return 0
    }

    /// Requests read but not yet sent. Unbounded: the parent never has more in flight
    /// than its own workers.
    final class WorkQueue: @unchecked Sendable {
        // Safe to share: `items` and `closed` are only touched with `condition` locked.
        private let condition = NSCondition()
        private var items: [(UInt32, APIRequest)] = []
        private var closed = false

        func add(_ item: (UInt32, APIRequest)) {
            condition.lock()
            items.append(item)
            condition.signal()
            condition.unlock()
        }

        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }

        func next() -> (UInt32, APIRequest)? {
            condition.lock()
            defer { condition.unlock() }
            while items.isEmpty && !closed { condition.wait() }
            return items.isEmpty ? nil : items.removeFirst()
        }
    }
}
