#!/usr/bin/env python3
"""Two builds of batch-invite on the same commands, interleaved: an A/B of a change.

usage: compare.py BEFORE AFTER RUNS COMMAND...   (COMMAND with {bin} for the binary and
       {out} for a scratch path of its own, e.g. "validate bench-data/messy-2.csv --target
       sendoso --report {out}")

Each round runs every command with BEFORE, then with AFTER (the order alternating from
round to round), each after `sync` so that no run pays for the pages the previous one left
dirty. Prints, per command, the median wall time of each build, the median of each round's
own ratio (AFTER / BEFORE), and the range of those ratios.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timed(binary, command, scratch):
    words = [binary] + [word.replace("{out}", scratch) for word in command.split()]
    os.sync()
    start = time.perf_counter()
    process = subprocess.run(words, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if process.returncode not in (0, 1):
        sys.exit(f"failed ({process.returncode}): {' '.join(words)}")
    return elapsed


def main():
    before, after, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    commands = sys.argv[4:]
    times = {(command, which): [] for command in commands for which in ("before", "after")}
    with tempfile.TemporaryDirectory() as scratch:
        for round_number in range(runs):
            for command in commands:
                order = [("before", before), ("after", after)]
                if round_number % 2:
                    order.reverse()
                for which, binary in order:
                    out = os.path.join(scratch, f"{which}.out")
                    times[(command, which)].append(timed(binary, command, out))
    print(f"{runs} interleaved rounds; medians; ratio = after / before, per round")
    print()
    print("| command | before | after | ratio (median of rounds) | range |")
    print("|---|---|---|---|---|")
    for command in commands:
        b, a = times[(command, "before")], times[(command, "after")]
        ratios = [y / x for x, y in zip(b, a)]
        print(f"| `{command}` | {statistics.median(b):.3f} s | {statistics.median(a):.3f} s | "
              f"**{statistics.median(ratios):.3f}** | {min(ratios):.3f}-{max(ratios):.3f} |")


if __name__ == "__main__":
    main()
