import BatchInvite

/// `run`'s options and help.
extension RunCommand {
    static let options: [OptionSpec] =
        [InputArguments.targetSpec] + deliverySpecs
        + CredentialArguments.specs + stateSpecs + NightlyArguments.specs
        + InputArguments.specs + [InputArguments.varSpec] + ReportArguments.specs
        + JobOutputs.specs
        + Verbosity.runSpecs + ConfigFile.specs

    /// Where requests go and how fast.
    private static let deliverySpecs: [OptionSpec] = [
        OptionSpec(
            name: "--base-url", value: "URL",
            help: "the API's base URL (https://, or http:// on loopback)", group: .common,
            kind: .text),
        OptionSpec(
            name: "--rate", value: "R",
            help: "requests per second, decimals allowed, 0 for no limit (default: the target's "
                + "documented safe rate, 10)", group: .common, kind: .number),
        OptionSpec(
            name: "--concurrency", value: "N", help: "requests in flight at most (default 8)",
            group: .common, kind: .number),
        OptionSpec(
            name: "--limit", value: "N",
            help: "send at most N rows in this run (a canary, a daily quota); the same "
                + "command goes on from there", group: .common,
            kind: .number),
        OptionSpec(
            flag: "--dry-run",
            help: "send nothing: report what the run would do with each row (a plan)",
            group: .common),
        OptionSpec(
            flag: "--check-connection",
            help: "with --dry-run: get a token, make the TLS handshake with the API, say what "
                + "worked; FILE is then optional", group: .common),
        OptionSpec(
            name: "--check-path", value: "P",
            help: "with --check-connection: also GET this path with the token",
            group: .advanced, kind: .text),
        OptionSpec(
            name: "--path", value: "P",
            help: "request path (default: the target's, e.g. /api/v3/users)", group: .advanced,
            kind: .text),
        OptionSpec(
            name: "--burst", value: "B",
            help: "requests that may go at once after a pause (default 1)", group: .advanced,
            kind: .number),
        OptionSpec(
            name: "--max-attempts", value: "N",
            help: "attempts per row, the first included (default 5)", group: .advanced,
            kind: .number),
        OptionSpec(
            name: "--timeout", value: "SECONDS",
            help: "deadline of one attempt, connecting included (default 30)",
            group: .advanced, kind: .number),
        OptionSpec(
            name: "--connect-timeout", value: "SECONDS",
            help: "deadline of connecting, TLS included (default 10)", group: .advanced,
            kind: .number),
        OptionSpec(
            name: "--max-retry-after", value: "SECONDS",
            help: "longest Retry-After honoured (default 120)", group: .advanced, kind: .number),
        OptionSpec(
            name: "--cacert", value: "FILE",
            help: "also trust the CA certificates in this PEM file (a private CA or a "
                + "TLS-inspecting proxy)", group: .advanced, kind: .file),
        OptionSpec(
            flag: "--cacert-only", help: "trust only --cacert's certificates, not the system's",
            group: .advanced),
        OptionSpec(
            name: "--progress", choices: ["auto", "bar", "log", "none"],
            help: "progress on stderr (default auto; none with --quiet)", group: .advanced),
        OptionSpec(
            flag: "--allow-insecure-http", help: "allow http:// to a host that is not loopback",
            group: .advanced),
    ]

