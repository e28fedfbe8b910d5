#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What may be written to a stream a person may be watching.
public enum Terminal {
    /// Whether escape sequences (`ESC [K` to clear a line, colours) may be written to
    /// `descriptor`: only when it is a terminal, `TERM` names one that is not `dumb`, and
    /// `NO_COLOR` is not set (to anything but the empty string, as https://no-color.org
    /// asks). Otherwise a sequence would reach a log, a file or an editor's shell buffer as
    /// raw bytes.
    public static func acceptsEscapes(
        _ descriptor: Int32, term: String? = variable("TERM"),
        noColor: String? = variable("NO_COLOR")
    ) -> Bool {
        guard isatty(descriptor) != 0, let term, !term.isEmpty, term != "dumb" else {
            return false
        }
        return noColor?.isEmpty ?? true
    }

    /// The environment variable `name`, if set.
    public static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
