#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A fast 64-bit hash of bytes (multiply-and-fold over 8-byte words, in the manner of
/// wyhash), seeded at random once per process; never 0, which marks an empty slot.
public enum KeyDigest {
    private static let seed = UInt64.random(in: .min ... .max)

    /// The digest of `bytes`.
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        digest(bytes, seed: seed)
    }

    static func digest(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let k0: UInt64 = 0xa076_1d64_78bd_642f
        let k1: UInt64 = 0xe703_7ed1_a0b4_28db
        var state = seed ^ k0 ^ UInt64(bytes.count)
        var index = 0
        while index + 8 <= bytes.count {
            state = fold(state ^ bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self), k1)
            index += 8
        }
        if index < bytes.count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                tail |= UInt64(bytes[index]) << shift
                shift += 8
                index += 1
            }
            state = fold(state ^ tail, k1)
        }
        let result = fold(state ^ k0, k1 ^ UInt64(bytes.count))
        return result == 0 ? 1 : result
    }

    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}