    /// What the run remembers: its journal and the job's ledger.
    private static let stateSpecs: [OptionSpec] = [
        OptionSpec(
            name: "--ledger", value: "PATH",
            help: "a file shared by every run of a job: keys invited (not sent again) and in "
                + "doubt, across inputs and nights", group: .common, kind: .file),
        OptionSpec(
            name: "--journal", value: "PATH",
            help: "the run's journal (default: <report path>.journal)", group: .advanced,
            kind: .file),
        OptionSpec(
            name: "--reinvite-after", value: "DAYS",
            help: "with --ledger: send again to keys invited at least DAYS ago",
            group: .advanced, kind: .number),
        OptionSpec(
            name: "--already-invited", choices: ["done", "fail"],
            help: "a row the API says already has an invitation: already_invited, counted as "
                + "done (default), or failed", group: .advanced),
        OptionSpec(
            name: "--in-doubt", choices: ["retry", "skip"],
            help: "rows that may have arrived: send again (default) or report in_doubt",
            group: .advanced),
        OptionSpec(
            flag: "--retry-failed",
            help: "on resuming, send again rows that failed on transient errors",
            group: .advanced),
        OptionSpec(
            flag: "--restart",
            help: "start a new journal (the old one set aside as <journal>.<its start time>; "
                + "people it invited are already_invited, those in doubt follow --in-doubt)",
            group: .advanced),
        OptionSpec(
            flag: "--reinvite",
            help: "send again to people the journal set aside by --restart had invited",
            group: .advanced),
    ]

    static let help = HelpText(
        usage: "batch-invite run FILE --target \(Targets.names) --base-url URL [options]",
        description: """
            Sends one invitation per valid row of FILE (CSV or JSON Lines; - for standard
            input): at most --concurrency at a time, never faster than --rate, retrying
            connection errors, timeouts, 408, 429, 500 and 502-504 with exponential
            backoff and full jitter, honouring Retry-After. Every row's outcome goes to the
            journal as it happens, so the same command resumes a run that stopped; the
            report (one line per row, in input order) is written at the end.

            The token comes from one source, never from the command line:
            $BATCH_INVITE_TOKEN (or --token-env NAME), --token-file PATH, --token-command
            CMD, or OAuth client credentials (--oauth-token-url URL --client-id ID
            --client-secret-env NAME). No token or secret appears in any output or file.
            """,
        details: """
            A row is sent only once the journal holds it on disk. A run killed midway leaves
            in doubt only the rows whose requests were under way (after a restart of the
            machine, also up to --concurrency rows that were waiting on disk to be sent).

            --token-file is read again after a 401 (a rotated file); --token-command (a
            secret manager's CLI or a script) runs again before the token expires and after
            a 401; OAuth tokens are renewed when a tenth of their lifetime is left and after
            a 401. A 401 for a token that was since renewed is sent again with the new one.

            The first request goes alone; the others follow once the API has answered it.
            If it gets no answer (unknown host, refused connection, untrusted certificate)
            the run stops with nothing else sent. Redirects are never followed: a 3xx fails
            its row (at the first request it stops the run). A proxy comes from HTTPS_PROXY
            (or https_proxy, ALL_PROXY; http_proxy for http://), minus NO_PROXY; loopback
            is never proxied.

            A 401 that a renewed token does not cure, or a 403, stops the run (exit 3): rows
            not attempted are reported not_sent. So does an outage (20 rows in a row failing
            on transient errors, exit 5), or a token source that fails (exit 3 when it
            refused the credentials, 5 when it could not be reached).

            --dry-run --check-connection sends no invitation: it gets a token, makes the TLS
            handshake with the API and, with --check-path, one authenticated GET, and says
            what worked (exit 0, or the code of what failed).
            """,
        exitCodes: """
              0    every row invited or already invited (or left out by --where)
              1    finished; some rows not invited, invalid or duplicate (see the report)
              2    usage, configuration or input error; nothing sent
              3    the credentials were rejected (by the API: 401/403, or by the token
                   source); the same command resumes once they are fixed
              4    stopped at --limit; the same command sends the rest
              5    the API or the token source unreachable or down, or the journal held
                   by another run; run the same command later
              6    an output or the journal could not be written (disk full, standard
                   output); the journal says what was sent and the same command resumes
              129/130/143  interrupted by SIGHUP/SIGINT/SIGTERM; the same command resumes
            """,
        example: """
              BATCH_INVITE_TOKEN=... batch-invite run people.csv --target sendoso \\
                  --base-url https://app.sendoso.com --role regular
            """)
}
