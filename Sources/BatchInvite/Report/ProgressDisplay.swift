import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Progress on standard error while a run sends: on a terminal one line redrawn five
/// times a second; otherwise a plain line every five seconds; or nothing. The line is
/// cleared with `ESC [K` only where `Terminal.acceptsEscapes` says so; elsewhere (`TERM`
/// dumb, `NO_COLOR`, `--progress bar` to a file) it is redrawn after `\r` and padded with
/// spaces over the longer line before it.
public final class ProgressDisplay: @unchecked Sendable {
    // Safe to share: `running` is only touched with `lock` held; `width` only by the
    // drawing thread, then by `stop` once that thread has ended; the rest is immutable.

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
    /// Whether the live line is cleared with an escape sequence.
    private let escapes = Terminal.acceptsEscapes(2)
    /// The characters of the live line last drawn.
    private var width = 0
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
        guard mode == .bar else { return }
        if escapes {
            write("\r\u{1B}[K")
        } else if width > 0 {
            write("\r" + blanks(width) + "\r")
        }
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
        guard mode == .bar else { return write("progress: " + line + "\n") }
        let count = line.unicodeScalars.count
        write(escapes ? "\r\u{1B}[K" + line : "\r" + line + blanks(width - count))
        width = count
    }

    private func blanks(_ count: Int) -> String {
        String(repeating: " ", count: max(count, 0))
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
