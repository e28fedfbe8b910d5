import Foundation

/// The running kernel's boot: Linux gives each boot a random identifier. A run writes it in
/// its journal, so that a later run can tell whether the machine restarted in between, and
/// so whether the page cache survived with everything the run had written but not synced.
public enum BootIdentity {
    /// This boot's identifier; nil where the system does not tell it.
    public static let current: String? = read()

    /// The identifier in `path` (Linux's `boot_id`), nil when it cannot be read.
    public static func read(path: String = "/proc/sys/kernel/random/boot_id") -> String? {
        guard let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        let identifier = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // A UUID; anything else (an empty file, a stand-in) is not trusted.
        guard identifier.count == 36, UUID(uuidString: identifier) != nil else { return nil }
        return identifier
    }
}
