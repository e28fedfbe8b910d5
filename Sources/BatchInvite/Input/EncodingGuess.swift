/// What the first bytes of a file without a byte order mark say about its encoding, when
/// no `--encoding` was given: UTF-16 by its pattern of zero bytes, UTF-8 when the sample is
/// valid UTF-8. When it is not, each encoding of `candidates` that reads every byte of it
/// is scored (`ReadingScore`: how much the reading looks like text of its language), and
/// the best is taken when it is plausible and clearly ahead of the next (`decide`); two
/// close ones are for the user to choose from; none, and the tool cannot read it untold.
/// Two encodings that read the sample as the same text are one reading, the earlier
/// candidate's (a Western file is the same text in windows-1252 and windows-1254 unless it
/// has ð, þ or ý).
enum EncodingGuess: Equatable {
    case utf8
    case utf16(bigEndian: Bool)
    /// Not UTF-8; the first byte that is not, from the start of the sample.
    case windows1252(firstInvalid: Int)
    /// Another encoding than windows-1252 reads it plausibly, and clearly better than the
    /// others.
    case legacy(TextEncoding, firstInvalid: Int)
    /// The best readings (two, or one that is not plausible enough on its own), best first.
    case ambiguous([EncodingReading], firstInvalid: Int)
    /// No encoding reads it plausibly.
    case unknown(firstInvalid: Int)

    /// How many bytes of a file the guess looks at.
    static let sampleSize = 64 * 1024

    /// The encodings a guess chooses from, each with the language it is scored as: the
    /// Windows code pages of Western Europe, Central Europe (and ISO 8859-2), Turkey, the
    /// Baltic, Greece (and ISO 8859-7), Israel (and ISO 8859-8), the Arab countries and the
    /// Cyrillic script (and KOI8-R); Japanese (and EUC-JP), Simplified and Traditional
    /// Chinese, and Korean. Each is the widest of its family (windows-1252 reads all the
    /// letters of ISO 8859-1, windows-1254 of ISO 8859-9, cp932 all of Shift_JIS, gb18030 all
    /// of GBK and GB2312, cp949 all of EUC-KR). Windows-1252 comes first: of two encodings
    /// that read the same, the earlier is taken.
    static let candidates: [(TextEncoding, ReadingScore.Language)] = [
        (.windows1252, .western), (.iconv("windows-1250"), .centralEuropean),
        (.iconv("iso-8859-2"), .centralEuropean), (.iconv("windows-1254"), .turkish),
        (.iconv("windows-1257"), .baltic), (.iconv("windows-1253"), .greek),
        (.iconv("iso-8859-7"), .greek), (.iconv("windows-1255"), .hebrew),
        (.iconv("iso-8859-8"), .hebrew), (.iconv("windows-1256"), .arabic),
        (.iconv("windows-1251"), .cyrillic), (.iconv("koi8-r"), .cyrillic),
        (.iconv("cp932"), .japanese), (.iconv("euc-jp"), .japanese),
        (.iconv("gb18030"), .simplifiedChinese), (.iconv("big5"), .traditionalChinese),
        (.iconv("cp949"), .korean),
    ]

    /// Whether `encoding` is a candidate that reads one character from each byte, so that
    /// two such readings of a sample can be compared character by character.
    static func isSingleByte(_ encoding: TextEncoding) -> Bool {
        candidates.contains { candidate, language in
            candidate == encoding
                && ![.japanese, .simplifiedChinese, .traditionalChinese, .korean].contains(language)
        }
    }

    /// A reading is plausible from this score on (see `ReadingScore`).
    static let plausible = 0.6
    /// How far ahead of the next reading the best must be to be taken, in weight per
    /// character the two readings differ in: with ten such characters or more, and with
    /// fewer. (Readings of the same bytes in two code pages of one byte per character are
    /// the same text but where the code pages differ; the characters where they do not
    /// still count, for the language they tell: a German ä beside a Hungarian ő.)
    static let lead = (many: 0.3, few: 0.5)

    /// Guesses from `sample`, the file's first bytes after any byte order mark;
    /// `isWhole` says whether it is the whole file (else a character cut at its end is
    /// not held against it).
    static func guess(_ sample: UnsafeRawBufferPointer, isWhole: Bool) -> EncodingGuess {
        if let bigEndian = utf16Order(sample) { return .utf16(bigEndian: bigEndian) }
        guard let invalid = firstInvalidUTF8(sample, isWhole: isWhole) else { return .utf8 }
        // C0 controls other than tab and line breaks occur in no text: tab, line breaks,
        // and the vertical tab, form feed and DOS end-of-file mark some old exporters leave.
        let isText = sample.allSatisfy { $0 >= 0x20 || [9, 10, 11, 12, 13, 0x1A].contains($0) }
        guard isText else { return .unknown(firstInvalid: invalid) }
        return decide(readings(of: sample, isWhole: isWhole), firstInvalid: invalid)
    }

