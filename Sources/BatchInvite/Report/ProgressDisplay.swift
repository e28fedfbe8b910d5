import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Progress on standard error while a run sends: on a terminal one line redrawn five
/// times a second; otherwise a plain line every five seconds; or nothing.
public final class ProgressDisplay: @unchecked Sendable {
    // Safe to share: `running` is only touched with `lock` held; the rest is immutable.

    public enum Mode: String, Sendable {
        case auto, bar, log, none
    }

    /// What the display needs to know, asked for each time it draws.
    public struct Reading: Sendable {
        public var statistics: RunStatistics.Snapshot
        /// Rows read from the input so far (validated, queued or done).
        public var rowsRead: Int
        /// The part of the input read, 0...1, when the input's size is known.
        public var fractionRead: Double?
    }

    private let mode: Mode
    private let read: @Sendable () -> Reading
    private let lock = NSLock()
    private var running = true
    private let ended = DispatchSemaphore(value: 0)

    /// Starts drawing; `mode` `.auto` draws a live line on a terminal, plain lines otherwise.
    public init(mode: Mode, read: @escaping @Sendable () -> Reading) {
        self.mode = mode == .auto ? (isatty(2) != 0 ? .bar : .log) : mode
        self.read = read
        guard self.mode != .none else {
            running = false
            ended.signal()
            return
        }
        let thread = Thread { [self] in
            let interval = self.mode == .bar ? 0.2 : 5.0
            var next = Clock.monotonic() + interval
            while isRunning {
                Thread.sleep(forTimeInterval: 0.05)
                guard Clock.monotonic() >= next else { continue }
                next += interval
                draw()
            }
            ended.signal()
        }
        thread.start()
    }

    /// Stops drawing and clears the live line.
    public func stop() {
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        guard wasRunning else { return }
        ended.wait()
        if mode == .bar { write("\r\u{1B}[K") }
    }

    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    private func draw() {
        let reading = read()
        let stats = reading.statistics
        var parts: [String] = []
        var eta = ""
        if let fraction = reading.fractionRead, fraction > 0, reading.rowsRead > 0 {
            let total = Double(reading.rowsRead) / fraction
            let done = min(Double(stats.rows) / total, 1)
            parts.append(String(format: "%.1f%%", done * 100))
            if done > 0.001 && done < 1 {
                eta = "ETA " + Self.duration(stats.elapsed * (1 - done) / done)
            }
        }
        parts.append("\(stats.rows) rows done")
        parts.append("\(stats[.invited]) invited")
        parts.append(String(format: "%.1f/s", stats.rate))
        if !eta.isEmpty { parts.append(eta) }
        if stats[.failed] > 0 { parts.append("\(stats[.failed]) failed") }
        if stats.throttled > 0 { parts.append("\(stats.throttled) 429s") }
        let line = parts.joined(separator: " · ")
        write(mode == .bar ? "\r\u{1B}[K" + line : "progress: " + line + "\n")
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress!, $0.count) }
    }

    /// `2m31s`, `1h05m`, `4.2s`.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60)m\(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h\(String(format: "%02d", whole % 3600 / 60))m"
    }
}
