/// A reader of JSON records: the lines of JSON Lines, the elements of a JSON document's
/// array. Each record is handed on as bytes, for the common kind to be scanned without
/// building values, and parsed by `record` otherwise.
public protocol JSONRecordSource {
    /// Calls `body` with every record's line (where it starts) and bytes (nil for one over
    /// the size limit), in order; the bytes are valid only during the call.
    func forEachRecordText(_ body: (Int, UnsafeRawBufferPointer?) throws -> Void) throws
    /// A record's bytes parsed: its members, or why it is not a usable object.
    static func record(_ bytes: UnsafeRawBufferPointer?, line: Int) -> JSONLinesReader.Record
}

extension JSONLinesReader: JSONRecordSource {
    public func forEachRecordText(_ body: (Int, UnsafeRawBufferPointer?) throws -> Void) throws {
        try forEachLine(body)
    }
}

extension JSONDocumentReader: JSONRecordSource {
    public func forEachRecordText(_ body: (Int, UnsafeRawBufferPointer?) throws -> Void) throws {
        try forEachElement(body)
    }
}
