/// The letters outside ASCII one language of the Latin script writes, and where in a word
/// it writes them: what tells the 8-bit code pages of Europe apart, as the same bytes read as
/// Latin letters in all of them ("Łódź" in windows-1250 is "£ódŸ" in windows-1252,
/// "Gökhan Yılmaz" in windows-1254 is "Gökhan Yýlmaz"). A letter of the language scores 1
/// (some rarer ones less), a letter of the Western European languages that names from
/// abroad bring 0.25, any other -1; a letter where the language's spelling never puts it
/// ("Peńa": Polish writes ń only before a consonant; "Hélčne": no Czech word has č between
/// two consonants after a vowel) scores `misplaced`.
struct LatinLanguage: Sendable {
    /// The language's own letters (lower case) and their weights.
    let letters: [Unicode.Scalar: Double]
    /// Western European letters this language does not take from names abroad.
    let notBorrowed: Set<Unicode.Scalar>
    let rules: [Rule]
    /// The weight of a letter that breaks a rule.
    let misplaced: Double

    init(
        _ letters: String, rarer: [Unicode.Scalar: Double] = [:], notBorrowed: String = "",
        rules: [Rule], misplaced: Double = -1
    ) {
        var weights: [Unicode.Scalar: Double] = [:]
        for letter in letters.unicodeScalars { weights[letter] = rarer[letter] ?? 1 }
        self.letters = weights
        self.notBorrowed = Set(notBorrowed.unicodeScalars)
        self.rules = rules
        self.misplaced = misplaced
    }

    /// The weight of the letter at `index` of `word` (its letters lower-cased by
    /// `lowered`, `original` as read).
    func weight(at index: Int, in word: [Unicode.Scalar], original: [Unicode.Scalar]) -> Double {
        let letter = word[index]
        var weight: Double
        if let own = letters[letter] {
            weight = own
        } else if Self.westernLetters.contains(letter) && !notBorrowed.contains(letter) {
            weight = 0.25
        } else {
            return -1
        }
        if weight > 0 && rules.contains(where: { $0.isBroken(at: index, in: word, original) }) {
            weight = misplaced
        }
        return weight
    }

    /// The lower case of a letter; the Turkish dotted İ stays itself (its lower case is two
    /// characters, i and a combining dot).
    static func lowered(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        // Without making a string for the letters that have no other case.
        if (0x41...0x5A).contains(scalar.value) {
            return Unicode.Scalar(UInt8(scalar.value + 0x20))
        }
        if scalar.isASCII || !scalar.properties.changesWhenLowercased || scalar == "\u{130}" {
            return scalar
        }
        return scalar.properties.lowercaseMapping.unicodeScalars.first ?? scalar
    }

    /// The letters outside ASCII of windows-1252's languages, lower-case.
    static let westernLetters = Set("àáâãäåæçèéêëìíîïñòóôõöøùúûüÿßœšž".unicodeScalars)

    static let vowels = Set(
        "aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœąęěůőűıăėįųūāēīōŕĺ".unicodeScalars)

    /// The languages of each family of code pages, each reading scored as the best of them.
    static func family(_ language: ReadingScore.Language) -> [LatinLanguage] {
        switch language {
        case .western: return western
        case .centralEuropean: return centralEuropean
        case .turkish: return turkish
        case .baltic: return baltic
        default: return []
        }
    }

    private static let westernRules: [Rule] = [
        .oeNotBeforeU, .enyeNotBeforeVowel, .graveBeforeVowel, .aeAtEnd, .otildeNotBeforeE,
        .graveBesideLetter, .thornAfterVowel,
    ]

    /// windows-1252: the Western European languages together (a file holds names from
    /// all of them) but for ð, þ and ý, which only Icelandic writes often; Icelandic;
    /// Estonian (õ anywhere).
    static let western = [
        LatinLanguage(
            "àáâãäåæçèéêëìíîïñòóôõöøùúûüÿßœšž", rarer: ["ÿ": 0.5, "ì": 0.5, "û": 0.5],
            rules: westernRules, misplaced: 0),
        LatinLanguage(
            "áéíóúýþæöð", rules: westernRules + [.icelandicWithoutCQWZ], misplaced: 0),
        LatinLanguage(
            "õäöüšž", rules: [.oeNotBeforeU, .enyeNotBeforeVowel, .graveBeforeVowel, .aeAtEnd],
            misplaced: 0),
    ]

