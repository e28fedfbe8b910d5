/// A row's key as its target normalises it (` Ada@X.io` → `ada@x.io`): its bytes are
/// written over the previous row's, so a row costs neither an allocation nor the reset of
/// an array (but for an invalid row whose key must be shown escaped, `set`).
public struct RowKey: Sendable {
    /// The key's bytes are the first `count`; the rest is room left by longer keys.
    private var storage: [UInt8] = []
    public private(set) var count = 0

    public init() {}

    /// An empty key.
    public mutating func removeAll() {
        count = 0
    }

    /// The key becomes `bytes`, ASCII letters lower-cased.
    public mutating func setLowercased(_ bytes: UnsafeRawBufferPointer) {
        if storage.count < bytes.count {
            storage.append(contentsOf: repeatElement(0, count: bytes.count - storage.count))
        }
        storage.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<bytes.count {
                let byte = bytes[index]
                buffer[index] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            }
        }
        count = bytes.count
    }

    /// The key becomes `bytes` as they are.
    public mutating func set(_ bytes: [UInt8]) {
        storage = bytes
        count = bytes.count
    }

    public func withUnsafeBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }
}
