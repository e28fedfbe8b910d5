/// How plausible one reading of a file's first bytes is as text of a language: the mean,
/// over the characters outside ASCII (the first `characterLimit`), of a weight from -3 to 1. A file read in its own
/// encoding scores near 1; read in another, its bytes become characters of the wrong
/// script, rare characters, letters of two scripts in one word, or symbols in the middle
/// of words, which score 0 or less.
///
/// The weights, by language:
/// - every language: a control, private-use or unassigned character -3.
/// - the Latin code pages (western: windows-1252; centralEuropean: windows-1250, ISO 8859-2;
///   turkish: windows-1254; baltic: windows-1257): a letter in a word of the Latin script
///   that is not letter salad (western: at most two letters outside ASCII in a row and no
///   more of them than ASCII ones, as "Müller", "Conceição"; the others, whose words hold
///   more such letters, as "Kříž", "Čížek": at most three in a row, not more than twice the
///   ASCII ones and one more, in lower case, upper case or capitalised) is weighted by the
///   best of the family's languages (`LatinLanguage`: 1 for the language's own letters,
///   less for rarer ones and borrowed ones, -1 or 0 where its spelling never puts them);
///   any other letter -1 ("ÐÕÃû", "Ã©"); a typographic sign (quotes, dashes, €, °) not
///   touching another character outside ASCII 0.5; other symbols 0 between digits and
///   spaces, else -1 ("‰q", "•º").
/// - cyrillic (windows-1251, KOI8-R): a Cyrillic letter in a word of Cyrillic letters only,
///   in lower case, upper case or capitalised, spelt as Russian, Ukrainian or Bulgarian may
///   be (a vowel in a word of three letters or more, no ь, ъ, ы first or after a vowel, no ы
///   after к, г, х, ж, ш, щ, ч, no й after a consonant) 1, else -1; the whole score is
///   scaled down when fewer than half its letters are among the most frequent (о, е, а, и,
///   н, т...), as happens when KOI8-R is read as windows-1251 or the reverse.
/// - greek (windows-1253, ISO 8859-7): a Greek letter in a word of Greek letters only, in
///   lower case, upper case or capitalised, written as monotonic Greek is (ς only last, σ
///   never last; unless in capitals: one accent on a word of two syllables or more, and
///   the word ends in a vowel, ς, ν or ρ) 1, ΐ and ΰ 0, else -1; scaled down as cyrillic
///   when fewer than half its letters are the frequent ones (α, ε, ι, ο, ν, τ, σ...).
/// - hebrew (windows-1255, ISO 8859-8): a Hebrew letter or point in a word of Hebrew only,
///   with final forms (ך ם ן ף ץ) last and no point first, 1 (0 for a word of one letter),
///   else -1.
/// - arabic (windows-1256): an Arabic letter or mark in a word of Arabic only, with ة last
///   and no mark first, 1 (0 for a word of one letter); a French letter of windows-1256 (é,
///   è, à, ç...) in a word of the Latin script 0.25 (names from abroad); else -1.
/// - cyrillic, greek, hebrew, arabic: a sign outside words 0.5 when typographic, -1 beside
///   another symbol or box drawing, else -0.5.
/// - japanese: kana 1, frequent kanji 1, other kanji 0.2, half-width katakana 0.5 in a word
///   of its own ("ｶﾜﾀ") and -1 among kanji.
/// - chinese (simplified or traditional): frequent hanzi of that script 1, other hanzi 0.1.
/// - korean: frequent Hangul syllables 1, other syllables 0.3, hanja -0.3, lone jamo -0.5.
/// - for the CJK languages, CJK punctuation and full-width forms 0.5, letters of other
///   scripts (Latin, Greek, Cyrillic) -1, box drawing -0.5, and a CJK character in a word
///   with ASCII letters at most 0 (bytes of Western text read as CJK make such words).
struct ReadingScore: Equatable {
    /// The mean weight, from -3 to 1.
    let value: Double
    /// How many characters outside ASCII it is the mean of.
    let characters: Int

    /// The sum of the weights.
    var total: Double { value * Double(characters) }

    enum Language {
        case western, centralEuropean, turkish, baltic, cyrillic, greek, hebrew, arabic
        case japanese, simplifiedChinese, traditionalChinese, korean
    }

    /// How many characters outside ASCII a score looks at, from the start: enough to tell
    /// a language, and the cost of a guess stays small however many the sample has.
    static let characterLimit = 2048

