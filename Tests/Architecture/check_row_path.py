#!/usr/bin/env python3
"""Counts the folder crossings of a row's way through `run`, as README.md's Architecture
section writes it (the indented line of folders joined by arrows), and checks them against
what the section says of them and against the limits: at most 12 crossings, at most 3 of
them back into a folder the row had left. Every folder named must be a folder of the
library.

usage: check_row_path.py [README] [LIBRARY_DIR]
"""

import os
import re
import sys

MOST_CROSSINGS = 12
MOST_RETURNS = 3


def count(path):
    """The crossings of `path` (folder names in order) and how many go back into a folder
    left before."""
    crossings = returns = 0
    seen = {path[0]}
    for before, after in zip(path, path[1:]):
        if before == after:
            continue
        crossings += 1
        if after in seen:
            returns += 1
        seen.add(after)
    return crossings, returns


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    readme = argv[1] if len(argv) > 1 else os.path.join(root, "README.md")
    library = argv[2] if len(argv) > 2 else os.path.join(root, "Sources", "BatchInvite")
    text = open(readme, encoding="utf-8").read()
    start = text.find("One CSV row's way through `run`")
    if start < 0:
        print(f"{readme}: no paragraph \"One CSV row's way through `run`\"")
        return 1
    section = text[start:]
    line = re.search(r"^    (\w+(?: → \w+)+)$", section, re.MULTILINE)
    if not line:
        print(f"{readme}: no line of folders joined by arrows after the row's way")
        return 1
    path = line.group(1).split(" → ")
    problems = []
    for folder in sorted(set(path)):
        if not os.path.isdir(os.path.join(library, folder)):
            problems.append(f"{folder} is not a folder of {library}")
    crossings, returns = count(path)
    said = re.search(r"(\d+) crossings, (\d+) of them back", section[line.end():])
    if not said:
        problems.append("the count of crossings and returns is not said after the line")
    elif (int(said.group(1)), int(said.group(2))) != (crossings, returns):
        problems.append(
            f"it says {said.group(1)} crossings and {said.group(2)} returns; the line has "
            f"{crossings} and {returns}")
    if crossings > MOST_CROSSINGS:
        problems.append(f"{crossings} crossings, more than {MOST_CROSSINGS}")
    if returns > MOST_RETURNS:
        problems.append(f"{returns} returns, more than {MOST_RETURNS}")
    if problems:
        print("the row's way does not hold:\n  " + "\n  ".join(problems))
        return 1
    print(f"the row's way holds: {' → '.join(path)}: {crossings} crossings, {returns} returns")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
