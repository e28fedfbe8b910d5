import BatchInvite
import Foundation

/// `--config FILE`: a job's options in a file, one `name = value` a line (the long option's
/// name without its dashes; a flag is `name = true`, or its name alone), `#` starting a
/// comment. Options on the command line win over the file's. One file serves every job
/// command: a key another of them takes is ignored by one that does not (and named by
/// `--print-config`); a key none takes stops it. A secret cannot be written
/// in it, only where to find one (`token-env`, `token-file`, `token-command`,
/// `client-secret-env`, `client-secret-file`). A file that someone else than the user
/// running (or root) could change or replace is not read at all (`TrustedFile`).
enum ConfigFile {
    static let specs: [OptionSpec] = [
        OptionSpec(
            name: "--config", value: "FILE",
            help:
                "read options from FILE (name = value a line; the command line wins; keys of "
                + "other commands ignored)", group: .common, kind: .file),
        OptionSpec(
            flag: "--print-config",
            help: "print the options in force (config file and command line), and the file's "
                + "keys this command ignores, and exit", group: .advanced),
    ]

    /// Names that would hold a secret itself.
    private static let secretNames: Set<String> = [
        "token", "bearer-token", "access-token", "client-secret", "secret", "password", "api-key",
    ]

    /// The options of the file at `path` that `specs` (the command's) take, and the keys
    /// that only other job commands take (`ignored`); a key none takes is an error.
    static func read(_ path: String, specs: [OptionSpec]) throws -> (
        options: [(name: String, value: String)], ignored: [String]
    ) {
        let text = try trustedText(path)
        var options: [(String, String)] = []
        var ignored: [String] = []
        var seen = Set<String>()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            let place = "--config \(path), line \(index + 1)"
            guard let (name, value) = try entry(raw, place: place) else { continue }
            let own = name != "config" && name != "print-config"
            guard let spec = specs.first(where: { $0.name == "--" + name }), own else {
                guard own, configOptions.contains(where: { $0.name == "--" + name }) else {
                    throw unknown(name, place: place)
                }
                if !ignored.contains(name) { ignored.append(name) }
                continue
            }
            guard let placeholder = spec.value else {
                switch value?.lowercased() {
                case nil, "true", "yes", "on": options.append((spec.name, ""))
                case "false", "no", "off": break
                default:
                    throw BatchInviteError.usage("\(place): \(name) is a flag: true or false")
                }
                continue
            }
            guard let value, !value.isEmpty else {
                throw BatchInviteError.usage(
                    "\(place): \(name) needs a value (\(name) = \(placeholder))")
            }
            if !seen.insert(spec.name).inserted && !spec.repeatable {
                throw BatchInviteError.usage("\(place): \(name) is given more than once")
            }
            options.append((spec.name, value))
        }
        return (options, ignored)
    }

    /// The text of the config file at `path`, read only when no one but the user and root
    /// can change it: whatever it holds, a config file can run a command (token-command)
    /// or send the token and the client secret elsewhere (base-url, oauth-token-url,
    /// cacert).
    private static func trustedText(_ path: String) throws -> String {
        let file: TrustedFile
        do {
            file = try TrustedFile(path: path)
        } catch let problem as TrustedFile.Problem {
            throw BatchInviteError.usage(
                "--config \(path): \(problem.reason), and a config file can run a command "
                    + "(token-command) or send the token elsewhere (base-url); it is not read. "
                    + "Run: \(problem.fix)")
        } catch {
            throw BatchInviteError.usage("--config \(path): \(error)")
        }
        guard let text = String(validating: file.contents, as: UTF8.self) else {
            throw BatchInviteError.usage("--config \(path): cannot read it as UTF-8 text")
        }
        return text
    }

    /// A line's name (without dashes) and value (nil for a name alone); nil for a blank
    /// line or a comment. A secret's name is refused.
    private static func entry(_ raw: Substring, place: String) throws -> (String, String?)? {
        let line = raw.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
        guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
        var name = line
        var value: String?
        if let equals = line.firstIndex(of: "=") {
            name = line[..<equals].trimmingCharacters(in: .whitespaces)
            value = unquoted(
                line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces))
        }
        if name.hasPrefix("--") { name.removeFirst(2) }
        if secretNames.contains(name.lowercased()) {
            throw BatchInviteError.usage(
                "\(place): a secret cannot be written in a config file; give where to find it "
                    + "instead (token-env, token-file, token-command, client-secret-env, "
                    + "client-secret-file)")
        }
        return (name, value)
    }

    /// A key no job command takes, with the nearest that one does.
    private static func unknown(_ name: String, place: String) -> BatchInviteError {
        var message = "\(place): unknown option \"\(name)\""
        let names = configOptions.map(\.name).filter { $0 != "--config" && $0 != "--print-config" }
        if let guess = Arguments.closest(to: "--" + name, in: names) {
            message += "; did you mean \(guess.dropFirst(2))?"
        }
        return BatchInviteError.usage(message)
    }

    /// A value in double or single quotes loses them (`map = "First name=first_name"`).
    private static func unquoted(_ value: String) -> String {
        guard value.count >= 2, let first = value.first, first == "\"" || first == "'",
            value.last == first
        else { return value }
        return String(value.dropFirst().dropLast())
    }

    /// The options in force, one `name = value` a line, as a config file would hold them,
    /// after a comment naming the file's keys `command` ignores.
    static func describe(_ arguments: Arguments, specs: [OptionSpec], command: String) -> String {
        var text = ""
        if !arguments.ignoredConfigKeys.isEmpty {
            text +=
                "# ignored by \(command) (for other commands): "
                + arguments.ignoredConfigKeys.joined(separator: ", ") + "\n"
        }
        if !arguments.positional.isEmpty {
            text += "# FILE: " + arguments.positional.joined(separator: " ") + "\n"
        }
        for spec in specs where spec.name != "--config" && spec.name != "--print-config" {
            let name = String(spec.name.dropFirst(2))
            if spec.value == nil {
                if arguments.has(spec.name) { text += "\(name) = true\n" }
                continue
            }
            for given in arguments.all(spec.name) {
                // A password in a URL is not printed (run refuses it: checkURL).
                let value = given.contains("://") ? Redactor.hidingUserInfo(given) : given
                let needsQuotes =
                    value.contains("=") || value.hasPrefix(" ") || value.hasSuffix(" ")
                    || value.contains("#")
                text += "\(name) = " + (needsQuotes ? "\"\(value)\"" : value) + "\n"
            }
        }
        return text
    }
}