    /// Scores `text`, UTF-8 as read in an encoding of `language`.
    init(_ text: [UInt8], as language: Language) {
        let scalars = Array(String(decoding: text, as: UTF8.self).unicodeScalars)
        var words = Words(scalars: scalars)
        let latin = LatinLanguage.family(language)
        // The letters of the Latin script are weighted by each language of the family.
        var latinTotals = [Double](repeating: 0, count: latin.count)
        var total = 0.0
        var count = 0
        var scriptLetters = 0
        var frequentLetters = 0
        for (position, scalar) in scalars.enumerated() where !scalar.isASCII {
            if count == Self.characterLimit { break }
            count += 1
            let script = Script(scalar)
            if script == .forbidden {
                total -= 3
                continue
            }
            let found = words.word(at: position)
            let neighbours = (
                position > 0 ? scalars[position - 1] : " ",
                position + 1 < scalars.count ? scalars[position + 1] : " "
            )
            switch language {
            case .western, .centralEuropean, .turkish, .baltic:
                if let (word, index) = found, script == .latin,
                    !word.isSalad(strict: language == .western)
                {
                    for (number, language) in latin.enumerated() {
                        latinTotals[number] += language.weight(
                            at: index, in: word.lowered, original: word.scalars)
                    }
                } else {
                    total += Self.latinOther(scalar, isLetter: found != nil, neighbours)
                }
            case .cyrillic, .greek, .hebrew, .arabic:
                guard let (word, index) = found else {
                    total += Self.scriptOther(scalar, script, neighbours)
                    continue
                }
                if (language == .cyrillic && script == .cyrillic)
                    || (language == .greek && script == .greek)
                {
                    scriptLetters += 1
                    let frequent =
                        language == .cyrillic
                        ? FrequentCharacters.cyrillicLetters : FrequentCharacters.greekLetters
                    if frequent.contains(word.lowered[index].value) { frequentLetters += 1 }
                }
                total += word.weight(at: index, as: language)
            case .japanese, .simplifiedChinese, .traditionalChinese, .korean:
                total += Self.eastAsian(scalar, script, found?.word, language)
            }
        }
        total += latinTotals.max() ?? 0
        value = Self.scaled(
            count == 0 ? 0 : total / Double(count), as: language,
            frequentShare: scriptLetters == 0 ? 0 : Double(frequentLetters) / Double(scriptLetters))
        characters = count
    }

    /// The mean weight `mean` of a cyrillic or greek reading scaled down when too few of
    /// its letters are the frequent ones (`frequentShare` of them are); others as they are.
    private static func scaled(_ mean: Double, as language: Language, frequentShare: Double)
        -> Double
    {
        guard language == .cyrillic || language == .greek else { return mean }
        let floor = language == .cyrillic ? 0.25 : 0.3
        return mean * min(max((frequentShare - floor) / 0.25, 0), 1)
    }

    /// The words around characters outside ASCII, each made once (the last one is kept:
    /// its other letters outside ASCII come next).
    private struct Words {
        let scalars: [Unicode.Scalar]
        private var last: (range: Range<Int>, word: Word)?

        init(scalars: [Unicode.Scalar]) {
            self.scalars = scalars
        }

        /// The word of the letter at `position`, and the letter's index in it; nil for a
        /// character that is not a letter.
        mutating func word(at position: Int) -> (word: Word, index: Int)? {
            guard ReadingScore.isLetter(scalars[position]) else { return nil }
            if let last, last.range.contains(position) {
                return (last.word, position - last.range.lowerBound)
            }
            var start = position
            while start > 0 && ReadingScore.isLetter(scalars[start - 1]) { start -= 1 }
            var end = position + 1
            while end < scalars.count && ReadingScore.isLetter(scalars[end]) { end += 1 }
            let word = Word(scalars[start..<end])
            last = (start..<end, word)
            return (word, position - start)
        }
    }

    /// Typographic signs a Western text has beside its words.
    private static let typographic = Set("“”‘’„‚«»‹›–—…•·€£¥°®©™§¶¿¡ªº№".unicodeScalars)

    /// A character of a Latin reading other than a letter of a plausible word.
    private static func latinOther(
        _ scalar: Unicode.Scalar, isLetter: Bool, _ neighbours: (Unicode.Scalar, Unicode.Scalar)
    ) -> Double {
        if isLetter { return -1 }
        if isSpace(scalar) { return 0 }
        if touchesNonASCII(neighbours) { return -1 }
        if typographic.contains(scalar) { return 0.5 }
        let (before, after) = neighbours
        let quiet: (Unicode.Scalar) -> Bool = { $0.properties.numericType != nil || isSpace($0) }
        return quiet(before) && (quiet(after) || ",;\t\r\n".unicodeScalars.contains(after)) ? 0 : -1
    }

