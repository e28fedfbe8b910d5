import BatchInvite

/// The whole command line that works, for an input error whose advice is a set of
/// options (`BatchInviteError.advice`): the user's own arguments with the advice's
/// options put in, a value of a single-valued option replaced, a repeatable one added
/// (unless it is there already). So the advice can be followed as printed, whatever was
/// given before.
enum Advice {
    static func commandLine(
        command: String, arguments: [String], fix: [String], specs: [OptionSpec]
    ) -> String {
        var words = arguments
        var index = 0
        while index < fix.count {
            let option = fix[index]
            let spec = specs.first { $0.name == option }
            let value = spec?.value != nil && index + 1 < fix.count ? fix[index + 1] : nil
            index += value == nil ? 1 : 2
            if spec?.repeatable == true {
                if let value,
                    !zip(words, words.dropFirst()).contains(where: { $0 == (option, value) })
                {
                    words += [option, value]
                }
                continue
            }
            if let at = words.firstIndex(of: option) {
                if let value, at + 1 < words.count { words[at + 1] = value }
                continue
            }
            if let at = words.firstIndex(where: { $0.hasPrefix(option + "=") }) {
                words[at] = option + "=" + (value ?? "")
                continue
            }
            words.append(option)
            if let value { words.append(value) }
        }
        return "batch-invite \(command) " + ShellWords.join(words)
    }

    /// The line `main` prints for `error`: its message, the command line that works and the
    /// alternatives.
    static func line(
        _ message: String, fix: [String], alternatives: [String], command: String,
        arguments: [String], specs: [OptionSpec]
    ) -> String {
        message + "; to read it so, run: "
            + commandLine(command: command, arguments: arguments, fix: fix, specs: specs)
            + (alternatives.isEmpty ? "" : " (or: " + alternatives.joined(separator: "; ") + ")")
    }
}
