import Foundation

/// An idempotency key on every request, for an API that honours one
/// (`Target.idempotencyHeader`): made from the job and the row's key, so that every
/// attempt at a row, in this run or in one that resumes its journal, carries the same key,
/// and the API acts on the row once however often it is sent.
public struct IdempotencyKey: Sendable, Equatable {
    /// The header it goes in (`Idempotency-Key`).
    public var header: String
    /// The job the journal records (`JournalHeader.jobID`), the same on every resume.
    public var job: String
    /// The target's name, so that two APIs never share a key.
    public var target: String

    public init(header: String, job: String, target: String) {
        self.header = header
        self.job = job
        self.target = target
    }

    /// The key for the row whose key is `rowKey`: the first 128 bits of a SHA-256 of the
    /// job, the target and the row's key, written as a UUID (RFC 9562, version 8: made by
    /// its own rule), which the APIs that take such a key accept.
    public func value(for rowKey: String) -> String {
        var hasher = SHA256.Hasher()
        for part in ["batch-invite idempotency 1", job, target, rowKey] {
            let bytes = Array(part.utf8) + [0]
            bytes.withUnsafeBytes { hasher.update($0) }
        }
        var bytes = Array(hasher.finish().prefix(16))
        bytes[6] = bytes[6] & 0x0F | 0x80
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        var text = ""
        for (index, character) in hex.enumerated() {
            if [8, 12, 16, 20].contains(index) { text += "-" }
            text.append(character)
        }
        return text
    }

    /// The header line for the row whose key is `rowKey`.
    public func line(for rowKey: String) -> String {
        header + ": " + value(for: rowKey)
    }
}
