#!/usr/bin/env python3
"""The Python baseline for `make bench`: the same validation and report as
`batch-invite validate --target sendoso`, with the csv (or json) module.

usage: baseline_validate.py INPUT REPORT
"""
import csv
import json
import re
import sys

EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
                   r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$")
ALIASES = {"firstname": "first_name", "givenname": "first_name", "lastname": "last_name", "surname": "last_name",
           "familyname": "last_name", "email": "email", "emailaddress": "email", "mail": "email", "role": "role",
           "teamgroupid": "team_group_id", "teamid": "team_group_id", "team": "team_group_id"}
EMAIL_NO_DOT = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def normalize(header):
    return re.sub(r"[\s_-]", "", header.lower())


def check(values):
    problems = []
    for name in ("first_name", "last_name"):
        v = values.get(name, "").strip()
        if not v:
            problems.append(f"{name}: is empty")
        elif CONTROL.search(v):
            problems.append(f'{name}: "{v}" contains a control character')
        elif len(v) > 255:
            problems.append(f"{name}: is {len(v)} characters long, at most 255 are allowed")
    email = values.get("email", "").strip()
    if not email:
        problems.append("email: is empty")
    elif not email.isascii():
        problems.append(f'email: "{email}" is not an email address (only ASCII characters are accepted)')
    elif len(email) > 254:
        problems.append(f"email: is {len(email)} characters long, at most 254 are allowed")
    elif not EMAIL.match(email):
        problems.append(f'email: "{email}" is not an email address'
                        + (" (the domain has no dot)" if EMAIL_NO_DOT.match(email) else ""))
    role = values.get("role", "").strip()
    if not role:
        problems.append("role: is empty, it must be regular or manager")
    elif role.lower() not in ("regular", "manager"):
        problems.append(f'role: "{role}" must be regular or manager')
    team = str(values.get("team_group_id", "")).strip()
    if not team:
        problems.append("team_group_id: is empty")
    elif not (team.isdigit() and team.isascii() and 0 < int(team) < 2**63):
        problems.append(f'team_group_id: "{team}" must be a whole number from 1 to 9223372036854775807')
    return email.lower(), problems


def rows(path):
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            for line_number, line in enumerate(f, 1):
                if line.strip():
                    yield line_number, {k: ("" if v is None else v) for k, v in json.loads(line).items()}
        return
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [ALIASES.get(normalize(h), h) for h in next(reader)]
        for record in reader:
            if any(record):
                yield reader.line_num, dict(zip(header, record))


def main():
    seen = {}
    counts = {"valid": 0, "invalid": 0, "duplicate": 0}
    with open(sys.argv[2], "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["row", "line", "key", "status", "http_status", "message", "invitation_status",
                         "expires_at", "attempts"])
        for row, (line, values) in enumerate(rows(sys.argv[1]), 1):
            key, problems = check(values)
            if problems:
                status, message = "invalid", "; ".join(problems)
            elif key in seen:
                status, message = "duplicate", f"same email as row {seen[key]}"
            else:
                seen[key] = row
                status, message = "valid", ""
            counts[status] += 1
            writer.writerow([row, line, key, status, "", message, "", "", ""])
    print(f"{sum(counts.values())} rows: {counts['valid']} valid, {counts['invalid']} invalid, "
          f"{counts['duplicate']} duplicate")


if __name__ == "__main__":
    main()
