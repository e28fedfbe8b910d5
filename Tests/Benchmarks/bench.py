#!/usr/bin/env python3
"""Runs the `make bench` measurements and prints a Markdown table for BENCHMARKS.md.

Every command runs RUNS times in turn (interleaved, so machine noise hits all alike);
the table gives the median wall time, the median peak RSS, and ratios between medians
of the same run.

usage: bench.py BINARY DATA_DIR [RUNS]
"""
import os
import statistics
import subprocess
import sys
import time


def measure(command):
    # Dirty pages left by the previous command (a 60 MB report) would otherwise be written
    # back during this one and slow it down; flushing them first keeps the runs apart.
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"failed ({code}): {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def main():
    binary, data = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    here = os.path.dirname(os.path.abspath(__file__))
    csv_path, jsonl_path = os.path.join(data, "people.csv"), os.path.join(data, "people.jsonl")
    # Each command writes its own report: replacing a file another command has just
    # written (its pages still dirty) costs more than replacing one's own.
    report = os.path.join(data, "report.csv")
    python_report = os.path.join(data, "report-python.csv")
    html_report, page = os.path.join(data, "report-html.csv"), os.path.join(data, "page.html")
    commands = {
        "libcsv, default options, counting callbacks": [os.path.join(data, "libcsv_count"), csv_path],
        "libcsv, batch-invite's options (strict, no trimming), counting": [
            os.path.join(data, "libcsv_count"), csv_path, "tool"],
        "batch-invite validate (CSV)": [binary, "validate", csv_path, "--target", "sendoso", "--report", report],
        "batch-invite validate (CSV) --html": [
            binary, "validate", csv_path, "--target", "sendoso", "--report", html_report, "--html", page],
        "Python csv module, same validation and report": [
            sys.executable, os.path.join(here, "baseline_validate.py"), csv_path, python_report],
        "batch-invite validate (JSON Lines)": [
            binary, "validate", jsonl_path, "--target", "sendoso", "--report", report],
        "Python json module, same validation and report": [
            sys.executable, os.path.join(here, "baseline_validate.py"), jsonl_path, python_report],
    }
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(measure(command))
    with open(report, "rb") as ours, open(python_report, "rb") as theirs:
        same = ours.read() == theirs.read()
    median = {name: (statistics.median(t for t, _ in s), statistics.median(m for _, m in s))
              for name, s in samples.items()}
    size = os.path.getsize(csv_path) / 1e6
    print(f"Input: 1,000,000 rows, CSV {size:.0f} MB, JSON Lines {os.path.getsize(jsonl_path) / 1e6:.0f} MB; "
          f"median of {runs} interleaved runs.\n")
    print("| command | wall time | peak RSS |")
    print("|---|---|---|")
    for name, (seconds, rss) in median.items():
        print(f"| {name} | {seconds:.3f} s | {rss:.0f} MB |")
    names = list(commands)
    tool = median[names[2]][0]
    print()
    print(f"- validate CSV / libcsv floor (default options): {tool / median[names[0]][0]:.2f}x")
    print(f"- validate CSV / libcsv floor (batch-invite's options): {tool / median[names[1]][0]:.2f}x")
    print(f"- validate CSV with --html / without: {median[names[3]][0] / tool:.3f}x "
          f"(the page: {os.path.getsize(page) / 1e6:.2f} MB)")
    print(f"- Python csv / validate CSV: {median[names[4]][0] / tool:.2f}x faster")
    print(f"- Python json / validate JSON Lines: {median[names[6]][0] / median[names[5]][0]:.2f}x faster")
    print(f"- the last reports of batch-invite and Python (JSON Lines input): "
          f"{'byte-identical' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
