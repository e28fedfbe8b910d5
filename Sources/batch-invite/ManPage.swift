import BatchInvite

/// `batch-invite man`: the manual page batch-invite(1), in roff (man(7) macros), made
/// from the same tables as the parser and `--help`: each command's usage, description,
/// details, every option (with its value and, for a fixed list, its choices) and exit
/// codes. `man -l` reads it; the package installs it. Not in the tool's help.
struct ManCommand: Command {
    static let name = "man"
    static let summary = "print the manual page batch-invite(1) in roff"
    static let hidden = true
    static let readsConfig = false
    static let options: [OptionSpec] = []
    static let help = HelpText(
        usage: "batch-invite man",
        description: "Prints the manual page batch-invite(1), made from the option tables.",
        exitCodes: "  0    printed")

    init(_ arguments: Arguments) throws {
        guard arguments.positional.isEmpty else {
            throw BatchInviteError.usage("man takes no argument")
        }
    }

    func run() throws -> Int32 {
        StandardOutput.shared.write(ManPage.text)
        return ExitCode.success.code
    }
}

/// The roff text of batch-invite(1).
enum ManPage {
    /// The month of this version's release, for the page's header (changed with VERSION).
    static let releaseDate = "December 2026"

    static var text: String {
        var page = opening
        for command in commands where !command.hidden {
            page += section(command)
        }
        return page + closing
    }

    /// The page up to its commands: its header, name, synopsis and description.
    private static var opening: String {
        """
        .TH BATCH\\-INVITE 1 "\(releaseDate)" "batch-invite \(toolVersion)" "User Commands"
        .SH NAME
        batch-invite \\- send invitations in bulk from a spreadsheet, with a report row by row
        .SH SYNOPSIS
        .B batch-invite
        .I COMMAND
        .RI [ options ]
        .br
        .B batch-invite
        .RB [ \\-\\-help " | " \\-\\-version ]
        .SH DESCRIPTION
        .B batch-invite
        reads a CSV, JSON Lines or JSON file of people, checks every row, and sends one
        invitation request per valid row to an invitation API (Sendoso's "Invite New
        User", CyberArk Identity's "Send Invitation SMS") through a bounded pool of
        concurrent requests under a rate limit, with retries, a crash-safe journal that a
        run resumes from, and a report that says, row by row, what happened.
        .SH COMMANDS

        """
    }

    /// The page after its commands: exit status, environment, files, examples.
    private static var closing: String {
        """
        .SH EXIT STATUS
        .nf
        \(escaped(ExitCode.summary))
        .fi
        .SH ENVIRONMENT
        .TP
        .B BATCH_INVITE_TOKEN
        The API token of
        .BR run ,
        unless
        .B \\-\\-token\\-env
        names another variable or another token source is given.
        .TP
        .BR HTTPS_PROXY ", " https_proxy ", " ALL_PROXY ", " NO_PROXY ", " no_proxy
        The proxy a run's requests go through, as curl reads them.
        .TP
        .BR NO_COLOR ", " TERM
        The live progress line is cleared with an escape sequence only on a terminal
        whose
        .B TERM
        is set and not
        .BR dumb ,
        with
        .B NO_COLOR
        unset or empty.
        .SH FILES
        .TP
        .I <report>.journal
        The journal of a run (next to its report unless
        .B \\-\\-journal
        is given): every row's outcome as it happens; the same command resumes from it.
        .TP
        .I /usr/share/doc/batch-invite/
        The README, the example configuration and the changelog.
        .SH EXAMPLES
        .nf
        batch-invite validate hr.csv \\-\\-target sendoso
        BATCH_INVITE_TOKEN=... batch-invite run hr.csv \\-\\-target sendoso \\e
            \\-\\-base-url https://app.sendoso.com \\-\\-role regular \\-\\-dry\\-run
        batch-invite status \\-\\-journal hr.csv.report.csv.journal
        .fi
        .SH SEE ALSO
        The README in
        .I /usr/share/doc/batch-invite/
        explains every option, the report, the journal and the ledger, scheduling, and
        the two APIs.

        """
    }

    /// One command's subsection: usage, description, details, options, exit codes.
    private static func section(_ command: any Command.Type) -> String {
        let help = command.help
        var text = ".SS \"batch-invite \(command.name)\"\n"
        text += ".nf\n" + escaped("usage: " + help.usage) + "\n.fi\n"
        text += paragraphs(help.description)
        if !help.details.isEmpty { text += paragraphs(help.details) }
        if !command.options.isEmpty {
            text += ".PP\nOptions:\n"
            for option in command.options {
                text += ".TP\n" + label(option) + "\n" + escaped(Self.help(of: option)) + "\n"
            }
        }
        text += ".PP\nExit codes:\n.nf\n" + escaped(help.exitCodes) + "\n.fi\n"
        if !help.example.isEmpty {
            text += ".PP\nExample:\n.nf\n" + escaped(help.example) + "\n.fi\n"
        }
        return text
    }

    /// An option's help, its choices and repeatability said where the help does not.
    private static func help(of option: OptionSpec) -> String {
        var text = option.help
        if option.repeatable && !text.contains("repeatable") { text += " (repeatable)" }
        return text
    }

    /// `.BI \-\-target " NAME"` or `.B \-\-dry\-run`.
    private static func label(_ option: OptionSpec) -> String {
        let name = escaped(option.name)
        guard let value = option.value else { return ".B \(name)" }
        return ".BI \(name) \" \(escaped(value).replacingOccurrences(of: "\"", with: "\\(dq"))\""
    }

    /// Text paragraphs (blank-line separated) as `.PP` blocks, lines joined for filling.
    private static func paragraphs(_ text: String) -> String {
        text.components(separatedBy: "\n\n").map { block in
            ".PP\n"
                + block.split(separator: "\n").map { escaped(String($0)) }.joined(separator: "\n")
                + "\n"
        }.joined()
    }

    /// `text` safe in roff: backslashes as `\e`, hyphens as `\-` (so that options copy
    /// and search as typed), a line starting with `.` or `'` escaped with `\&`.
    static func escaped(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var out = line.replacingOccurrences(of: "\\", with: "\\e")
                .replacingOccurrences(of: "-", with: "\\-")
            if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
            return out
        }.joined(separator: "\n")
    }
}
