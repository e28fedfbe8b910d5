import BatchInvite

/// A command line split into positional arguments and options, checked against the
/// command's `OptionSpec`s: unknown, repeated or valueless options are usage errors.
struct Arguments {
    private(set) var positional: [String] = []
    private var values: [String: [String]] = [:]
    private let specs: [OptionSpec]
    /// The config file's keys this command does not take (another job command does).
    private(set) var ignoredConfigKeys: [String] = []

    init(_ arguments: [String], specs: [OptionSpec], command: String) throws {
        self.specs = specs
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard !optionsEnded, argument.hasPrefix("-"), argument != "-" else {
                positional.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let spec = specs.first(where: { $0.name == name }) else {
                var message = "unknown option \(name) for \(command)"
                if let guess = Self.closest(to: name, in: specs.map(\.name)) {
                    message += "; did you mean \(guess)?"
                }
                throw BatchInviteError.usage(message + " (see batch-invite \(command) --help)")
            }
            var value = ""
            if let placeholder = spec.value {
                if let inlineValue {
                    value = inlineValue
                } else if index < arguments.count {
                    value = arguments[index]
                    index += 1
                } else {
                    throw BatchInviteError.usage("\(name) needs a value (\(name) \(placeholder))")
                }
            } else if inlineValue != nil {
                throw BatchInviteError.usage("\(name) takes no value")
            }
            if values[name] != nil && !spec.repeatable {
                throw BatchInviteError.usage("\(name) is given more than once")
            }
            values[name, default: []].append(value)
        }
        if let path = values["--config"]?.last {
            // The file's options, under the command line's.
            let file = try ConfigFile.read(path, specs: specs)
            let given = Set(values.keys)
            for (name, value) in file.options where !given.contains(name) {
                values[name, default: []].append(value)
            }
            ignoredConfigKeys = file.ignored
        }
    }

    /// Every argument and option value, for checks that must consider any of them a path.
    var mentioned: [String] { positional + values.values.flatMap { $0 } }

    /// The value of a single-valued option, if given.
    func value(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable option, in order.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Whether a flag (or any option) was given.
    func has(_ name: String) -> Bool { values[name] != nil }

    /// The one positional argument a command takes (the input file).
    func single(_ what: String, command: String) throws -> String {
        guard let first = positional.first else {
            throw BatchInviteError.usage(
                "\(command) needs \(what) (see batch-invite \(command) --help)")
        }
        guard positional.count == 1 else {
            throw BatchInviteError.usage(
                "\(command) takes one \(what), got \(positional.count): "
                    + positional.joined(separator: " "))
        }
        return first
    }

    /// Refuses positional arguments (commands that only take options).
    func expectNoPositional(command: String) throws {
        guard positional.isEmpty else {
            throw BatchInviteError.usage(
                "\(command) takes no arguments, got: \(positional.joined(separator: " "))")
        }
    }

    /// The value of an option the command cannot do without.
    func required(_ name: String, _ placeholder: String, command: String) throws -> String {
        guard let text = value(name) else {
            throw BatchInviteError.usage("\(command) needs \(name) \(placeholder)")
        }
        return text
    }

    /// A whole-number option within `range`, `fallback` when not given.
    func integer(_ name: String, _ fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = value(name) else { return fallback }
        guard let number = Int(text), range.contains(number) else {
            throw BatchInviteError.usage(
                "\(name) \"\(text)\" must be a whole number from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return number
    }

    /// A decimal option within `range`, `fallback` when not given; `what` names the range
    /// in the message ("a probability from 0 to 1").
    func number(_ name: String, _ fallback: Double, in range: ClosedRange<Double>, what: String)
        throws -> Double
    {
        guard let text = value(name) else { return fallback }
        guard let number = Double(text), number.isFinite, range.contains(number) else {
            throw BatchInviteError.usage("\(name) \"\(text)\" must be \(what)")
        }
        return number
    }

    /// A value that must be one of the option's choices (its spec's `.choices`).
    func choice(_ name: String) throws -> String? {
        guard let value = value(name) else { return nil }
        let choices = specs.first { $0.name == name }?.kind?.choices ?? []
        guard choices.contains(value) else {
            throw BatchInviteError.usage(
                "\(name) \"\(value)\" is not one of \(choices.joined(separator: ", "))")
        }
        return value
    }

    static func closest(to word: String, in candidates: [String]) -> String? {
        candidates.map { ($0, HeaderMatcher.editDistance(Array(word.utf8), Array($0.utf8))) }
            .filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }
}
