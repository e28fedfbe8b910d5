import Foundation
import Synchronization

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
    /// Held while the live line is drawn or cleared, and while a message goes above it.
    private let drawing = NSLock()
    /// The display drawing a live line now, if any: a message on standard error clears it
    /// first (`writeAbove`), so that no message is glued to the end of the line.
    private static let live = Mutex<ProgressDisplay?>(nil)

    /// Starts drawing; `mode` `.auto` draws a live line on a terminal, plain lines otherwise.
    public init(mode: Mode, read: @escaping @Sendable () -> Reading) {
        self.mode = mode == .auto ? (isatty(2) != 0 ? .bar : .log) : mode
        self.read = read
        guard self.mode != .none else {
            running = false
            ended.signal()
            return
        }
        if self.mode == .bar { Self.live.withLock { $0 = self } }
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
        Self.live.withLock { if $0 === self { $0 = nil } }
        drawing.lock()
        clearLine()
        drawing.unlock()
    }

    /// Writes `text` (whole lines) to standard error, above the live line when one is
    /// drawn: the line is cleared first and drawn again at its next turn.
    public static func writeAbove(_ text: String) {
        guard let display = live.withLock({ $0 }) else {
            return write(text)
        }
        display.drawing.lock()
        display.clearLine()
        write(text)
        display.drawing.unlock()
    }

    /// Clears the live line (`drawing` held).
    private func clearLine() {
        if escapes {
            Self.write("\r\u{1B}[K")
        } else if width > 0 {
            Self.write("\r" + blanks(width) + "\r")
        }
        width = 0
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
            if let seconds = Self.remaining(stats, total: total) {
                eta = "ETA " + Self.duration(seconds)
            }
        }
        parts.append("\(stats.rows) rows done")
        parts.append("\(stats[.invited]) invited")
        parts.append(String(format: "%.1f/s", stats.rate))
        if !eta.isEmpty { parts.append(eta) }
        if stats[.failed] > 0 { parts.append("\(stats[.failed]) failed") }
        if stats.throttled > 0 { parts.append("\(stats.throttled) rate-limited") }
        let line = parts.joined(separator: " · ")
        guard mode == .bar else { return Self.write("progress: " + line + "\n") }
        let count = line.unicodeScalars.count
        drawing.lock()
        Self.write(escapes ? "\r\u{1B}[K" + line : "\r" + line + blanks(width - count))
        width = count
        drawing.unlock()
    }

    private func blanks(_ count: Int) -> String {
        String(repeating: " ", count: max(count, 0))
    }

    private static func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress!, $0.count) }
    }

    /// The seconds left to settle `total` rows at the pace of this run's own rows: rows an
    /// earlier run settled (a resumed run counts them done at once) are neither done in
    /// this run's time nor left to do. Nil until this run has settled a row.
    static func remaining(_ stats: RunStatistics.Snapshot, total: Double) -> Double? {
        let mine = Double(stats.rows - stats.earlierRows)
        let left = total - Double(stats.rows)
        guard mine > 0, stats.elapsed > 0, left > 0.5 else { return nil }
        return left * stats.elapsed / mine
    }

    /// `2m31s`, `1h05m`, `4.2s`.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60)m\(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h\(String(format: "%02d", whole % 3600 / 60))m"
    }
}
