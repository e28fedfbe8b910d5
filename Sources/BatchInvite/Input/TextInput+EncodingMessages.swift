/// The messages that say how the encoding of a file without a byte order mark was guessed,
/// or why it could not be: each quotes the first word that is not UTF-8 as its bytes and
/// as each encoding in question reads it.
extension TextInput {
    /// The warning that the file is read in a guessed `encoding`.
    func guessedNote(
        _ offset: Int, _ encoding: TextEncoding, in bytes: UnsafeRawBufferPointer
    ) -> String {
        "warning: \(displayName) is not UTF-8 (\(Self.where(offset, in: bytes, as: [encoding]))); "
            + "reading it as \(encoding); give --encoding to read it otherwise"
    }

    /// The stop when the best readings of the file are too close to choose (or the one
    /// reading is too doubtful).
    func ambiguity(
        _ readings: [EncodingReading], at offset: Int, in bytes: UnsafeRawBufferPointer
    ) -> String {
        let encodings = readings.map(\.encoding)
        let place = Self.where(
            Self.firstDifference(in: bytes, among: encodings) ?? offset, in: bytes, as: encodings)
        guard encodings.count > 1 else {
            return "\(displayName) is not UTF-8, and reads only doubtfully as \(encodings[0]) "
                + "(\(place)); give --encoding \(encodings[0]) if that reading is right, or "
                + "--encoding with the file's own encoding"
        }
        return "\(displayName) is not UTF-8, and reads as more than one encoding (\(place)); "
            + "give the one whose reading is right: "
            + encodings.map { "--encoding \($0)" }.joined(separator: " or ")
    }

    /// The stop when no encoding reads the file plausibly.
    func unknown(at offset: Int, in bytes: UnsafeRawBufferPointer) -> String {
        let place = Self.where(offset, in: bytes, as: [.windows1252])
        let unassigned: Set<UInt8> = [0x81, 0x8D, 0x8F, 0x90, 0x9D]
        let isWindows1252 = !bytes.contains {
            unassigned.contains($0) || ($0 < 0x20 && ![9, 10, 11, 12, 13, 0x1A].contains($0))
        }
        guard isWindows1252 else {
            return "\(displayName) is neither UTF-8 nor windows-1252 text (\(place)); save it as "
                + "UTF-8, or give --encoding windows-1252 to read it as windows-1252 all the same"
        }
        let before = UnsafeRawBufferPointer(rebasing: bytes[..<offset])
        if let utf8 = before.firstIndex(where: { $0 >= 0x80 }) {
            // Valid UTF-8 outside ASCII before the first byte that is not: a file edited
            // in two tools. Read in a legacy encoding, its UTF-8 names would be garbled.
            let line = LineBreaks.count(in: UnsafeRawBufferPointer(rebasing: bytes[..<utf8])) + 1
            return "\(displayName) mixes UTF-8 with another encoding (\(place), and line \(line) "
                + "is UTF-8); give --encoding utf-8 to read it as UTF-8 with the rows that are not "
                + "reported invalid, or save it again as UTF-8 all through"
        }
        return "\(displayName) is not UTF-8, and reads as none of the encodings the tool tells "
            + "apart (\(place)); save it as UTF-8, or give --encoding with its encoding (any name "
            + "iconv knows, such as cp866, iso-8859-5 or windows-874)"
    }

    /// The offset of the first byte that encodings of one byte per character read as
    /// different characters, to quote where their readings part (the first byte that is not
    /// UTF-8 may read the same in both: "é" in windows-1252 and windows-1250).
    static func firstDifference(
        in bytes: UnsafeRawBufferPointer, among encodings: [TextEncoding]
    ) -> Int? {
        guard encodings.count > 1, encodings.allSatisfy(EncodingGuess.isSingleByte) else {
            return nil
        }
        var differs: [UInt8: Bool] = [:]
        for (offset, byte) in bytes.enumerated() where byte >= 0x80 {
            if differs[byte] == nil {
                let readings = encodings.map { encoding in
                    var decoder = TextDecoder(encoding: encoding)
                    var text: [UInt8] = []
                    [byte].withUnsafeBytes { decoder.decode($0, isFinal: true, into: &text) }
                    return text
                }
                differs[byte] = Set(readings).count > 1
            }
            if differs[byte] == true { return offset }
        }
        return nil
    }

    /// Where the byte at `offset` of `bytes` is, for messages: its line and the word
    /// around it as read in each of `encodings`.
    static func `where`(
        _ offset: Int, in bytes: UnsafeRawBufferPointer, as encodings: [TextEncoding]
    ) -> String {
        let line = LineBreaks.count(in: UnsafeRawBufferPointer(rebasing: bytes[..<offset])) + 1
        // A `|` may be the second byte of a character in the multi-byte encodings.
        let singleByte = encodings.allSatisfy(EncodingGuess.isSingleByte)
        let isWordEnd: (UInt8) -> Bool = {
            $0 <= 0x20 || ",;\t\"".utf8.contains($0) || (singleByte && $0 == UInt8(ascii: "|"))
        }
        let reach = singleByte ? 30 : 40
        var start = offset
        while start > 0 && offset - start < reach && !isWordEnd(bytes[start - 1]) { start -= 1 }
        var end = offset + 1
        while end < bytes.count && end - offset < reach && !isWordEnd(bytes[end]) { end += 1 }
        let word = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        let readings = encodings.map { encoding in
            var decoder = TextDecoder(encoding: encoding)
            var text: [UInt8] = []
            _ = decoder.detectStart(word, isFinal: true)
            decoder.decode(word, isFinal: true, into: &text)
            return "\"\(TextBytes.shown(String(decoding: text, as: UTF8.self)))\" in \(encoding)"
        }
        return "line \(line) has byte 0x\(String(bytes[offset], radix: 16, uppercase: true)) in "
            + "\"\(TextBytes.shown(word))\"" + (encodings.count > 1 ? ": " : ", ")
            + readings.joined(separator: ", ")
    }
}