    /// windows-1250 and ISO 8859-2: Polish, Czech, Slovak, Hungarian, the South Slavic
    /// languages in the Latin script, Romanian.
    static let centralEuropean = [
        LatinLanguage(
            "ąćęłńóśźż",
            rules: [
                .consonantInCluster, .consonantClusterAtEnd, .softBeforeVowel, .nasalFirst,
                .softAfterConsonant,
            ]),
        LatinLanguage(
            "áčďéěíňóřšťúůýž",
            rules: [
                .consonantInCluster, .consonantClusterAtEnd, .eCaronAfterOther, .uRingMisplaced,
                .cCaronFirstBeforeConsonant, .softBeforeConsonant, .rCaronMisplaced,
            ]),
        LatinLanguage(
            "áäčďéíĺľňóôŕšťúýž", rarer: ["ĺ": 0.25, "ŕ": 0.25],
            rules: [
                .consonantInCluster, .consonantClusterAtEnd, .syllabicBesideVowel,
                .softBeforeConsonant, .cCaronFirstBeforeConsonant,
            ]),
        LatinLanguage("áéíóöőúüű", notBorrowed: "ä", rules: [.longUmlautBeforeVowel]),
        LatinLanguage(
            "čćđšž", rules: [.consonantInCluster, .consonantClusterAtEnd, .softAfterConsonant]),
        LatinLanguage(
            "ăâîşţșț",
            rules: [.consonantInCluster, .consonantClusterAtEnd, .aBreveBeforeVowel]),
    ]

    /// windows-1254.
    static let turkish = [
        LatinLanguage(
            "çğıöşüâîû\u{130}", rarer: ["â": 0.5, "î": 0.5, "û": 0.5],
            rules: [.consonantInCluster, .softGAfterConsonant, .dotlessIAmongFrontVowels])
    ]

    /// windows-1257: Lithuanian and Latvian (Estonian reads the same as in windows-1252).
    static let baltic = [
        LatinLanguage(
            "ąčęėįšųūž", rarer: ["ą": 0.5, "ę": 0.5],
            rules: [.consonantInCluster, .consonantAtEnd, .uOgonekInside, .iOgonekInside]),
        LatinLanguage(
            "āčēģīķļņšūž", rules: [.consonantInCluster, .consonantAtEnd, .lCedillaBeforeConsonant]),
    ]

    /// Where a language's spelling never puts a letter.
    enum Rule: Sendable {
        /// A consonant between two consonants, after a vowel ("Hélčne", "Michčle"; r and l
        /// between consonants are vowels: "Smrčka", "Vlčková").
        case consonantInCluster
        /// A consonant ending a word after a consonant after a vowel ("Mosč", "Niccolň").
        case consonantClusterAtEnd
        /// Polish ń, ś, ć, ź before a vowel (Polish writes ni, si, ci, zi: "Peńa").
        case softBeforeVowel
        /// Polish ą, ę starting a word.
        case nasalFirst
        /// Polish ć, ń after a consonant, ś, ź after one but as a word's second letter
        /// ("Mściwój"), Croatian ć after one (Danish æ read as windows-1250: "Brćnne").
        case softAfterConsonant
        /// Hungarian ő, ű before a vowel (Portuguese õ read as windows-1250: "Simőes").
        case longUmlautBeforeVowel
        /// Latvian ļ before a consonant (French ï read as windows-1257: "Anaļs").
        case lCedillaBeforeConsonant
        /// Czech ě after a letter other than b, p, v, m, f, d, t, n.
        case eCaronAfterOther
        /// Czech ů first, after a vowel or before one ("oů").
        case uRingMisplaced
        /// Slovak ŕ, ĺ other than between two consonants ("Lŕ").
        case syllabicBesideVowel
        /// Czech č first before a consonant other than r, l, t ("Čve").
        case cCaronFirstBeforeConsonant
        /// Czech ď, ť before a consonant other than k ("Loďc").
        case softBeforeConsonant
        /// Czech ř beside an r, or first before a consonant (Nordic ø read as windows-1250:
        /// "Sřren", "Řdegĺrd").
        case rCaronMisplaced
        /// Romanian ă before a vowel ("Joăo").
        case aBreveBeforeVowel
        /// Turkish ğ first or after a consonant.
        case softGAfterConsonant
        /// Turkish ı in a word with front vowels (e, i, ö, ü): vowel harmony.
        case dotlessIAmongFrontVowels
        /// A Baltic word ending in a consonant other than š.
        case consonantAtEnd
        /// Lithuanian ų other than last.
        case uOgonekInside
        /// Lithuanian į other than first or last.
        case iOgonekInside
        /// œ not before u or i (French writes it in œu, œi).
        case oeNotBeforeU
        /// ñ not before a vowel.
        case enyeNotBeforeVowel
        /// è, ì, ò, ù before a vowel.
        case graveBeforeVowel
        /// æ ending a word.
        case aeAtEnd
        /// õ not before e (Portuguese writes it in õe).
        case otildeNotBeforeE
        /// è, ì, ò, ù, ø beside another letter outside ASCII ("Jiøí", "Ševèík").
        case graveBesideLetter
        /// þ after a vowel.
        case thornAfterVowel
        /// Icelandic writes no c, q, w or z.
        case icelandicWithoutCQWZ

