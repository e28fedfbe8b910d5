#!/usr/bin/env python3
"""Runs batch-invite on every file of Tests/EndToEndTests/Fixtures/people-files the way a
new user would, and prints the score as a Markdown table (for BENCHMARKS.md). The same
rules as PeopleFilesTests, which runs this script too and checks that both agree.

usage: people_files_score.py BINARY [--json PATH] [--fixtures DIR]

For each file: `batch-invite validate FILE --target T`, no other option, in a scratch
folder holding a copy of the file. While it stops (exit 2) with advice, the advice is
taken as printed and the command run again, at most 3 more times:
- a command line in the message (`batch-invite validate FILE ...`, also `run` or `inspect`)
  is taken whole: its input options replace the ones given so far (it works as printed);
- otherwise the options it offers are added: `--map "X=field"` (the first offered per
  field, replacing a map given for that field), `--where "C=V"` (the first per column),
  and `--role`, `--team-group-id`, `--skip-lines`, `--delimiter`, `--encoding`, `--format`
  (the first offered, when not given yet; "or" alternatives are not tried in turn).
  Advice offering nothing new is no advice.
The user knows one thing the tool cannot: their Sendoso team, so a `--team-group-id`
offered with a placeholder (`N`) is given as expected.json's team_group_id.

Then, when it went ahead (exit 0 or 1), `inspect` with the same options shows the known
row's mapped values and `validate --report-format jsonl` its status. Each file is:
- as-is: right with no option but --role and --team-group-id (which no people file
  carries: every Sendoso user gives them);
- by-advice: right after following other advice;
- wrong-values: the tool went ahead and the known row's values differ from the right ones
  (a name, an address, a role or team taken from a column that holds something else, or
  a value where the file has none), or the tool read another number of rows than Python:
  the worst outcome, whether the row is valid (it would be sent) or not;
- stopped: not right, and nothing wrong would be sent: the tool still stops after 3
  rounds, its advice does not work, or it refuses the known row for a wrong reason.
"Right" is expected.json's outcome: "values" (the known row valid with exactly the
expected values), or "refused" for a file that cannot be right for the target (no e-mail
address; no names; a full name that cannot be split): the tool stops (exit 2) naming
each missing field (and shows the header `shown` decoded right), or goes ahead with the
known row invalid for a reason naming a missing field, the missing fields empty and the
other expected values right. A stop after advice that maps a column to a field it does not
hold (a full name as first_name, say) is not right: the advice was wrong.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "EndToEndTests", "Fixtures", "people-files")
CHECKER = os.path.join(ROOT, "Tests", "EndToEndTests", "Checkers", "people_files.py")
MAX_ROUNDS = 3
CLASSES = ["as-is", "by-advice", "wrong-values", "stopped"]

# Input options and whether they may be given more than once.
REPEATED = {"--map", "--where"}
SINGLE = ["--role", "--team-group-id", "--skip-lines", "--delimiter", "--encoding", "--format"]
INPUT_OPTIONS = list(REPEATED) + SINGLE
# Options of `run` and `validate` that take a value and are not about reading the file.
OTHER_VALUED = {
    "--target", "--base-url", "--report", "--report-format", "--html", "--journal", "--ledger",
    "--concurrency", "--rate", "--limit", "--config", "--token-command", "--summary-json",
    "--metrics-file", "--already-invited", "--in-doubt", "--reinvite-after", "--timeout",
}
WORDS = {
    "to", "it", "the", "a", "an", "or", "and", "with", "for", "is", "if", "as", "so", "here",
    "again", "that", "of", "this", "otherwise", "instead", "when", "then", "see", "in", "by",
}
SEPARATORS = set(";()\n")


def tokens(text):
    """Shell-like words of `text`: a word that starts with " or ' is quoted to the next one
    (\\" and \\\\ escaped in "..."); the separators ; ( ) and line ends are tokens of their
    own, each as ("", True). Punctuation after a word (, . : ? !) is the message's, dropped."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in SEPARATORS:
            out.append(("", True))
            i += 1
            continue
        if c.isspace():
            i += 1
            continue
        word, quoted = [], False
        while i < n and not text[i].isspace() and text[i] not in SEPARATORS:
            c = text[i]
            if c in "\"'" and not word and not quoted:
                quoted = True
                i += 1
                while i < n and text[i] != c:
                    if c == '"' and text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\$`':
                        i += 1
                    word.append(text[i])
                    i += 1
                i += 1
                while i < n and text[i] in ",.:?!":
                    i += 1
            else:
                word.append(c)
                i += 1
        if not quoted:
            while word and word[-1] in ",.:?!":
                word.pop()
        if word or quoted:
            out.append(("".join(word), False))
    return out


def digits(text):
    return re.fullmatch(r"[0-9]+", text) is not None


def valid_value(option, value, team):
    """The value as the user gives it, or None when the word after the option is not one
    of its values (`--encoding to read it otherwise`)."""
    if value is None or value.startswith("--") or value.lower() in WORDS:
        return None
    if option == "--team-group-id":
        if digits(value):
            return value
        return str(team) if re.fullmatch(r"[A-Z][A-Z_]*", value) else None
    if option == "--skip-lines":
        return value if digits(value) else None
    if option in ("--map", "--where"):
        return value if "=" in value else None
    if option == "--role":
        if re.fullmatch(r"[A-Z]", value):
            return None
        return value if re.fullmatch(r"[A-Za-z_-]+", value) else None
    if option == "--delimiter":
        return value if len(value) == 1 or re.fullmatch(r"[a-z]+", value) else None
    if option == "--encoding":
        return value if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]*", value) else None
    if option == "--format":
        return value if re.fullmatch(r"[a-z]+", value) else None
    return None


def key(option, value):
    """What one option sets: --map its field, --where its column, the others themselves."""
    if option == "--map":
        return (option, value.split("=")[-1])
    if option == "--where":
        return (option, re.split(r"!?=", value, 1)[0])
    return (option, None)


def error_part(stderr):
    """The error and what follows it: notes and warnings before it are not advice."""
    lines = stderr.split("\n")
    for n, line in enumerate(lines):
        if line.startswith("batch-invite validate:"):
            return "\n".join(lines[n:])
    return stderr


def follow(stderr, given, team):
    """The options to run with next, following the advice in `stderr`; None when it
    offers nothing new."""
    message = error_part(stderr)
    command = re.search(r"batch-invite (?:validate|run|inspect)[ \t]", message)
    if command:
        line = []
        for word, separator in tokens(message[command.end():]):
            if separator:
                break
            line.append(word)
        options = command_options(line[1:], team)
        return options if options != given else None
    words = tokens(message)
    offered = []
    for n, (word, separator) in enumerate(words):
        if not separator and word in INPUT_OPTIONS and n + 1 < len(words) and not words[n + 1][1]:
            value = valid_value(word, words[n + 1][0], team)
            if value is not None:
                offered.append((word, value))
    options = list(given)
    taken = set()
    for option, value in offered:
        k = key(option, value)
        if (option, value) in options or k in taken:
            continue
        if option in REPEATED:
            options = [o for o in options if key(*o) != k] + [(option, value)]
        elif any(o == option for o, _ in options):
            continue
        else:
            options.append((option, value))
        taken.add(k)
    return options if options != given else None


def command_options(words, team):
    """The input options of a printed command line's words (after its FILE)."""
    options = []
    n = 0
    while n < len(words):
        word = words[n]
        following = words[n + 1] if n + 1 < len(words) else None
        if word in INPUT_OPTIONS:
            value = following
            if word == "--team-group-id" and not digits(value or ""):
                value = str(team)
            options.append((word, value or ""))
            n += 2
        elif word in OTHER_VALUED:
            n += 2
        else:
            n += 1
    return options


def flat(options):
    return [part for option in options for part in option]


def shown(options):
    """Options as a user would type them."""
    def quote(v):
        return v if re.fullmatch(r"[A-Za-z0-9_./:#@+-]+", v) else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return " ".join(f"{o} {quote(v)}" for o, v in options)


def run(binary, folder, arguments):
    """Exit status, standard output and standard error of `binary ARGUMENTS` in `folder`."""
    try:
        process = subprocess.run(
            [binary] + arguments, cwd=folder, capture_output=True, timeout=60,
            env={k: v for k, v in os.environ.items() if not k.startswith("BATCH_INVITE")})
    except subprocess.TimeoutExpired:
        return 124, "", "did not finish in 60 s"
    return (process.returncode, process.stdout.decode("utf-8", "replace"),
            process.stderr.decode("utf-8", "replace"))


def names(text, field):
    """Whether `text` names `field` (first_name also as "first name", either also as
    "full name"), not counting a "<target> needs: ..." list."""
    text = re.sub(r"[a-z-]+ needs: [^;\n]*", "", text)
    pattern = re.escape(field).replace("_", "[ _]")
    if field in ("first_name", "last_name"):
        pattern = f"(?:{pattern}|full[ _]name)"
    return re.search(r"(?:^|[^A-Za-z_])" + pattern, text, re.IGNORECASE) is not None


def json_lines(text):
    """The JSON objects of the lines of `text` (others are left out)."""
    out = []
    for line in text.split("\n"):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            out.append(value)
    return out


def last_line(text):
    lines = [l for l in text.split("\n") if l.strip()]
    return lines[-1] if lines else ""


def column(spec, headers):
    """The position of the column a --map or expected.json names: `#N`, or a header as
    written, else as the tool matches it (case and spaces aside); else the name itself."""
    if re.fullmatch(r"#[0-9]+", spec):
        return int(spec[1:]) - 1
    if spec in headers:
        return headers.index(spec)
    plain = [h.strip().lower() for h in headers]
    return plain.index(spec.strip().lower()) if spec.strip().lower() in plain else spec


def wrong_maps(given, entry, headers):
    """The --map options among `given` that name a column that does not hold the field."""
    mapping, also = entry["mapping"], entry.get("also_right", {})
    wrong = []
    for option, value in given:
        if option != "--map":
            continue
        spec, _, field = value.rpartition("=")
        right = [mapping.get(field), also.get(field)]
        if field in ("first_name", "last_name") and field not in mapping and "full_name" in mapping:
            right = []
        if column(spec, headers) not in [column(r, headers) for r in right if r is not None]:
            wrong.append(f'--map "{value}"')
    return " ".join(wrong)


def judge(binary, folder, entry, fact, team):
    """The outcome of one file: its class, the rounds run and why."""
    name, target = entry["file"], entry["target"]
    given = []
    rounds = []
    while True:
        status, _, stderr = run(binary, folder, ["validate", name, "--target", target] + flat(given))
        rounds.append({"options": shown(given), "status": status, "message": last_line(stderr)})
        if status != 2:
            break
        following = follow(stderr, given, team)
        if following is None or len(rounds) > MAX_ROUNDS:
            break
        given = following
    result = {"file": name, "target": target, "expected": entry["outcome"], "rounds": rounds,
              "options": shown(given), "would_send": False}

    def outcome(cls, detail):
        if cls == "right":
            plain = all(o in ("--role", "--team-group-id") for o, _ in given)
            cls = "as-is" if plain else "by-advice"
        result.update({"class": cls, "detail": detail})
        return result

    missing = entry.get("missing", [])
    if status == 2:
        if entry["outcome"] == "refused":
            message = error_part(stderr)
            unnamed = [f for f in missing if not names(message, f)]
            if unnamed:
                return outcome("stopped", f"stops without naming {', '.join(unnamed)} as missing")
            if entry.get("shown") and entry["shown"] not in stderr:
                return outcome("stopped", f"stops naming {', '.join(missing)} but does not show the header {entry['shown']!r} as written")
            wrong = wrong_maps(given, entry, fact["headers"])
            if wrong:
                return outcome("stopped", f"stops naming {', '.join(missing)}, after advice that maps a column to a field it does not hold: {wrong}")
            return outcome("right", f"stops: {', '.join(missing)} missing, as it should")
        why = "still stops after 3 rounds of advice" if len(rounds) > MAX_ROUNDS else "stops with no advice that works"
        return outcome("stopped", why)
    if status not in (0, 1):
        return outcome("stopped", f"exit {status}")

    status, out, err = run(binary, folder, ["inspect", name, "--target", target] + flat(given))
    if status != 0:
        return outcome("stopped", f"inspect exits {status}: {last_line(err)}")
    rows = json_lines(out)
    status, _, err = run(binary, folder, ["validate", name, "--target", target, "--report-format", "jsonl",
                                          "--report", "score-report.jsonl"] + flat(given))
    report = {}
    path = os.path.join(folder, "score-report.jsonl")
    if os.path.exists(path):
        for record in json_lines(open(path, encoding="utf-8", errors="replace").read()):
            report[record.get("row")] = record
    number = entry["known_row"]["row"]
    row = next((r for r in rows if r.get("row") == number), None)
    if row is None:
        return outcome("wrong-values", f"no row {number} among the {len(rows)} rows read")
    verdict = report.get(number, {})
    valid = verdict.get("status") == "valid"
    result["would_send"] = valid
    wrong = []

    def text(value):
        if value is None:
            return ""
        return value.strip() if isinstance(value, str) else json.dumps(value)

    for field, value in sorted(fact["known_row"]["expected"].items()):
        also = fact["known_row"]["also_right"].get(field)
        if text(row.get(field)) not in (value, also):
            wrong.append(f"{field} {text(row.get(field))!r} (right: {value!r})")
    if target == "sendoso":
        options = dict(given)
        for field, option in (("role", "--role"), ("team_group_id", "--team-group-id")):
            if text(row.get(field)) != options.get(option, ""):
                wrong.append(f"{field} {text(row.get(field))!r} from the file (no such column)")
    for field in missing:
        if text(row.get(field)):
            wrong.append(f"{field} {text(row.get(field))!r} (the file has none)")
    if len(rows) != fact["rows"]:
        wrong.append(f"{len(rows)} rows read (Python reads {fact['rows']})")
    problem = verdict.get("message", "")
    sent = "; the row is valid: it would be sent" if valid else f"; the row is {verdict.get('status', 'not reported')}: {problem}"
    if wrong:
        return outcome("wrong-values", f"row {number}: " + ", ".join(wrong) + sent)
    if entry["outcome"] == "refused":
        if valid:
            return outcome("wrong-values", f"row {number} is valid: it would be sent, but it cannot be right")
        if not any(names(problem, f) for f in missing):
            return outcome("stopped", f"row {number} refused for another reason: {problem}")
        return outcome("right", f"row {number} refused: {problem}")
    if not valid:
        return outcome("stopped", f"row {number} is {verdict.get('status', 'not reported')}: {problem}")
    return outcome("right", f"row {number} read right")


def score(binary, fixtures):
    expected = json.load(open(os.path.join(fixtures, "expected.json"), encoding="utf-8"))
    team = expected["team_group_id"]
    checker = subprocess.run([sys.executable, CHECKER, fixtures], capture_output=True, text=True)
    if checker.returncode != 0:
        sys.exit("people_files.py: " + checker.stderr)
    facts = {f["file"]: f for f in json.loads(checker.stdout)["files"]}
    results = []
    for entry in expected["files"]:
        folder = tempfile.mkdtemp(prefix="people-files-")
        try:
            shutil.copyfile(os.path.join(fixtures, entry["file"]), os.path.join(folder, entry["file"]))
            results.append(judge(binary, folder, entry, facts[entry["file"]], team))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    totals = {c: sum(1 for r in results if r["class"] == c) for c in CLASSES}
    return {"files": results, "totals": totals}


def markdown(score):
    def cell(text):
        return text.replace("|", "\\|").replace("\n", " ")
    lines = ["| file | outcome | options followed | what happened |", "|---|---|---|---|"]
    for r in score["files"]:
        options = f"`{cell(r['options'])}`" if r["options"] else ""
        lines.append(f"| `{r['file']}` | {r['class']} | {options} | {cell(r['detail'])} |")
    t = score["totals"]
    lines.append("")
    lines.append(f"{len(score['files'])} files: {t['as-is']} as-is, {t['by-advice']} by advice, "
                 f"{t['wrong-values']} with wrong values, {t['stopped']} stopped")
    return "\n".join(lines) + "\n"


def main(arguments):
    if not arguments or arguments[0].startswith("--"):
        sys.exit(__doc__)
    binary = os.path.abspath(arguments[0])
    json_path = fixtures = None
    rest = arguments[1:]
    while rest:
        option, value, rest = rest[0], rest[1], rest[2:]
        if option == "--json":
            json_path = value
        elif option == "--fixtures":
            fixtures = value
        else:
            sys.exit(f"unknown option {option}")
    result = score(binary, fixtures or FIXTURES)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as file:
            json.dump(result, file, ensure_ascii=False, indent=1)
    sys.stdout.write(markdown(result))


if __name__ == "__main__":
    main(sys.argv[1:])
