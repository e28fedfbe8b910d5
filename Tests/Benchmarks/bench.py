#!/usr/bin/env python3
"""Runs the `make bench` measurements and prints Markdown tables for BENCHMARKS.md.

Files (1,000,000 rows each, CSV and the same people as JSON Lines):
- people: generate.py's, clean (lower-case ASCII, trimmed cells, 2% invalid rows);
- messy-20, messy-2, messy-trimmed: generate_messy.py's, shaped like real exports (accented
  names, padded and upper-cased addresses, roles in any case, padded team IDs, 3%
  duplicates differing in case and blanks) with 20% and 2% invalid rows, the 2% mix with
  every cell trimmed beforehand, and the 2% mix without the department column (shorter
  rows: more of them to a megabyte).

Each of RUNS rounds runs, file after file, every command in turn (interleaved over the
files too, so that machine noise hits all alike): the libcsv floor (default options, and batch-invite's options), validate of
the CSV, the same with --html for the clean file, the Python csv baseline, validate of the
JSON Lines, and the Python json baseline. The tables give the median wall time and peak
RSS (GNU time's, of the command alone), and ratios between medians of the same run; below
them, the median of each round's own ratios (its two commands ran seconds apart).

usage: bench.py BINARY DATA_DIR [RUNS]   (BENCH_FILES="people messy-20" to choose files)
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

FILES = {
    "people": ["generate.py"],
    "messy-20": ["generate_messy.py", "0.20"],
    "messy-2": ["generate_messy.py", "0.02"],
    "messy-trimmed": ["generate_messy.py", "0.02", "--trimmed"],
    "messy-narrow": ["generate_messy.py", "0.02", "--narrow"],
}


def measure(command):
    # Dirty pages left by the previous command (a 60 MB report) would otherwise be written
    # back during this one and slow it down; flushing them first keeps the runs apart.
    os.sync()
    with tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-q", "-f", "%M", "-o", peak.name, *command],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, _ = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            sys.exit(f"failed ({code}): {' '.join(command)}")
        return elapsed, int(peak.read().split()[-1]) / 1024


def inputs(data, here, name, rows):
    """The file's CSV and JSON Lines paths, generated when missing or of another size."""
    csv_path, jsonl_path = os.path.join(data, f"{name}.csv"), os.path.join(data, f"{name}.jsonl")
    stamp = os.path.join(data, f"{name}.rows")
    made = os.path.exists(stamp) and os.path.exists(csv_path) and open(stamp).read().strip() == str(rows)
    if not made:
        generator, *options = FILES[name]
        print(f"generating {name} ({rows} rows)", file=sys.stderr, flush=True)
        arguments = [str(rows), csv_path, jsonl_path]
        if generator == "generate_messy.py":
            arguments += options
        subprocess.run([sys.executable, os.path.join(here, generator), *arguments], check=True)
        with open(stamp, "w") as out:
            out.write(str(rows))
    return csv_path, jsonl_path


def plan(binary, data, here, name):
    """The commands for one file, and where their reports go."""
    csv_path, jsonl_path = inputs(data, here, name, int(os.environ.get("BENCH_ROWS", "1000000")))
    # Each command writes its own report: replacing a file another command has just
    # written (its pages still dirty) costs more than replacing one's own.
    report = lambda kind: os.path.join(data, f"report-{name}-{kind}.csv")  # noqa: E731
    floor = os.path.join(data, "libcsv_count")
    validate = [binary, "validate", "--target", "sendoso"]
    commands = {
        "floor": [floor, csv_path],
        "floor, batch-invite's options": [floor, csv_path, "tool"],
        "validate CSV": validate + [csv_path, "--report", report("csv")],
        "Python csv": [sys.executable, os.path.join(here, "baseline_validate.py"), csv_path, report("python-csv")],
        "validate JSON Lines": validate + [jsonl_path, "--report", report("jsonl")],
        "Python json": [sys.executable, os.path.join(here, "baseline_validate.py"), jsonl_path,
                        report("python-json")],
    }
    if name == "people":
        commands["validate CSV --html"] = validate + [csv_path, "--report", report("html"), "--html",
                                                      os.path.join(data, "page.html")]
    return commands, report


def summary(samples, report):
    median = {command: (statistics.median(t for t, _ in s), statistics.median(m for _, m in s))
              for command, s in samples.items()}
    same = {}
    for kind, theirs in (("csv", "python-csv"), ("jsonl", "python-json")):
        with open(report(kind), "rb") as a, open(report(theirs), "rb") as b:
            same[kind] = a.read() == b.read()

    # Each round's own ratios: the floor and validate run seconds apart, where the machine's
    # speed (shared, and changing from minute to minute) is nearly the same.
    def paired(numerator, denominator):
        return statistics.median(a / b for (a, _), (b, _) in zip(samples[numerator], samples[denominator]))
    median["per round"] = (paired("validate CSV", "floor"), paired("Python csv", "validate CSV"),
                           paired("Python json", "validate JSON Lines"))
    return median, same


def main():
    binary, data = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    here = os.path.dirname(os.path.abspath(__file__))
    names = os.environ.get("BENCH_FILES", " ".join(FILES)).split()
    plans = {name: plan(binary, data, here, name) for name in names}
    samples = {name: {command: [] for command in plans[name][0]} for name in names}
    # Round after round over every file, so that a slow spell of the machine falls on all.
    for _ in range(runs):
        for name in names:
            for command, line in plans[name][0].items():
                samples[name][command].append(measure(line))
    results = {name: summary(samples[name], plans[name][1]) for name in names}
    page = os.path.join(data, "page.html")
    print(f"1,000,000 rows a file; median of {runs} interleaved runs; peak RSS by GNU time.\n")
    print("| file | libcsv floor | validate CSV | ratio | peak RSS | Python csv | faster | "
          "validate JSON Lines | peak RSS | Python json | faster |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (m, _) in results.items():
        floor, tool, jsonl = m["floor"][0], m["validate CSV"][0], m["validate JSON Lines"][0]
        print(f"| {name} | {floor:.3f} s | {tool:.3f} s | **{tool / floor:.2f}x** | {m['validate CSV'][1]:.0f} MB "
              f"| {m['Python csv'][0]:.2f} s | {m['Python csv'][0] / tool:.1f}x | {jsonl:.3f} s | "
              f"{m['validate JSON Lines'][1]:.0f} MB | {m['Python json'][0]:.2f} s | "
              f"{m['Python json'][0] / jsonl:.1f}x |")
    print()
    for name, (m, same) in results.items():
        strict = m["floor, batch-invite's options"][0]
        floor_ratio, python_csv, python_json = m["per round"]
        print(f"- {name}: each round's own ratios, median of the rounds: validate CSV / floor "
              f"{floor_ratio:.2f}x, Python csv / validate {python_csv:.1f}x, Python json / validate "
              f"JSON Lines {python_json:.1f}x")
        print(f"- {name}: floor with batch-invite's options {strict:.3f} s "
              f"(validate / it: {m['validate CSV'][0] / strict:.2f}x); reports "
              f"the same as Python's: CSV {'yes' if same['csv'] else 'NO'}, JSON Lines "
              f"{'yes' if same['jsonl'] else 'NO'}")
        if name == "people":
            print(f"- {name}: validate CSV with --html / without: "
                  f"{m['validate CSV --html'][0] / m['validate CSV'][0]:.3f}x, peak RSS "
                  f"{m['validate CSV --html'][1]:.0f} MB (the page: {os.path.getsize(page) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
