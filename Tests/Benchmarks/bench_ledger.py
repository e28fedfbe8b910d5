#!/usr/bin/env python3
"""`make bench-ledger`: a job's ledger of 1,000,000 keys, read and used by `run`.

1. Night 1 (once, kept in DATA/ledger-1000000/): a real `run --ledger` of 1,000,000
   distinct valid Sendoso rows against nginx answering 201, which leaves the ledger a
   nightly job would have: two records a key (in doubt, then invited), and the same ledger
   compacted (`batch-invite ledger compact`: one record a key).
2. RUNS rounds, interleaved, each on a fresh copy of the ledger:
   - reading it: `run` of 1,000 new people with the 1,000,000-key ledger (as night 1 left
     it, and compacted) against the same run with an empty ledger. The difference in wall
     time is the cost of opening and reading the ledger; peak RSS is the whole process.
   - night 2: the cumulative input (the same 1,000,000 people and 10,000 new ones) with the
     ledger: 1,000,000 rows already_invited and not sent, 10,000 invited. Wall time and
     peak RSS of the whole process.
Medians are printed, with every sample.

usage: bench_ledger.py BINARY DATA_DIR [RUNS]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_run import Nginx, timed  # noqa: E402  (bench_run reads the same arguments)

BINARY, DATA = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
KEYS = 1_000_000
NEW = 10_000
HOME = os.path.join(DATA, f"ledger-{KEYS}")


def write_people(path, start, count):
    """A Sendoso CSV of `count` distinct valid people numbered from `start`, with the columns
    of generate.py's (an HR export's department too)."""
    departments = ["Engineering", "Sales", "Marketing", "Finance", "Research", "Support", "Operations"]
    with open(path, "w") as out:
        out.write("First Name,Last Name,Email,Role,Team ID,Department\n")
        for n in range(start, start + count):
            out.write(f"Ada,Lovelace,ada.lovelace.{n}@example.com,regular,{1234 + n % 4},{departments[n % 7]}\n")


def send(url, people, ledger, scratch):
    """`run --ledger`; returns (wall s, peak RSS MB, invited, already invited)."""
    wall, _, rss, output = timed(
        [BINARY, "run", people, "--target", "sendoso", "--base-url", url, "--ledger", ledger,
         "--report", os.path.join(scratch, "report.csv"), "--journal", os.path.join(scratch, "journal"),
         "--progress", "none", "--rate", "0", "--concurrency", "64"],
        {"BATCH_INVITE_TOKEN": "bench-token"})
    invited = int(re.search(r"(\d+) invited", output).group(1))
    already = re.search(r"(\d+) already invited", output)
    return wall, rss, invited, int(already.group(1)) if already else 0


def night_one(url):
    os.makedirs(HOME, exist_ok=True)
    ledger = os.path.join(HOME, "ledger")
    compacted = os.path.join(HOME, "ledger-compacted")
    if not os.path.exists(compacted):
        people = os.path.join(HOME, "night-1.csv")
        write_people(people, 0, KEYS)
        with tempfile.TemporaryDirectory() as scratch:
            for stale in (ledger, ledger + ".partial"):
                if os.path.exists(stale):
                    os.remove(stale)
            print(f"night 1: sending {KEYS:,} rows with --ledger (once)", flush=True)
            wall, rss, invited, _ = send(url, people, ledger + ".partial", scratch)
            assert invited == KEYS, invited
            print(f"  {wall:.1f} s, peak RSS {rss:.0f} MB", flush=True)
        os.rename(ledger + ".partial", ledger)
        shutil.copy(ledger, compacted + ".partial")
        subprocess.run([BINARY, "ledger", "compact", "--ledger", compacted + ".partial"], check=True,
                       stderr=subprocess.DEVNULL)
        os.rename(compacted + ".partial", compacted)
        write_people(os.path.join(HOME, "new-1000.csv"), 2 * KEYS, 1000)
        with open(os.path.join(HOME, "night-2.csv"), "w") as out:
            write_people(os.path.join(HOME, "tail.csv"), KEYS, NEW)
            out.write(open(people).read())
            out.writelines(open(os.path.join(HOME, "tail.csv")).readlines()[1:])
    return ledger, compacted


def main():
    nginx = Nginx()
    try:
        ledger, compacted = night_one(nginx.url)
        sizes = {name: os.path.getsize(path) for name, path in (("night 1", ledger), ("compacted", compacted))}
        samples = {}
        for _ in range(RUNS):
            for name, source in (("empty", None), ("night 1", ledger), ("compacted", compacted)):
                with tempfile.TemporaryDirectory() as scratch:
                    copy = os.path.join(scratch, "ledger")
                    if source:
                        shutil.copy(source, copy)
                    wall, rss, invited, already = send(nginx.url, os.path.join(HOME, "new-1000.csv"), copy, scratch)
                    assert (invited, already) == (1000, 0), (invited, already)
                    samples.setdefault(("1,000 new", name), []).append((wall, rss))
            with tempfile.TemporaryDirectory() as scratch:
                copy = os.path.join(scratch, "ledger")
                shutil.copy(ledger, copy)
                wall, rss, invited, already = send(nginx.url, os.path.join(HOME, "night-2.csv"), copy, scratch)
                assert (invited, already) == (NEW, KEYS), (invited, already)
                samples.setdefault(("night 2", "night 1"), []).append((wall, rss))
    finally:
        nginx.stop()
    print(f"ledger of {KEYS:,} keys: {sizes['night 1'] / 1e6:.0f} MB as night 1 left it, "
          f"{sizes['compacted'] / 1e6:.0f} MB compacted; {RUNS} rounds, medians")
    print("| input | ledger | wall time | peak RSS | samples (s) |")
    print("|---|---|---|---|---|")
    medians = {}
    for (people, name), values in samples.items():
        wall = statistics.median(v[0] for v in values)
        rss = statistics.median(v[1] for v in values)
        medians[(people, name)] = wall
        print(f"| {people} | {name} | {wall:.3f} s | {rss:.1f} MB | "
              f"{', '.join(f'{v[0]:.3f}' for v in values)} |")
    empty = medians[("1,000 new", "empty")]
    for name in ("night 1", "compacted"):
        print(f"reading the {name} ledger: {medians[('1,000 new', name)] - empty:.3f} s (median wall minus empty)")


if __name__ == "__main__":
    main()