    /// A character outside words in a Cyrillic, Greek, Hebrew or Arabic reading.
    private static func scriptOther(
        _ scalar: Unicode.Scalar, _ script: Script, _ neighbours: (Unicode.Scalar, Unicode.Scalar)
    ) -> Double {
        if isSpace(scalar) { return 0 }
        if script == .box { return -1 }
        let isSymbol: (Unicode.Scalar) -> Bool = {
            !$0.isASCII && !Self.isLetter($0) && !Self.isSpace($0)
        }
        if isSymbol(neighbours.0) || isSymbol(neighbours.1) { return -1 }
        return typographic.contains(scalar) ? 0.5 : -0.5
    }

    private static func eastAsian(
        _ scalar: Unicode.Scalar, _ script: Script, _ word: Word?, _ language: Language
    ) -> Double {
        var weight: Double
        switch (script, language) {
        case (.kana, .japanese): weight = 1
        case (.han, .japanese):
            weight = FrequentCharacters.japaneseKanji.contains(scalar.value) ? 1 : 0.2
        case (.halfwidthKana, .japanese):
            weight = word.map { $0.isHalfwidthKana && $0.length > 1 } ?? false ? 0.5 : -1
        case (.han, .simplifiedChinese):
            weight = FrequentCharacters.simplifiedChinese.contains(scalar.value) ? 1 : 0.1
        case (.han, .traditionalChinese):
            weight = FrequentCharacters.traditionalChinese.contains(scalar.value) ? 1 : 0.1
        case (.hangul, .korean):
            weight = FrequentCharacters.koreanSyllables.contains(scalar.value) ? 1 : 0.3
        case (.han, .korean): weight = -0.3
        case (.jamo, .korean): weight = -0.5
        case (.kana, _), (.han, _), (.hangul, _), (.jamo, _), (.halfwidthKana, _): weight = -1
        case (.cjkPunctuation, _): return 0.5
        case (.latin, _), (.cyrillic, _), (.greek, _), (.hebrew, _), (.arabic, _),
            (.otherLetter, _):
            return -1
        case (.box, _): return -0.5
        case (.other, _), (.forbidden, _): return 0
        }
        if let word, word.asciiLetters > 0 { weight = min(weight, 0) }
        return weight
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.value == 0xAD
    }

    private static func touchesNonASCII(_ neighbours: (Unicode.Scalar, Unicode.Scalar)) -> Bool {
        let (before, after) = neighbours
        return (!before.isASCII && !isSpace(before)) || (!after.isASCII && !isSpace(after))
    }

    /// What kind of character a scalar outside ASCII is, for the weights.
    enum Script: Hashable {
        case latin, cyrillic, greek, hebrew, arabic, otherLetter, kana, halfwidthKana, han, hangul
        case jamo
        case cjkPunctuation, box, other, forbidden

        init(_ scalar: Unicode.Scalar) {
            let value = scalar.value
            switch scalar.properties.generalCategory {
            case .control, .privateUse, .unassigned, .surrogate:
                self = .forbidden
                return
            default:
                break
            }
            switch value {
            case 0xFFFD: self = .forbidden
            case 0x3040...0x30FF, 0x31F0...0x31FF: self = .kana
            case 0xFF61...0xFF9F: self = .halfwidthKana
            case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3FFFF: self = .han
            case 0xAC00...0xD7A3: self = .hangul
            case 0x1100...0x11FF, 0x3130...0x318F: self = .jamo
            case 0x3000...0x303F, 0xFF00...0xFF60, 0xFFE0...0xFFEF: self = .cjkPunctuation
            case 0x2500...0x257F: self = .box
            case 0x0400...0x04FF: self = isLetter(scalar) ? .cyrillic : .other
            case 0x0370...0x03FF: self = isLetter(scalar) ? .greek : .other
            case 0x00C0...0x024F, 0x1E00...0x1EFF: self = isLetter(scalar) ? .latin : .other
            case 0x0590...0x05FF: self = isLetter(scalar) ? .hebrew : .other
            case 0x0600...0x06FF, 0x0750...0x077F, 0xFB50...0xFDFF, 0xFE70...0xFEFF:
                self = isLetter(scalar) ? .arabic : .other
            default: self = isLetter(scalar) ? .otherLetter : .other
            }
        }
    }
}
