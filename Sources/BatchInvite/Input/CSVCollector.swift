/// Turns libcsv's field and record callbacks into records with line numbers, gathered
/// in a batch; the record still in progress stays behind when a batch is taken.
struct CollectorState {
    // The batch being filled (see `RecordBatch`), held here as plain values so the
    // callbacks touch no class storage; handed to a `RecordBatch` by `takeCompleteRecords`.
    var bytes = RawList<UInt8>(capacity: 128 * 1024)
    var fieldEnds = RawList<Int>(capacity: 8 * 1024)
    var records = RawList<RecordBatch.Entry>(capacity: 2 * 1024)
    /// Line breaks seen so far; the line being read is `lines + 1`.
    var lines = 0
    var lastTerminatorWasCR = false
    var blankRecords = 0
    /// Whether records of blanks (spaces, tabs) are kept: only records whose fields are all
    /// empty are then skipped (`inspect --raw` shows every record as parsed).
    var keepsBlanks = false
    var pendingFieldTooLarge = false
    /// Line breaks in the bytes of the oversized field being read that were thrown away.
    var droppedLines = 0
    var inRecord = false
    var current = RecordBatch.Entry(line: 0, bytesStart: 0, firstField: 0)

    func free() {
        bytes.free()
        fieldEnds.free()
        records.free()
    }

    /// Makes room for what libcsv can hand over while it reads `count` more bytes with
    /// `pending` bytes of a field held from before: each byte ends at most one field and
    /// one record and is at most one byte of a field. The callbacks then append without
    /// checking for room.
    mutating func reserve(reading count: Int, pending: Int) {
        bytes.reserve(count + pending)
        fieldEnds.reserve(count + 1)
        records.reserve(count + 1)
    }

    @inline(__always)
    mutating func fieldEnded(_ field: UnsafeRawBufferPointer) {
        lastTerminatorWasCR = false
        if !inRecord {
            inRecord = true
            current = RecordBatch.Entry(
                line: lines + 1, bytesStart: bytes.count, firstField: fieldEnds.count)
        }
        let index = current.fieldCount
        current.fieldCount += 1
        // Fields are stored while every one before was (a record over its size limit keeps
        // only the fields before the excess).
        let storing = current.storedFields == index
        if pendingFieldTooLarge {
            // Kept as an empty field, so the other fields (the key among them) keep their
            // places and the row can be reported with them.
            pendingFieldTooLarge = false
            lines += LineBreaks.count(in: field) + droppedLines
            droppedLines = 0
            if current.problem == .none {
                current.problem = .fieldTooLarge
                current.problemField = index
            }
            if storing {
                fieldEnds.appendAssumingCapacity(bytes.count)
                current.storedFields += 1
            }
            return
        }
        if storing && bytes.count - current.bytesStart + field.count <= CSVReader.maxRecordBytes {
            if Self.copy(field, to: bytes.tailAssumingCapacity) {
                lines += LineBreaks.count(in: field)
            }
            bytes.extend(by: field.count)
            fieldEnds.appendAssumingCapacity(bytes.count)
            current.storedFields += 1
            return
        }
        if storing && current.problem == .none { current.problem = .recordTooLarge }
        lines += LineBreaks.count(in: field)
    }

    /// Copies `field` to `out` and says whether it holds a byte up to 13 (CR, LF among
    /// them: only a quoted field can hold a line break). Fields are short: whole words,
    /// the last one overlapping the one before, beat `memcpy` and a separate scan, and a
    /// field under eight bytes takes two overlapping loads of four, two or one.
    @inline(__always)
    private static func copy(_ field: UnsafeRawBufferPointer, to out: UnsafeMutablePointer<UInt8>)
        -> Bool
    {
        let count = field.count
        let target = UnsafeMutableRawPointer(out)
        // The high bit of a byte of `(word - 0x0E...) & ~word` is set for the first byte
        // under 14, if any (bytes after it may be set wrongly: only "any" is asked).
        if count >= 8 {
            var low: UInt64 = 0
            var index = 0
            while true {
                let at = min(index, count - 8)
                let word = field.loadUnaligned(fromByteOffset: at, as: UInt64.self)
                target.storeBytes(of: word, toByteOffset: at, as: UInt64.self)
                low |= (word &- 0x0E0E_0E0E_0E0E_0E0E) & ~word
                index += 8
                if index >= count { break }
            }
            return low & 0x8080_8080_8080_8080 != 0
        }
        if count >= 4 { return copyTwo(field, to: target, as: UInt32.self) }
        if count >= 2 { return copyTwo(field, to: target, as: UInt16.self) }
        if count == 1 {
            target.storeBytes(of: field[0], as: UInt8.self)
            return field[0] <= 13
        }
        return false
    }

