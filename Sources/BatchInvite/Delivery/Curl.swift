private import CLibCurl

/// libcurl, opened the first time a command sends rather than when the program starts (see
/// `shim.h`): validate, status and the other commands that never send start without the
/// libraries it brings. Every call into libcurl passes `Curl.api`, after `load()`.
enum Curl {
    /// The library opened: libcurl's ABI 4 (Debian's libcurl4, the OpenSSL build).
    static let library = String(cString: clibcurl_library())

    /// The functions' table (`clibcurl_table`), and why it could not be filled (then
    /// nothing may call it). Written once, before anyone reads it, so safe to share.
    struct Opened: @unchecked Sendable {
        let table: UnsafePointer<UnsafeMutableRawPointer?>
        let problem: String?
    }

    private static let opened = open(library)

    /// Opens `library` and looks up the functions; once per process (`opened`), or in tests.
    static func open(_ library: String) -> Opened {
        let count = Int(CLIBCURL_FUNCTIONS.rawValue)
        let table = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: count)
        table.initialize(repeating: nil, count: count)
        if let problem = clibcurl_open(library, table) {
            return Opened(table: table, problem: String(cString: problem))
        }
        _ = clibcurl_global_init(table)
        return Opened(table: table, problem: nil)
    }

    /// Opens libcurl once per process; the error says how to install it when it is missing.
    static func load() throws {
        if let problem = opened.problem { throw error(problem) }
    }

    /// What the user reads when libcurl cannot be loaded: why, and what to install.
    static func error(_ problem: String) -> BatchInviteError {
        .io(
            "cannot load \(library) (\(problem)): batch-invite sends through libcurl; install it "
                + "(Debian and Ubuntu: apt-get install libcurl4)")
    }

    /// libcurl's functions, for the shim's `clibcurl_` calls; `load()` succeeded before.
    static var api: UnsafePointer<UnsafeMutableRawPointer?> { opened.table }
}
