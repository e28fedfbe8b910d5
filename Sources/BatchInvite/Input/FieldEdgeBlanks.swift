#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Finds the blanks (space and tab) that libcsv's trimming could remove.
///
/// libcsv trims blanks at the edges of fields unless it is given a space function, and
/// calling that function for every byte costs about 40% of libcsv's own time. A blank can
/// only be trimmed where it touches an edge: the byte before or after it is a delimiter,
/// a quote, a line break, or lies outside the bytes being parsed. Every other blank is
/// read inside a field, where libcsv keeps it either way. So `CSVReader` gives libcsv
/// the blanks found here one at a time with the space function installed, and all other
/// bytes without it: the records are the same as with the space function throughout
/// (`FieldEdgeBlanksTests` compares the two on random inputs).
enum FieldEdgeBlanks {
    /// Calls `body` with the offset of every blank in `bytes` that touches an edge, in
    /// increasing order. A blank that is the delimiter is not a blank.
    static func forEach(
        in bytes: UnsafeRawBufferPointer, delimiter: UInt8, _ body: (Int) throws -> Void
    ) rethrows {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let count = bytes.count
        func next(_ blank: UInt8, from offset: Int) -> Int {
            guard blank != delimiter, offset < count,
                let found = memchr(base + offset, Int32(blank), count - offset)
            else { return count }
            return base.distance(to: UnsafeRawPointer(found))
        }
        func isEdge(_ byte: UInt8) -> Bool {
            byte == delimiter || byte == 0x22 || byte == 0x0A || byte == 0x0D
        }
        var space = next(0x20, from: 0)
        var tab = next(0x09, from: 0)
        while true {
            let offset = min(space, tab)
            if offset == count { return }
            if offset == 0 || offset == count - 1 || isEdge(bytes[offset - 1])
                || isEdge(bytes[offset + 1])
            {
                try body(offset)
            }
            if offset == space {
                space = next(0x20, from: offset + 1)
            } else {
                tab = next(0x09, from: offset + 1)
            }
        }
    }
}
