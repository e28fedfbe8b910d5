#!/usr/bin/env python3
"""Reads every file of Fixtures/people-files with Python's own csv and json modules, as
expected.json says each is written (encoding, delimiter, header line, where the JSON
rows are), and checks the expectations typed there against the file: the known row's
expected values are its cells (trimmed) under the right mapping, a full name split at
its last word where the file has only a full name, the known row passes the file's
filters (--where), and the header a stop must show is in the header. Prints a JSON
manifest of what it read (headers, rows, the known row's line and cells) for PeopleFilesTests and
people_files_score.py, or with --markdown the table of README.md.

Rows are data records after the header, those whose cells are all empty or blank
skipped (as batch-invite skips them); JSON Lines: non-blank lines; JSON: the elements
of the array (of the object's "users" for a wrapped export).

usage: people_files.py [--markdown] [FIXTURES_DIR]
Exits 1 naming each expectation the files contradict.
"""
import csv
import io
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(os.path.dirname(HERE), "Fixtures", "people-files")

ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8, BOM",
    "utf-16": "UTF-16LE, BOM",
    "cp932": "Shift_JIS (CP932)",
    "cp949": "CP949 (EUC-KR)",
    "cp1250": "windows-1250",
    "cp1251": "windows-1251",
    "cp1253": "windows-1253",
    "cp1254": "windows-1254",
    "cp1255": "windows-1255",
    "cp1256": "windows-1256",
    "gb18030": "GB18030 (GBK)",
    "big5": "Big5",
}


def records(entry, data):
    """(header or None, [(line, record)]) of a file's data records, blank ones skipped.
    A CSV record's line is the file's line it starts on; a JSON Lines record's its line;
    a JSON element's its index from 1."""
    read = entry["read"]
    if read["format"] == "csv":
        text = data.decode(read["encoding"])
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=read["delimiter"])
        numbered = []
        line = 1
        for record in reader:
            numbered.append((line, record))
            line = reader.line_num + 1
        header_at = read["header_record"]
        header = numbered[header_at - 1][1] if header_at else None
        body = [(n, r) for n, r in numbered[header_at:] if any(c.strip() for c in r)]
        return header, body
    text = data.decode("utf-8-sig")
    if read["format"] == "jsonl":
        lines = text.splitlines()
        return None, [(n + 1, json.loads(l)) for n, l in enumerate(lines) if l.strip()]
    document = json.loads(text)
    rows = document if read["rows"] == "." else document[read["rows"]]
    return None, [(n + 1, r) for n, r in enumerate(rows)]


def line_ends(entry, data):
    """The kinds of line end in the file's text (CRLF, LF, CR), or "one line"."""
    encoding = entry["read"].get("encoding", "utf-8-sig")
    text = data.decode(encoding)
    crlf = text.count("\r\n")
    kinds = [k for k, n in (("CRLF", crlf), ("LF", text.count("\n") - crlf), ("CR", text.count("\r") - crlf)) if n]
    ending = "" if text.endswith(("\n", "\r")) else ", no final line end"
    return ("mixed " + "+".join(kinds) if len(kinds) > 1 else kinds[0] if kinds else "one line") + ending


def cell(header, record, spec):
    """The value of column `spec` (header text, `#N`, or a dotted JSON path) in `record`,
    as text; None where the record has no such cell."""
    if isinstance(record, list):
        if spec.startswith("#") and spec[1:].isdigit():
            index = int(spec[1:]) - 1
        else:
            matches = [i for i, h in enumerate(header or []) if h == spec]
            if len(matches) != 1:
                raise ValueError(f"column {spec!r} names {len(matches)} columns")
            index = matches[0]
        return record[index] if index < len(record) else None
    value = record
    for part in spec.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def split_full_name(full):
    """First and last name of a full name: the last word is the last name."""
    words = full.split()
    return " ".join(words[:-1]), (words[-1] if words else "")


def passes(header, record, filters):
    """Whether `record` passes every `COLUMN=VALUE` / `COLUMN!=VALUE` (VALUE a comma list)."""
    for condition in filters:
        negated = "!=" in condition
        column, _, values = condition.partition("!=" if negated else "=")
        value = cell(header, record, column)
        inside = (value or "") in values.split(",")
        if inside == negated:
            return False
    return True


def expected_value(entry, cells, field, column=None):
    mapping = entry["mapping"]
    if column is not None:
        return (cells.get(column) or "").strip()
    if field in mapping:
        return (cells.get(mapping[field]) or "").strip()
    if field in ("first_name", "last_name") and "full_name" in mapping:
        first, last = split_full_name(cells.get(mapping["full_name"]) or "")
        return first if field == "first_name" else last
    return None


