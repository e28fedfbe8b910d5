import BatchInvite
import Testing

/// A row's key is written over the previous row's: a shorter key after a longer one must
/// not keep the longer one's tail.
@Suite struct RowKeyTests {
    private func text(_ key: RowKey) -> String {
        key.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    @Test func eachKeyReplacesTheOneBefore() {
        var key = RowKey()
        #expect(text(key) == "")
        for (value, expected) in [
            ("Someone.Long@Example.ORG", "someone.long@example.org"), ("A@B.io", "a@b.io"),
            ("", ""), ("ÉMILE@X.IO", "Émile@x.io"), ("z@y.eu", "z@y.eu"),
        ] {
            var bytes = Array(value.utf8)
            bytes.withUnsafeMutableBytes { key.setLowercased(UnsafeRawBufferPointer($0)) }
            #expect(text(key) == expected)
            #expect(key.count == expected.utf8.count)
            #expect(key.withUnsafeBytes { Array($0) } == Array(expected.utf8))
        }
        key.set(Array("\\x01".utf8))
        #expect(text(key) == "\\x01")
        key.removeAll()
        #expect(text(key) == "" && key.count == 0)
    }
}
