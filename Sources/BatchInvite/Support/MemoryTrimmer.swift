// glibc's malloc_trim is reached through the libcurl shim (CLibCurl's shim.h; libcsv has
// a shim of its own); nothing of libcurl is used here.
private import CLibCurl
import Foundation
import Synchronization

/// Hands memory the allocator holds but no longer uses back to the system once a second
/// during a run. Many threads allocating and freeing small objects leave glibc's arenas
/// with free pages it keeps otherwise, and a long run's RSS creeps up with them.
final class MemoryTrimmer: Sendable {
    private let stopping = DispatchSemaphore(value: 0)
    private let ended = DispatchSemaphore(value: 0)
    private let stopped = Mutex(false)

    init() {
        Thread { [self] in
            // Waits a second at a time for `stop()`, trimming after each quiet second.
            while stopping.wait(timeout: .now() + 1) == .timedOut {
                _ = clibcurl_malloc_trim(0)
            }
            ended.signal()
        }.start()
    }

    /// Ends the trimming at once (the thread is woken, not waited out).
    func stop() {
        let wasRunning = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard wasRunning else { return }
        stopping.signal()
        ended.wait()
    }
}
