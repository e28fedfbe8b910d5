/// Arguments written so that a POSIX shell reads them back as they are: advice that works
/// when pasted (`--map "Work E-mail=email"`).
public enum ShellWords {
    /// `word` as is when the shell takes it so, else in double quotes (with `"`, `\`, `$`
    /// and `` ` `` escaped). `=` is not special, but a value holding one is quoted all the
    /// same, as the README writes `--map "Header=field"`.
    public static func quote(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.unicodeScalars.allSatisfy {
                ($0.value < 0x80 && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
                    || "-_./:,+@%".unicodeScalars.contains($0)
            }
        if plain { return word }
        var quoted = "\""
        for character in word {
            if "\"\\$`".contains(character) { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// `words` quoted and joined by spaces.
    public static func join(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }
}