        func isBroken(
            at index: Int, in word: [Unicode.Scalar], _ original: [Unicode.Scalar]
        ) -> Bool {
            let spot = Spot(word: word, index: index)
            let letter = word[index]
            switch self {
            case .consonantInCluster:
                return !vowels.contains(letter) && spot.isConsonant(-1) && !spot.isSyllabic(-1)
                    && spot.isConsonant(1) && !spot.isSyllabic(1)
                    && word[..<index].contains(where: vowels.contains)
            case .consonantClusterAtEnd:
                return !vowels.contains(letter) && spot.isLast && spot.isConsonant(-1)
                    && spot.isVowel(-2)
            case .softBeforeVowel:
                return "ńśćź".unicodeScalars.contains(letter) && spot.isVowel(1)
            case .nasalFirst:
                return index == 0 && (letter == "ą" || letter == "ę")
            case .softAfterConsonant:
                return "ćńśź".unicodeScalars.contains(letter) && spot.isConsonant(-1)
                    && (letter == "ć" || letter == "ń" || index >= 2)
            case .longUmlautBeforeVowel:
                return (letter == "ő" || letter == "ű") && spot.isVowel(1)
            case .lCedillaBeforeConsonant:
                return letter == "ļ" && spot.isConsonant(1)
            case .eCaronAfterOther:
                return letter == "ě"
                    && !(spot.at(-1).map { "bpvmfdtn".unicodeScalars.contains($0) } ?? false)
            case .uRingMisplaced:
                return letter == "ů" && (!spot.isConsonant(-1) || spot.isVowel(1))
            case .syllabicBesideVowel:
                return (letter == "ŕ" || letter == "ĺ")
                    && !(spot.isConsonant(-1) && spot.isConsonant(1))
            case .cCaronFirstBeforeConsonant:
                return letter == "č" && index == 0 && spot.isConsonant(1)
                    && !(spot.at(1).map { "rlt".unicodeScalars.contains($0) } ?? false)
            case .softBeforeConsonant:
                return (letter == "ď" || letter == "ť") && spot.isConsonant(1) && spot.at(1) != "k"
            case .rCaronMisplaced:
                return letter == "ř"
                    && (spot.at(-1) == "r" || spot.at(1) == "r"
                        || (index == 0 && spot.isConsonant(1)))
            case .aBreveBeforeVowel:
                return letter == "ă" && spot.isVowel(1)
            case .softGAfterConsonant:
                return letter == "ğ" && !spot.isVowel(-1)
            case .dotlessIAmongFrontVowels:
                // An upper-case I is the capital of ı, not of i.
                return letter == "ı"
                    && original.contains { "eiöüEÖÜ\u{130}".unicodeScalars.contains($0) }
            case .consonantAtEnd:
                return !vowels.contains(letter) && letter != "š" && spot.isLast && index > 0
            case .uOgonekInside:
                return letter == "ų" && !spot.isLast
            case .iOgonekInside:
                return letter == "į" && index > 0 && !spot.isLast
            case .oeNotBeforeU, .enyeNotBeforeVowel, .graveBeforeVowel, .aeAtEnd,
                .otildeNotBeforeE, .graveBesideLetter, .thornAfterVowel, .icelandicWithoutCQWZ:
                return isBrokenInWestern(spot)
            }
        }

        /// The rules of the Western European languages (windows-1252).
        private func isBrokenInWestern(_ spot: Spot) -> Bool {
            let (letter, word) = (spot.letter, spot.word)
            switch self {
            case .oeNotBeforeU:
                return letter == "œ" && !(spot.at(1) == "u" || spot.at(1) == "i")
            case .enyeNotBeforeVowel:
                return letter == "ñ" && !spot.isVowel(1)
            case .graveBeforeVowel:
                return "èìòù".unicodeScalars.contains(letter) && spot.isVowel(1)
            case .aeAtEnd:
                return letter == "æ" && spot.isLast && spot.index > 0
            case .otildeNotBeforeE:
                return letter == "õ" && spot.at(1) != "e"
            case .graveBesideLetter:
                return "èìòùø".unicodeScalars.contains(letter)
                    && [spot.at(-1), spot.at(1)].contains { $0.map { !$0.isASCII } ?? false }
            case .thornAfterVowel:
                return letter == "þ" && spot.isVowel(-1)
            case .icelandicWithoutCQWZ:
                return word.contains { "cqwz".unicodeScalars.contains($0) }
            default:
                return false
            }
        }

        /// A letter of a word, and its neighbours.
        struct Spot {
            let word: [Unicode.Scalar]
            let index: Int

            var letter: Unicode.Scalar { word[index] }
            var isLast: Bool { index == word.count - 1 }

            /// The letter `offset` letters after this one (before it when negative).
            func at(_ offset: Int) -> Unicode.Scalar? {
                word.indices.contains(index + offset) ? word[index + offset] : nil
            }

            func isVowel(_ offset: Int) -> Bool { at(offset).map(vowels.contains) ?? false }

            func isConsonant(_ offset: Int) -> Bool {
                at(offset).map { !vowels.contains($0) } ?? false
            }

            /// Whether the letter at `offset` is an r or l between two consonants: the
            /// vowel of its syllable.
            func isSyllabic(_ offset: Int) -> Bool {
                (at(offset) == "r" || at(offset) == "l") && isConsonant(offset - 1)
                    && isConsonant(offset + 1)
            }
        }
    }
}
