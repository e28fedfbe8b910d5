#!/usr/bin/env python3
"""Writes a messy benchmark input for `make bench`: a Sendoso CSV shaped like real HR
exports, and the same people as JSON Lines.

- names with accents and apostrophes (Émile, Zoë, Müller, García, O'Brien, ...);
- 10% of e-mail addresses padded with blanks and upper-cased;
- roles as `Manager`, `REGULAR`, ` regular `, `regular`, `manager`;
- 10% of team IDs padded with blanks;
- INVALID (a fraction) of rows invalid, spread over every field;
- 3% duplicates: an earlier address again, differing in case and blanks;
- with --trimmed, every cell trimmed beforehand (case left as it is);
- with --narrow, no department column (shorter rows, so more rows to a megabyte).

Deterministic: the same arguments give the same bytes.

usage: generate_messy.py ROWS OUT.csv OUT.jsonl INVALID [--trimmed] [--narrow]
"""
import json
import random
import sys

FIRST = ["Émile", "Zoë", "José", "François", "Søren", "Björk", "Łukasz", "Ana", "Chloé", "Mårten",
         "Ada", "Grace", "Alan", "Siobhán", "Nuño", "Dvořák", "Renée", "Jürgen", "Inés", "Noël",
         "Mary", "John", "Priya", "Wei", "Olúwaseun", "Ayşe", "Hélène", "Tomás", "Åsa", "Kenji"]
LAST = ["Müller", "García", "O'Brien", "Núñez", "Ångström", "Nguyễn", "Kowalski", "D'Angelo",
        "Fernández", "Østergaard", "Smith", "Johnson", "Lefèvre", "Çelik", "Schäfer", "van der Berg",
        "MacDonald", "Håkansson", "Peña", "Dubois", "O'Neil", "Brontë", "Zieliński", "Yılmaz"]
PLAIN = str.maketrans("ÉéëèêóòôöøØÅåÄäÆæüÜúùñÑíìïçÇśŁłřşİıðßčćžšđýőűũ", "eeeeeooooooAaAaAauUuunNiiicCsLlrsIidscczsdyouu")
DOMAINS = ["example.com", "Example.org", "corp.example.net", "mail.example.co.uk"]
DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "R&D", "Support", "Operations"]
ROLES = ["Manager", "REGULAR", " regular ", "regular", "manager", "Regular"]
TEAMS = ["1234", "5678", "9012", "3456"]


def quote(value):
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def ascii_name(text):
    text = text.translate(PLAIN)
    return "".join(c for c in text.lower() if c.isascii() and (c.isalnum() or c in "-."))


def invalid(rng, person):
    """Makes one field of `person` wrong, any field."""
    field = rng.randrange(8)
    if field == 0:
        person["email"] = person["email"].replace("@", "")
    elif field == 1:
        person["email"] = person["email"].replace(".", " ", 1)
    elif field == 2:
        person["email"] = "josé.núñez@" + rng.choice(DOMAINS)
    elif field == 3:
        person["first_name"] = rng.choice(["", "  "])
    elif field == 4:
        person["last_name"] = ""
    elif field == 5:
        person["role"] = rng.choice(["admin", "Owner", " super user ", ""])
    elif field == 6:
        person["team_group_id"] = rng.choice(["12a", "0", "-5", "", " 12 34 "])
    else:
        person["role"] = "admin"
        person["team_group_id"] = "x"


def main():
    rows, csv_path, jsonl_path, invalid_share = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
    trimmed = "--trimmed" in sys.argv[5:]
    columns = ["first_name", "last_name", "email", "role", "team_group_id"]
    if "--narrow" not in sys.argv[5:]:
        columns.append("department")
    rng = random.Random(17)
    earlier = []
    with open(csv_path, "w", newline="") as csv_out, open(jsonl_path, "w") as jsonl_out:
        csv_out.write(",".join(["First Name", "Last Name", "E-mail", "Role", "Team ID", "Department"][:len(columns)])
                      + "\r\n")
        for n in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if rng.random() < 0.03 and earlier:
                # Someone already in the file, written another way.
                email = rng.choice(earlier).upper() if rng.random() < 0.5 else " " + rng.choice(earlier) + " "
            else:
                email = f"{ascii_name(first)}.{ascii_name(last)}.{n}@{rng.choice(DOMAINS)}"
                if len(earlier) < 10000:
                    earlier.append(email)
                elif rng.random() < 0.01:
                    earlier[rng.randrange(len(earlier))] = email
                if rng.random() < 0.10:
                    email = "  " + email.upper() + " "
            person = {"first_name": first, "last_name": last, "email": email, "role": rng.choice(ROLES),
                      "team_group_id": rng.choice(TEAMS), "department": rng.choice(DEPARTMENTS)}
            if rng.random() < 0.10:
                person["team_group_id"] = " " + person["team_group_id"] + " "
            if rng.random() < invalid_share:
                invalid(rng, person)
            if trimmed:
                person = {k: v.strip() for k, v in person.items()}
            csv_out.write(",".join(quote(person[k]) for k in columns) + "\r\n")
            team = person["team_group_id"]
            record = {k: person[k] for k in columns}
            record["team_group_id"] = int(team) if team.isdigit() else team
            jsonl_out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
