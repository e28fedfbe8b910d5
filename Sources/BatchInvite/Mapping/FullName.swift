/// A whole name split into a first and a last name (`--map "Name=full_name"`), as parts of
/// the value's own bytes (no copy):
///
/// - the last word is the last name, what comes before it the first name: "Ada King
///   Lovelace" is "Ada King" and "Lovelace";
/// - particles before the last word stay with it: "Ludwig van Beethoven", "Maria de la
///   Cruz", "Ahmad bin Ismail" (van, van der, von, de, da, dos, das, di, del, della, la,
///   le, du, ter, ten, bin, binti, al, el);
/// - "Last, First" (one comma) is read reversed: "Lovelace, Ada"; a suffix after a comma
///   stays with the last name: "Martin Luther King, Jr.";
/// - "Фамилия Имя Отчество" (three Cyrillic words, the last a patronymic: -ович, -евич,
///   -ична, -овна, -евна, -ич) is last name, first name, and the patronymic is left out;
/// - one word has no last name ("Cher"), and a name written without a space between its
///   family and given names (山田太郎, 박효식: which characters are the family name cannot
///   be told for sure) cannot be split: the row is invalid, saying so.
public enum FullName {
    /// The parts of a split name, or why there are none.
    public enum Split {
        case parts(first: UnsafeRawBufferPointer, last: UnsafeRawBufferPointer)
        /// The reason, without the field's name: `"Cher" has no last name`.
        case problem(String)
    }

    static let particles: Set<String> = [
        "van", "der", "den", "von", "de", "da", "dos", "das", "do", "di", "del", "della", "la",
        "le", "du", "des", "ter", "ten", "bin", "binti", "al", "el", "st", "st.", "zu", "af",
    ]

    static let suffixes: Set<String> = [
        "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d.", "esq", "esq.",
    ]

    static let patronymicEndings = ["ович", "евич", "ьич", "ична", "инична", "овна", "евна"]

    /// Splits `value` (its blanks at the edges aside). Empty stays empty: both parts empty.
    public static func split(_ value: UnsafeRawBufferPointer) -> Split {
        let bytes = FieldRules.trimmed(value)
        guard !bytes.isEmpty else { return .parts(first: bytes, last: bytes) }
        // "Last, First": one comma, unless what follows it is a suffix (", Jr.").
        let commas = bytes.indices.filter { bytes[$0] == UInt8(ascii: ",") }
        if commas.count == 1 {
            let before = FieldRules.trimmed(UnsafeRawBufferPointer(rebasing: bytes[..<commas[0]]))
            let after = FieldRules.trimmed(
                UnsafeRawBufferPointer(rebasing: bytes[(commas[0] + 1)...]))
            if !suffixes.contains(text(after).lowercased()) {
                return .parts(first: after, last: before)
            }
            return split(words: words(in: before), whole: bytes, lastEnd: bytes.count)
        }
        return split(words: words(in: bytes), whole: bytes, lastEnd: bytes.count)
    }

    /// `words` (ranges of `whole`) split at the last name, which ends at `lastEnd` (a
    /// suffix after it included).
    private static func split(words: [Range<Int>], whole: UnsafeRawBufferPointer, lastEnd: Int)
        -> Split
    {
        guard let last = words.last, let first = words.first else {
            return .problem("\"\(TextBytes.shown(whole))\" has no last name")
        }
        if words.count == 1 {
            return oneWord(whole)
        }
        if words.count == 3, isPatronymic(text(whole, words[2])) {
            return .parts(
                first: UnsafeRawBufferPointer(rebasing: whole[words[1]]),
                last: UnsafeRawBufferPointer(rebasing: whole[words[0]]))
        }
        var start = words.count - 1
        while start > 1 && particles.contains(text(whole, words[start - 1]).lowercased()) {
            start -= 1
        }
        _ = last
        return .parts(
            first: UnsafeRawBufferPointer(
                rebasing: whole[first.lowerBound..<words[start - 1].upperBound]),
            last: UnsafeRawBufferPointer(rebasing: whole[words[start].lowerBound..<lastEnd]))
    }

    /// A name of one word: no last name, or one that cannot be told (a name written
    /// without a space between its parts).
    private static func oneWord(_ whole: UnsafeRawBufferPointer) -> Split {
        let scalars = Array(text(whole).unicodeScalars)
        if scalars.contains(where: isWrittenWithoutSpaces) {
            return .problem(
                "\"\(TextBytes.shown(whole))\" cannot be split: it is written without spaces, so "
                    + "which part is the family name cannot be told; give the first and last "
                    + "names in columns of their own")
        }
        return .problem("\"\(TextBytes.shown(whole))\" has no last name")
    }

    /// Han ideographs, kana, Hangul, Thai, Lao, Khmer, Myanmar: scripts whose names are
    /// written without a space between the family and the given name.
    private static func isWrittenWithoutSpaces(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2FFFF, 0xF900...0xFAFF,  // Han
            0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F,  // kana
            0xAC00...0xD7A3, 0x1100...0x11FF, 0x3130...0x318F,  // Hangul
            0x0E00...0x0EFF, 0x1780...0x17FF, 0x1000...0x109F:  // Thai, Lao, Khmer, Myanmar
            return true
        default:
            return false
        }
    }

    private static func isPatronymic(_ word: String) -> Bool {
        let lower = word.lowercased()
        return patronymicEndings.contains { lower.hasSuffix($0) }
    }

    /// The ranges of the words of `bytes`, split at spaces and tabs.
    private static func words(in bytes: UnsafeRawBufferPointer) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start: Int?
        for index in bytes.indices {
            let blank = bytes[index] == 0x20 || bytes[index] == 0x09
            if blank, let begun = start {
                words.append(begun..<index)
                start = nil
            } else if !blank && start == nil {
                start = index
            }
        }
        if let start { words.append(start..<bytes.count) }
        return words
    }

    private static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