def check(entry, folder, problems):
    name = entry["file"]
    data = open(os.path.join(folder, name), "rb").read()
    header, body = records(entry, data)
    known = entry["known_row"]
    line, record = body[known["row"] - 1]
    columns = dict(entry["mapping"])
    for field, column in entry.get("also_right", {}).items():
        columns["also:" + field] = column
    cells = {}
    for column in columns.values():
        try:
            cells[column] = cell(header, record, column)
        except ValueError as error:
            problems.append(f"{name}: {error}")
    for field, value in known["expected"].items():
        got = expected_value(entry, cells, field)
        if got != value:
            problems.append(f"{name}: row {known['row']} {field}: expected.json says {value!r}, the file {got!r}")
    also = {}
    for field, column in entry.get("also_right", {}).items():
        also[field] = expected_value(entry, cells, field, column)
    if not passes(header, record, entry["filters"]):
        problems.append(f"{name}: row {known['row']} does not pass {entry['filters']}")
    shown = entry.get("shown")
    if shown is not None:
        names = header if header is not None else body[0][1] if isinstance(body[0][1], list) else list(body[0][1].keys())
        if not any(shown in h for h in names):
            problems.append(f"{name}: {shown!r} is in no header of {names}")
    kept = sum(1 for _, r in body if passes(header, r, entry["filters"]))
    if header is not None:
        headers = header
    else:
        headers = list(body[0][1].keys()) if body and isinstance(body[0][1], dict) else []
    return {
        "file": name,
        "headers": headers,
        "line_ends": line_ends(entry, data),
        "rows": len(body),
        "rows_kept": kept,
        "known_row": {
            "row": known["row"],
            "line": line,
            "cells": cells,
            "expected": known["expected"],
            "also_right": also,
        },
    }


def code(text):
    """Text as a Markdown code span (a table cell)."""
    text = text.replace("|", "\\|")
    return f"``{text}``" if "`" in text else f"`{text}`"


def markdown(expected, facts):
    lines = [
        "| file | system / export | source (repository @ commit, path) | license | committed | encoding | format | rows | right mapping | known row: expected | not people (`--where`) | what is hard in it |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in expected["files"]:
        fact = facts[entry["file"]]
        source = entry["source"]
        read = entry["read"]
        if read["format"] == "csv":
            encoding = ENCODING_NAMES[read["encoding"]]
            delimiter = {",": "comma", ";": "semicolon", "\t": "tab"}[read["delimiter"]]
            fmt = f"CSV, {delimiter}" + (f", header on line {read['header_record']}" if read["header_record"] != 1 else "")
            if read["header_record"] == 0:
                fmt = f"CSV, {delimiter}, no header"
        else:
            encoding = "UTF-8"
            fmt = "JSON Lines" if read["format"] == "jsonl" else (
                "JSON array" if read["rows"] == "." else f"JSON object, array under `{read['rows']}`")
        fmt += ", " + fact["line_ends"]
        mapping = ", ".join(f"{field}={code(column)}" for field, column in entry["mapping"].items())
        if entry.get("also_right"):
            mapping += " (or " + ", ".join(f"{f}={code(c)}" for f, c in entry["also_right"].items()) + ")"
        known = entry["known_row"]
        values = [f"{field} {code(value)}" for field, value in known["expected"].items()]
        cells = fact["known_row"]["cells"]
        values += [f"{field} (cell {code(cells[column]) if cells[column] else 'empty'})"
                   for field, column in entry["mapping"].items() if field not in known["expected"]]
        outcome = f"row {known['row']}: {', '.join(values)}"
        if entry["outcome"] == "refused":
            missing = entry["missing"]
            outcome += (f"; cannot be right for {entry['target']}: the tool must say {', '.join(missing)} "
                        f"{'is' if len(missing) == 1 else 'are'} missing")
        if entry["target"] != "sendoso":
            outcome += f" (target {entry['target']})"
        rows = str(fact["rows"]) + (f" ({fact['rows_kept']} kept)" if entry["filters"] else "")
        where = " ".join(code(f'--where "{f}"') for f in entry["filters"])
        lines.append(
            f"| `{entry['file']}` | {entry['system']} | [{source['repository']}@{source['commit'][:10]}]({source['url']}) "
            f"`{source['path']}` | {entry['license']} | {entry['committed']} | {encoding} | {fmt} | {rows} | "
            f"{mapping} | {outcome} | {where} | {entry['note'].replace('|', chr(92) + '|')} |")
    return "\n".join(lines) + "\n"


def main(arguments):
    as_markdown = "--markdown" in arguments
    rest = [a for a in arguments if a != "--markdown"]
    folder = rest[0] if rest else DEFAULT_DIR
    expected = json.load(open(os.path.join(folder, "expected.json"), encoding="utf-8"))
    problems = []
    facts = {}
    for entry in expected["files"]:
        try:
            facts[entry["file"]] = check(entry, folder, problems)
        except Exception as error:  # a file that cannot be read as described
            problems.append(f"{entry['file']}: {type(error).__name__}: {error}")
    listed = {e["file"] for e in expected["files"]}
    for name in sorted(os.listdir(folder)):
        if name not in listed and name not in ("expected.json", "README.md", ".gitattributes"):
            problems.append(f"{name}: not in expected.json")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if as_markdown:
        sys.stdout.write(markdown(expected, facts))
    else:
        print(json.dumps({"files": [facts[e["file"]] for e in expected["files"]]}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