    /// Every candidate that reads all of `sample` as another text than an earlier one,
    /// scored, best first.
    static func readings(of sample: UnsafeRawBufferPointer, isWhole: Bool) -> [EncodingReading] {
        var readings: [EncodingReading] = []
        var texts: [[UInt8]] = []
        for (encoding, language) in candidates {
            guard let text = strictUTF8(of: sample, in: encoding, isWhole: isWhole),
                !texts.contains(text)
            else { continue }
            texts.append(text)
            let outsideASCII =
                isSingleByte(encoding)
                ? Array(
                    String(decoding: text, as: UTF8.self).unicodeScalars.lazy.filter { !$0.isASCII }
                        .prefix(ReadingScore.characterLimit)) : nil
            readings.append(
                EncodingReading(
                    encoding: encoding, score: ReadingScore(text, as: language),
                    outsideASCII: outsideASCII))
        }
        // A stable sort: of two equal scores, the earlier candidate comes first.
        return readings.enumerated().sorted {
            ($0.element.score.value, -$0.offset) > ($1.element.score.value, -$1.offset)
        }.map(\.element)
    }

    /// The choice among `readings` (best first): the best when it is plausible and ahead
    /// of the next by `lead`, else the two best for the user to choose from, else nothing.
    static func decide(_ readings: [EncodingReading], firstInvalid: Int) -> EncodingGuess {
        guard let best = readings.first else { return .unknown(firstInvalid: firstInvalid) }
        let next = readings.dropFirst().first
        var ahead = best.score.value - (next?.score.value ?? -3)
        var compared = best.score.characters
        if let next, let mine = best.outsideASCII, let theirs = next.outsideASCII,
            mine.count == theirs.count
        {
            compared = max(zip(mine, theirs).filter { $0 != $1 }.count, 1)
            ahead = (best.score.total - next.score.total) / Double(compared)
        }
        let lead = compared >= 10 ? Self.lead.many : Self.lead.few
        if best.score.value >= plausible && ahead >= lead {
            return best.encoding == .windows1252
                ? .windows1252(firstInvalid: firstInvalid)
                : .legacy(best.encoding, firstInvalid: firstInvalid)
        }
        if best.score.value < plausible / 2 { return .unknown(firstInvalid: firstInvalid) }
        return .ambiguous(Array(readings.prefix(2)), firstInvalid: firstInvalid)
    }

    /// The UTF-8 form of `sample` in `encoding` when every byte of it is a character of
    /// that encoding (the five bytes windows-1252 leaves unassigned are not).
    private static func strictUTF8(
        of sample: UnsafeRawBufferPointer, in encoding: TextEncoding, isWhole: Bool
    ) -> [UInt8]? {
        switch encoding {
        case .windows1252:
            let unassigned: Set<UInt8> = [0x81, 0x8D, 0x8F, 0x90, 0x9D]
            guard !sample.contains(where: unassigned.contains) else { return nil }
            var decoder = TextDecoder(encoding: .windows1252)
            var text: [UInt8] = []
            decoder.decode(sample, isFinal: true, into: &text)
            return text
        case .iconv(let name):
            return IconvConverter.strictUTF8(of: sample, from: name, isWhole: isWhole)
        case .utf8, .utf16:
            return nil
        }
    }

    /// The byte order of UTF-16 text without a byte order mark, told by its zero bytes:
    /// text in the Latin script has a zero in every other byte. Nil when it is not so.
    static func utf16Order(_ sample: UnsafeRawBufferPointer) -> Bool? {
        let pairs = min(sample.count, 4096) / 2
        guard pairs >= 2 else { return nil }
        var evenZeros = 0
        var oddZeros = 0
        for pair in 0..<pairs {
            if sample[2 * pair] == 0 { evenZeros += 1 }
            if sample[2 * pair + 1] == 0 { oddZeros += 1 }
        }
        if oddZeros * 10 >= pairs * 3 && evenZeros * 20 < pairs { return false }
        if evenZeros * 10 >= pairs * 3 && oddZeros * 20 < pairs { return true }
        return nil
    }

    /// The offset of the first byte of `bytes` that is not part of valid UTF-8, or nil.
    /// Unless `isWhole`, a sequence cut short by the end is taken as valid.
    static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer, isWhole: Bool) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            for offset in 1..<length {
                guard index + offset < count else { return isWhole ? index : nil }
                let byte = bytes[index + offset]
                if offset == 1 ? (byte < low || byte > high) : (byte < 0x80 || byte > 0xBF) {
                    return index
                }
            }
            index += length
        }
        return nil
    }
}

/// One encoding's reading of a sample, and its score.
struct EncodingReading: Equatable {
    let encoding: TextEncoding
    let score: ReadingScore
    /// For an encoding of one byte per character, the characters outside ASCII it reads,
    /// in order (as many as its score looks at).
    var outsideASCII: [Unicode.Scalar]? = nil
}
