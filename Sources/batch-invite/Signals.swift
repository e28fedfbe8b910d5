import BatchInvite
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// SIGINT, SIGTERM and SIGHUP (a closed SSH window), handled alike by every command: by
/// default the process exits at once with 128 + the signal's number, its temporary files
/// removed (nothing it has begun is half-written under a real name). A command that must
/// finish what it started (`run` once it sends, `simulate`) hands in a handler of its own
/// for as long as it needs one.
enum Signals {
    static let numbers: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private static let handler = Mutex<(@Sendable (Int32) -> Void)?>(nil)
    private static let sources = Mutex<[DispatchSourceSignal]>([])

    /// Takes the three signals over from their default actions; called once at start.
    static func install() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for number in numbers {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    if let handle = handler.withLock({ $0 }) {
                        handle(number)
                    } else {
                        exit(128 + number)
                    }
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Handles the signals with `body` from now on (nil: the default, exit at once).
    static func handle(_ body: (@Sendable (Int32) -> Void)?) {
        handler.withLock { $0 = body }
    }

    /// The signal's name, for messages.
    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(number)"
        }
    }
}
