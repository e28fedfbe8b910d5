/// `batch-invite ledger show|forget|compact`: a job's ledger looked into, one person let be
/// invited again, the file rewritten without superseded records. Each takes the ledger's
/// lock (while a run holds it, they fail at once: exit 5).
public enum LedgerMaintenance {
    /// Every key the ledger at `path` remembers (of `target` alone, when given), in the
    /// order the keys first appeared, one line each: target, key, state (`invited` or
    /// `in_doubt`) and when (UTC), tab-separated; and how many of them are invited.
    public static func listing(path: String, target: String?) throws -> (
        text: String, keys: Int, invited: Int
    ) {
        let lines = try Ledger.latest(path: path).filter { target == nil || $0.target == target }
        var text = ""
        for line in lines {
            text +=
                "\(line.target)\t\(line.key)\t\(line.state == .invited ? "invited" : "in_doubt")\t"
                + Clock.iso8601(milliseconds: line.at * 1000) + "\n"
        }
        return (text, lines.count, lines.filter { $0.state == .invited }.count)
    }

    /// Records that `key` of `target` is forgotten: the next run sends to it as to anyone
    /// new. Returns whether the ledger remembered it.
    public static func forget(path: String, target: String, key: String) throws -> Bool {
        try Ledger.forget(path: path, target: target, key: key)
    }

    /// Rewrites the ledger with one record per key still remembered (under a temporary
    /// name, synced, then renamed over it); returns its records before and after.
    public static func compact(path: String) throws -> (before: Int, after: Int) {
        try Ledger.compact(path: path)
    }
}