    /// `copy` of a field of one to two `Word`s: the first word and the last, overlapping.
    @inline(__always)
    private static func copyTwo<Word: FixedWidthInteger & UnsignedInteger>(
        _ field: UnsafeRawBufferPointer, to target: UnsafeMutableRawPointer, as: Word.Type
    ) -> Bool {
        let lastAt = field.count - MemoryLayout<Word>.size
        let first = field.loadUnaligned(as: Word.self)
        let last = field.loadUnaligned(fromByteOffset: lastAt, as: Word.self)
        target.storeBytes(of: first, as: Word.self)
        target.storeBytes(of: last, toByteOffset: lastAt, as: Word.self)
        let ones = Word.max / 0xFF  // 0x01 in every byte
        let low = (first &- ones &* 0x0E) & ~first | (last &- ones &* 0x0E) & ~last
        return low & (ones &* 0x80) != 0
    }

    @inline(__always)
    mutating func recordEnded(_ terminator: Int32) {
        if inRecord {
            inRecord = false
            if current.problem == .none && isBlank(current) {
                blankRecords += 1
                bytes.truncate(to: current.bytesStart)
                fieldEnds.truncate(to: current.firstField)
            } else {
                records.appendAssumingCapacity(current)
            }
        } else if terminator >= 0 && !(terminator == 10 && lastTerminatorWasCR) {
            blankRecords += 1
        }
        if terminator == 13 || (terminator == 10 && !lastTerminatorWasCR) {
            lines += 1
        }
        lastTerminatorWasCR = terminator == 13
    }

    private func isBlank(_ record: RecordBatch.Entry) -> Bool {
        if keepsBlanks { return record.bytesStart == bytes.count }
        var index = record.bytesStart
        while index < bytes.count {
            if bytes[index] != 32 && bytes[index] != 9 { return false }
            index += 1
        }
        return true
    }

    /// Moves the complete records into `other` (empty) and keeps only the record in progress.
    mutating func takeCompleteRecords(into other: RecordBatch) {
        swap(&bytes, &other.bytes)
        swap(&fieldEnds, &other.fieldEnds)
        swap(&records, &other.records)
        guard inRecord else { return }
        // The record in progress came along; bring its fields back.
        let shift = current.bytesStart
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: other.bytes.buffer[shift...]))
        other.bytes.truncate(to: shift)
        for index in current.firstField..<other.fieldEnds.count {
            fieldEnds.append(other.fieldEnds[index] - shift)
        }
        other.fieldEnds.truncate(to: current.firstField)
        current.bytesStart = 0
        current.firstField = 0
    }
}

/// Complete records of one piece of input: their field bytes back to back, the end of
/// each field, and per record its line, fields and problem. Handed from the parsing
/// thread to the reader's caller, then back for reuse; one holder at a time, so the
/// unchecked `Sendable` is safe.
final class RecordBatch: @unchecked Sendable {
    var bytes = RawList<UInt8>(capacity: 128 * 1024)
    var fieldEnds = RawList<Int>(capacity: 8 * 1024)
    var records = RawList<Entry>(capacity: 2 * 1024)

    deinit {
        bytes.free()
        fieldEnds.free()
        records.free()
    }

    /// One record's place in the batch; plain values only, so batches copy cheaply.
    struct Entry: BitwiseCopyable {
        var line: Int
        var bytesStart: Int
        var firstField: Int
        var storedFields = 0
        var fieldCount = 0
        var problem = Problem.none
        var problemField = 0

        enum Problem: UInt8, BitwiseCopyable {
            case none, fieldTooLarge, recordTooLarge
        }

        var recordProblem: RecordProblem? {
            switch problem {
            case .none: return nil
            case .fieldTooLarge: return .fieldTooLarge(field: problemField)
            case .recordTooLarge: return .recordTooLarge
            }
        }
    }

    func forEach(_ body: (CSVRecord) throws -> Void) throws {
        let allBytes = UnsafeRawBufferPointer(bytes.buffer)
        let allEnds = fieldEnds.buffer
        for record in records.buffer {
            let ends = UnsafeBufferPointer(
                rebasing: allEnds[record.firstField..<record.firstField + record.storedFields])
            try body(
                CSVRecord(
                    line: record.line, fieldCount: record.fieldCount, problem: record.recordProblem,
                    base: allBytes, start: record.bytesStart, ends: ends))
        }
    }

    func removeAll() {
        bytes.truncate(to: 0)
        fieldEnds.truncate(to: 0)
        records.truncate(to: 0)
    }
}

/// Counting physical line breaks: CRLF, LF and a lone CR each count once.
enum LineBreaks {
    static func count(in bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var previousCR = false
        for byte in bytes {
            if byte == 13 {
                count += 1
                previousCR = true
            } else {
                if byte == 10 && !previousCR { count += 1 }
                previousCR = false
            }
        }
        return count
    }

    /// How many bytes follow the last line break (CR or LF) of `bytes`; nil when it has
    /// none.
    static func bytesAfterLast(in bytes: UnsafeRawBufferPointer) -> Int? {
        var index = bytes.count
        while index > 0 {
            index -= 1
            let byte = bytes[index]
            if byte == 10 || byte == 13 { return bytes.count - 1 - index }
        }
        return nil
    }
}
