#!/usr/bin/env python3
"""Writes benchmark inputs for `make bench`: a sendoso CSV and the same people as JSON Lines.

Realistic values, about 2% invalid rows (bad e-mail, role, team or empty name), about 1%
quoted fields (a comma or a quote inside), CRLF line ends as Excel writes them.
Deterministic: the same ROWS give the same bytes.

usage: generate.py ROWS OUT.csv OUT.jsonl
"""
import json
import random
import sys

FIRST = ["Ada", "Grace", "Alan", "Katherine", "Margaret", "Edsger", "Barbara", "Donald", "Frances",
         "John", "Radia", "Tim", "Sophie", "Dennis", "Ken", "Hedy", "Claude", "Annie", "Linus", "Guido",
         "Jean", "Mary", "Niklaus", "Leslie", "Shafi", "Whitfield", "Adele", "Ivan", "Joan", "Robin"]
LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Hamilton", "Dijkstra", "Liskov", "Knuth", "Allen",
        "McCarthy", "Perlman", "Berners-Lee", "Wilson", "Ritchie", "Thompson", "Lamarr", "Shannon",
        "Easley", "Torvalds", "van Rossum", "Sammet", "Keller", "Wirth", "Lamport", "Goldwasser",
        "Diffie", "Goldberg", "Sutherland", "Clarke", "Milner"]
DOMAINS = ["example.com", "example.org", "corp.example.net", "mail.example.co.uk"]
DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "Research", "Support", "Operations"]


def quote(value):
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def main():
    rows, csv_path, jsonl_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rng = random.Random(42)
    with open(csv_path, "w", newline="") as csv_out, open(jsonl_path, "w") as jsonl_out:
        csv_out.write("First Name,Last Name,Email,Role,Team ID,Department\r\n")
        for n in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{first}.{last}.{n}@{rng.choice(DOMAINS)}".replace(" ", "").lower()
            role = rng.choice(["regular", "regular", "regular", "manager"])
            team = str(rng.choice([1234, 5678, 9012, 3456]))
            department = rng.choice(DEPARTMENTS)
            roll = rng.random()
            if roll < 0.005:
                email = email.replace("@", "")
            elif roll < 0.010:
                role = "admin"
            elif roll < 0.015:
                team = "12a"
            elif roll < 0.020:
                first = ""
            roll = rng.random()
            if roll < 0.005:
                last = last + ", Jr."
            elif roll < 0.010:
                department = 'R&D "Labs"'
            csv_out.write(",".join(quote(v) for v in (first, last, email, role, team, department)) + "\r\n")
            jsonl_out.write(json.dumps({"first_name": first, "last_name": last, "email": email, "role": role,
                                        "team_group_id": int(team) if team.isdigit() else team,
                                        "department": department}) + "\n")


if __name__ == "__main__":
    main()
