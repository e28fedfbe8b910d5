extension ReadingScore {
    /// A run of letters, and what the weights ask of it.
    final class Word {
        /// The letters as read, and in lower case (`LatinLanguage.lowered`).
        let scalars: [Unicode.Scalar]
        private(set) lazy var lowered = scalars.map(LatinLanguage.lowered)
        private(set) var asciiLetters = 0
        private(set) var lettersOutsideASCII = 0
        private(set) var longestRunOutsideASCII = 0
        /// The scripts of its letters (ASCII letters are Latin).
        private(set) lazy var scripts = Set(scalars.map { $0.isASCII ? .latin : Script($0) })
        /// In lower case, upper case or capitalised.
        private(set) lazy var hasPlainCase: Bool = {
            let upper = scalars.map { $0.properties.isUppercase }
            let allLower = !upper.contains(true)
            let allUpper = !scalars.contains { $0.properties.isLowercase }
            let capitalised = upper.first == true && !upper.dropFirst().contains(true)
            return allLower || allUpper || capitalised
        }()
        /// Whether the word is spelt as a language may spell it, made once for each.
        private var spelling: [Language: Bool] = [:]

        var length: Int { scalars.count }
        var hasLatin: Bool { scripts.contains(.latin) }
        var isHalfwidthKana: Bool { scripts == [.halfwidthKana] }

        init(_ letters: ArraySlice<Unicode.Scalar>) {
            scalars = Array(letters)
            var run = 0
            for scalar in letters {
                if scalar.isASCII {
                    asciiLetters += 1
                    run = 0
                } else {
                    lettersOutsideASCII += 1
                    run += 1
                    longestRunOutsideASCII = max(longestRunOutsideASCII, run)
                }
            }
        }

        /// Whether its letters outside ASCII are too many or too crowded for a word of a
        /// Latin language: `strict` as windows-1252's languages write, else as the languages
        /// of Central Europe and the Baltic, whose words hold more such letters, do.
        func isSalad(strict: Bool) -> Bool {
            if strict {
                return longestRunOutsideASCII > 2 || (asciiLetters == 0 && length > 1)
                    || (lettersOutsideASCII >= 2 && asciiLetters < lettersOutsideASCII)
            }
            return !hasPlainCase || longestRunOutsideASCII > 3 || (asciiLetters == 0 && length > 2)
                || lettersOutsideASCII > 2 * asciiLetters + 1
        }

        /// The weight of its letter at `index` in a Cyrillic, Greek, Hebrew or Arabic reading.
        func weight(at index: Int, as language: Language) -> Double {
            let script = Script(scalars[index])
            if language == .arabic && script == .latin && scripts == [.latin] {
                // French names in an Arabic file; windows-1256 has these letters of French.
                return Self.frenchInArabic.contains(lowered[index]) ? 0.25 : -1
            }
            let own: Script
            switch language {
            case .cyrillic: own = .cyrillic
            case .greek: own = .greek
            case .hebrew: own = .hebrew
            default: own = .arabic
            }
            guard script == own, scripts == [own], isSpelt(as: language) else { return -1 }
            // A letter alone is no evidence of Hebrew or Arabic: names are words (a stray
            // byte read as one, such as windows-1256's پ for 0x81, is not).
            if (language == .hebrew || language == .arabic) && length == 1 { return 0 }
            return language == .greek && "ΐΰ".unicodeScalars.contains(scalars[index]) ? 0 : 1
        }

        private static let frenchInArabic = Set("àâçèéêëîïôùûü".unicodeScalars)
        private static let cyrillicVowels = Set("аеёиоуыэюяієї".unicodeScalars)
        private static let greekVowels = Set("αεηιουωάέήίόύώϊϋΐΰ".unicodeScalars)
        private static let greekAccented = Set("άέήίόύώΐΰΆΈΉΊΌΎΏ".unicodeScalars)
        private static let hebrewFinals = Set("ךםןףץ".unicodeScalars)

        private func isSpelt(as language: Language) -> Bool {
            if let known = spelling[language] { return known }
            let spelt: Bool
            switch language {
            case .cyrillic: spelt = hasPlainCase && isCyrillicSpelling
            case .greek: spelt = hasPlainCase && isGreekSpelling
            case .hebrew: spelt = !startsWithMark && !hasFinalFormInside(Self.hebrewFinals)
            default: spelt = !startsWithMark && !hasFinalFormInside(["\u{629}"])
            }
            spelling[language] = spelt
            return spelt
        }

        private var startsWithMark: Bool {
            scalars.first.map { $0.properties.generalCategory == .nonspacingMark } ?? false
        }

        /// Whether a letter written only last in a word (Hebrew final forms, Arabic ة) is
        /// anywhere else.
        private func hasFinalFormInside(_ finals: Set<Unicode.Scalar>) -> Bool {
            scalars.dropLast().contains(where: finals.contains)
        }

        /// Russian, Ukrainian and Bulgarian: a vowel in a word of three letters or more; no
        /// ь, ъ, ы first or after a vowel; no ы after к, г, х, ж, ш, щ, ч; й after a vowel.
        private var isCyrillicSpelling: Bool {
            if length >= 3 && !lowered.contains(where: Self.cyrillicVowels.contains) {
                return false
            }
            if let first = lowered.first, "ьъы".unicodeScalars.contains(first) { return false }
            for (before, letter) in zip(lowered, lowered.dropFirst()) {
                let isVowel = Self.cyrillicVowels.contains(before)
                if isVowel && "ьъы".unicodeScalars.contains(letter) { return false }
                if letter == "ы" && "кгхжшщч".unicodeScalars.contains(before) { return false }
                if letter == "й" && !isVowel { return false }
            }
            return true
        }

        /// Monotonic Greek: ς only last and σ never last; unless in capitals, one accent on
        /// a word of two syllables or more, and a vowel, ς, ν or ρ last.
        private var isGreekSpelling: Bool {
            if lowered.dropLast().contains("ς") || scalars.last == "σ" { return false }
            let accents = scalars.filter(Self.greekAccented.contains).count
            if accents > 1 { return false }
            let inCapitals = !scalars.contains { $0.properties.isLowercase }
            if inCapitals { return true }
            let vowels = lowered.indices.filter { Self.greekVowels.contains(lowered[$0]) }
            let syllables = zip(vowels, vowels.dropFirst()).contains { $1 - $0 > 1 }
            if syllables && accents == 0 { return false }
            guard let last = lowered.last else { return true }
            return Self.greekVowels.contains(last) || "ςνρ".unicodeScalars.contains(last)
        }
    }
}
