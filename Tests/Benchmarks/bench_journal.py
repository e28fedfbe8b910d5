#!/usr/bin/env python3
"""`make bench-journal`: what the durable journal costs, and re-running a finished batch.

1. CPU per invitation (the whole run) at concurrency 32 against the
   simulator with no latency, 20,000 rows: the journal as it is (dispatch records synced
   before each first request, outcomes group-committed) against the same run with fsync
   switched off (BATCH_INVITE_BENCHMARK_NO_FSYNC=1, a benchmark-only switch). Runs
   alternate; medians of RUNS each.
2. Re-running a finished batch of RESUME_ROWS rows (default 1,000,000), nothing left to
   send, report included: RUNS times with the journal as a finished run leaves it, and
   RUNS times without its last record (the end-of-input record: a run killed after its
   last outcome, or a journal of an earlier version), which makes the run read and
   validate the input again. The finished batch is made once (a real run against the
   simulator, about 13 minutes for a million rows) and kept in DATA_DIR/resume-ROWS.

usage: bench_journal.py BINARY DATA_DIR [RUNS]
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

BINARY, DATA = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
RESUME_ROWS = int(os.environ.get("RESUME_ROWS", "1000000"))
HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = {"BATCH_INVITE_TOKEN": "bench-token"}


def people(rows):
    path = os.path.join(DATA, f"run-{rows}.csv")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), str(rows), path, path + ".jsonl"],
                       check=True)
    return path


class Simulator:
    def __init__(self):
        self.process = subprocess.Popen([BINARY, "simulate", "--token", "bench-token", "--seed", "1"],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self.process.stdout.readline().strip().removeprefix("listening on ")

    def stop(self):
        self.process.terminate()
        self.process.wait()


def run(arguments, environment=None, cwd=None):
    """Runs batch-invite; returns (wall s, CPU s of it and its waited-for children, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen([BINARY, *arguments], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, cwd=cwd, env={**os.environ, **TOKEN, **(environment or {})})
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"batch-invite {' '.join(arguments)} failed ({code})")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, output


def journal_cost():
    rows = people(20000)
    samples = {"durable": [], "no fsync": []}
    for _ in range(RUNS + 2):  # the noisier figure: two runs more
        for name, environment in (("durable", {}), ("no fsync", {"BATCH_INVITE_BENCHMARK_NO_FSYNC": "1"})):
            simulator = Simulator()
            scratch = os.path.join(DATA, "journal-cost")
            shutil.rmtree(scratch, ignore_errors=True)
            os.makedirs(scratch)
            _, cpu, output = run(["run", rows, "--target", "sendoso", "--base-url", simulator.url, "--rate", "0",
                                  "--concurrency", "32", "--progress", "none",
                                  "--report", os.path.join(scratch, "report.csv")], environment)
            simulator.stop()
            invited = int(output.split(" invited")[0].split()[-1])
            samples[name].append(cpu / invited * 1000)
    durable, unsynced = (statistics.median(samples[n]) for n in ("durable", "no fsync"))
    print("1. CPU ms per invitation (the whole run), concurrency 32, no latency, "
          f"20,000 rows (median of {RUNS + 2}, alternating):")
    for name in samples:
        print(f"   {name}: {statistics.median(samples[name]):.3f} "
              f"({', '.join(f'{v:.3f}' for v in samples[name])})")
    print(f"   the durable journal adds {(durable / unsynced - 1) * 100:+.1f}%")


def finished_batch():
    """The directory of a finished RESUME_ROWS batch: input, report, journal."""
    directory = os.path.join(DATA, f"resume-{RESUME_ROWS}")
    journal = os.path.join(directory, "report.csv.journal")
    if os.path.exists(os.path.join(directory, "done")):
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    shutil.copy(people(RESUME_ROWS), os.path.join(directory, "people.csv"))
    print(f"   (making the finished batch: a real run of {RESUME_ROWS:,} rows against the simulator)")
    simulator = Simulator()
    run(["run", "people.csv", "--target", "sendoso", "--base-url", simulator.url, "--rate", "0",
         "--concurrency", "32", "--progress", "none", "--report", "report.csv"],
        {"BATCH_INVITE_BENCHMARK_NO_FSYNC": "1"}, cwd=directory)
    simulator.stop()
    shutil.copy(journal, journal + ".finished")
    open(os.path.join(directory, "done"), "w").close()
    return directory


def rerun():
    directory = finished_batch()
    journal = os.path.join(directory, "report.csv.journal")
    with open(journal + ".finished") as lines:
        base_url = json.loads(lines.readline())["base_url"]  # nothing is sent: no server needed
    with open(journal + ".finished", "rb") as source:
        content = source.read()
    without_end = content[:content.rstrip(b"\n").rfind(b"\n") + 1]
    assert b'"type":"end"' in content[len(without_end):], "the finished journal has no end record"
    report = os.path.join(directory, "report.csv")
    with open(report, "rb") as first:
        expected = first.read()
    arguments = ["run", "people.csv", "--target", "sendoso", "--base-url", base_url, "--rate", "0",
                 "--concurrency", "32", "--progress", "none", "--report", "report.csv"]
    results = {"finished": [], "without the end record": []}
    for _ in range(RUNS):
        for name, bytes_ in (("finished", content), ("without the end record", without_end)):
            with open(journal, "wb") as out:
                out.write(bytes_)
            os.remove(report)
            os.sync()
            wall, cpu, output = run(arguments, cwd=directory)
            with open(report, "rb") as written:
                assert written.read() == expected, "the report changed"
            assert " 0 requests" in output, output
            results[name].append((wall, cpu))
    print(f"2. re-running a finished batch of {RESUME_ROWS:,} rows, report included "
          f"(median of {RUNS}, alternating; the report is byte-identical each time):")
    for name, samples in results.items():
        print(f"   journal {name}: {statistics.median(w for w, _ in samples):.2f} s wall, "
              f"{statistics.median(c for _, c in samples):.2f} s CPU "
              f"({', '.join(f'{w:.2f}' for w, _ in samples)})")


if __name__ == "__main__":
    os.makedirs(DATA, exist_ok=True)
    journal_cost()
    rerun()
