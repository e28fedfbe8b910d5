import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What a journal set aside by `--restart` knew of its people, kept for the journal that
/// replaces it: `<journal>.history`, a file in the ledger's format holding each key the old
/// journal recorded as invited (`already_invited` for the new run, unless `--reinvite`) or
/// as sent without an answer (in doubt: it follows `--in-doubt`). A restart of a restarted
/// journal carries the older history on, so no restart forgets who was invited. The new
/// journal's header names the journal set aside (`restart_history`); a resume of it reads
/// the history again, and stops if it is gone.
public enum RestartHistory {
    /// The history file of the journal at `journal`.
    public static func path(of journal: String) -> String { journal + ".history" }

    /// Writes the history of the journal at `journal` from the journal `setAside` (and
    /// the history file it had, which carries on), for rows of `target`: under a
    /// temporary name, synced, then renamed. Returns how many keys it holds as invited and
    /// in doubt.
    @discardableResult
    public static func write(journal: String, from setAside: String, target: String) throws
        -> (invited: Int, inDoubt: Int)
    {
        let path = path(of: journal)
        let temporary = TemporaryFiles.name(for: path)
        unlink(temporary)
        TemporaryFiles.register(temporary)
        defer {
            unlink(temporary)
            TemporaryFiles.forget(temporary)
        }
        let counts: (invited: Int, inDoubt: Int)
        do {
            // Closed, its lock let go, before the rename.
            let history = try Ledger(path: temporary, target: target)
            try carryOlder(history, path: path, setAside: setAside)
            counts = try copy(from: setAside, to: history)
        }
        guard rename(temporary, path) == 0 else {
            throw BatchInviteError.io(
                "cannot write the restart history \(path): \(String(cString: strerror(errno)))")
        }
        return counts
    }

    /// The older history first (when the journal `setAside` began with one, at `path`):
    /// its keys' records go into `history` before the set-aside journal's, which win.
    private static func carryOlder(_ history: Ledger, path: String, setAside: String) throws {
        let carriesOlder = try JournalScanner.header(of: setAside)?["restart_history"] != nil
        if carriesOlder, let older = try? Data(contentsOf: URL(fileURLWithPath: path)),
            let firstLine = older.firstIndex(of: 0x0A)
        {
            let records = Array(older[(firstLine + 1)...])
            if let error = history.write(records, syncs: false) { throw error }
        }
    }

    /// Writes into `history` what the journal `setAside` knew of each row's key (synced);
    /// returns how many keys it holds as invited and in doubt.
    private static func copy(from setAside: String, to history: Ledger) throws -> (
        invited: Int, inDoubt: Int
    ) {
        var counts = (invited: 0, inDoubt: 0)
        let summary = try JournalSummary(path: setAside, checkHolder: false)
        let reader = try JournalReader(path: setAside)
        let inDoubt = Set(summary.inDoubt)
        var bytes: [UInt8] = []
        for row in stride(
            from: 1, through: max(summary.latest.count, summary.dispatchOffsets.count), by: 1)
        {
            guard let (state, offset) = state(of: row, summary, inDoubt: inDoubt) else {
                continue
            }
            let record = try reader.object(at: offset)
            guard let key = record["key"]?.text, !key.isEmpty else { continue }
            let at = (record["at"]?.text.flatMap { Int64($0) } ?? Clock.wallMilliseconds()) / 1000
            history.appendRecord(key: key, state: state, at: at, to: &bytes)
            switch state {
            case .invited: counts.invited += 1
            case .inDoubt: counts.inDoubt += 1
            case .settled, .forgotten: break
            }
            if bytes.count >= 1 << 20 {
                if let error = history.write(bytes, syncs: false) { throw error }
                bytes.removeAll(keepingCapacity: true)
            }
        }
        if let error = history.write(bytes, syncs: true) { throw error }
        return counts
    }

    /// What the history keeps of `row` of the journal `summary` describes, and the offset
    /// of the record that says so; nil for a row it does not keep.
    private static func state(of row: Int, _ summary: JournalSummary, inDoubt: Set<Int>) -> (
        Ledger.State, Int64
    )? {
        if inDoubt.contains(row) { return (.inDoubt, summary.dispatchOffsets[row - 1]) }
        guard row <= summary.latest.count, let status = summary.latest[row - 1] else {
            return nil
        }
        switch status {
        case .invited, .alreadyInvited: return (.invited, summary.offsets[row - 1])
        case .inDoubt: return (.inDoubt, summary.offsets[row - 1])
        case .failed: return (.settled, summary.offsets[row - 1])
        case .notSent, .invalid, .duplicate, .valid, .skipped, .wouldSend, .wouldReinvite, .done,
            .overLimit:
            return nil
        }
    }

    /// The history of the journal at `journal`, written by the restart that began it
    /// (`setAside`, from its header): throws when it is gone, as a run without it could
    /// invite again everyone the set-aside journal had invited.
    public static func open(
        journal: String, setAside: String, target: String, readOnly: Bool = false
    ) throws -> Ledger {
        let path = path(of: journal)
        guard FileManager.default.fileExists(atPath: path) else {
            throw BatchInviteError.input(
                "the restart history \(path) is gone: it says whom the journal set aside by "
                    + "--restart (\(setAside)) had invited, and without it they could be invited "
                    + "again; restore it, or pass --reinvite to send to them all the same")
        }
        return try Ledger(path: path, target: target, readOnly: readOnly)
    }
}
