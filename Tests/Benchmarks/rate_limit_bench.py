#!/usr/bin/env python3
"""Close to the API's own limit: batch-invite run against `simulate --rate-limit L`.

The simulator takes L requests per second (a burst of L) and answers 429 with
`Retry-After: 1` beyond that; the client does not know L. For each L, `run` sends L x 30
generated rows (all valid) at each --rate asked for (a rate above L, and 0 for no limit),
RUNS times, interleaved with the BEFORE build when one is given. From each run:

- goodput: invitations made (the simulator's request log) per second of the run
  process's wall time, as a share of L (goal at least 95%);
- the 429 share: 429 answers over all requests the simulator saw (goal at most 5%).

Then, with UNLIMITED=1 (the default), a server without a limit: `--rate 0`, 5,000 rows,
rows per second of wall time, to check that nothing slows a client down when no 429
comes.

usage: rate_limit_bench.py BINARY [RUNS]
       BEFORE=OTHER_BINARY adds the build before a change, in the same rounds;
       LIMITS=5,20,100 and RATES=3x,0 choose the cases (a rate "Nx" is N times the limit;
       LIMITS= for none);
       CONCURRENCY=8 (run's default); LATENCY_MS=0 (the simulator's).
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

BINARY = os.path.abspath(sys.argv[1])
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
BEFORE = os.environ.get("BEFORE")
LIMITS = [float(x) for x in os.environ.get("LIMITS", "5,20,100").split(",") if x]
RATES = os.environ.get("RATES", "3x,0").split(",")
CONCURRENCY = os.environ.get("CONCURRENCY", "8")
LATENCY_MS = os.environ.get("LATENCY_MS", "0")
UNLIMITED = os.environ.get("UNLIMITED", "1") == "1"


def people(path, rows):
    with open(path, "w") as out:
        out.write("First Name,Last Name,Email,Role,Team ID\n")
        for index in range(rows):
            out.write(f"Ada,Lovelace,user{index}@example.com,regular,1234\n")


class Simulator:
    def __init__(self, log, *arguments):
        command = [BINARY, "simulate", "--token", "bench-token", "--seed", "1", "--request-log", log,
                   "--latency-ms", LATENCY_MS, *arguments]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self.process.stdout.readline().strip().removeprefix("listening on ")

    def stop(self):
        self.process.terminate()
        self.process.wait()


def one_run(binary, rows, rate, server_arguments):
    """Returns (wall s, invited, requests, 429s, summary JSON)."""
    with tempfile.TemporaryDirectory() as scratch:
        source = os.path.join(scratch, "people.csv")
        people(source, rows)
        log = os.path.join(scratch, "requests.jsonl")
        simulator = Simulator(log, *server_arguments)
        try:
            start = time.perf_counter()
            result = subprocess.run(
                [binary, "run", source, "--target", "sendoso", "--base-url", simulator.url, "--report",
                 os.path.join(scratch, "report.csv"), "--progress", "none", "--rate", rate,
                 "--concurrency", CONCURRENCY, "--summary-json", os.path.join(scratch, "summary.json")],
                env={**os.environ, "BATCH_INVITE_TOKEN": "bench-token"}, capture_output=True, text=True)
            wall = time.perf_counter() - start
        finally:
            simulator.stop()
        if result.returncode not in (0, 1):
            sys.exit(f"run failed ({result.returncode}): {result.stderr}")
        entries = [json.loads(line) for line in open(log)]
        invited = sum(1 for e in entries if e["outcome"] == "invited")
        throttled = sum(1 for e in entries if e["status"] == 429)
        with open(os.path.join(scratch, "summary.json")) as file:
            summary = json.load(file)
        return wall, invited, len(entries), throttled, summary


def rate_of(text, limit):
    return str(float(text[:-1]) * limit).removesuffix(".0") if text.endswith("x") else text


def limited():
    builds = [("this", BINARY)] + ([("before", BEFORE)] if BEFORE else [])
    results = {}
    for _ in range(RUNS):
        for limit in LIMITS:
            rows = int(limit * 30)
            for rate_text in RATES:
                rate = rate_of(rate_text, limit)
                for name, binary in builds:
                    wall, invited, requests, throttled, summary = one_run(
                        binary, rows, rate, ["--rate-limit", str(limit).removesuffix(".0")])
                    goodput = invited / wall / limit * 100
                    share = throttled / requests * 100
                    failed = summary["counts"].get("failed", 0)
                    results.setdefault((limit, rate, name), []).append((goodput, share, failed))
                    print(f"   L={limit:g} --rate {rate} {name}: goodput {goodput:.1f}% of L, 429s {share:.1f}% "
                          f"({throttled} of {requests}), {failed} failed, {wall:.1f} s", flush=True)
    print(f"\nMedians of {RUNS} runs (concurrency {CONCURRENCY}, simulator latency {LATENCY_MS} ms):")
    print("| limit | rows | --rate | build | goodput (% of limit) | 429s (% of requests) | runs: goodput / 429s |")
    print("|---|---|---|---|---|---|---|")
    for (limit, rate, name), samples in results.items():
        goodput = statistics.median(g for g, _, _ in samples)
        share = statistics.median(s for _, s, _ in samples)
        runs = ", ".join(f"{g:.1f}/{s:.1f}" + (f" ({f} failed)" if f else "") for g, s, f in samples)
        print(f"| {limit:g}/s | {int(limit * 30)} | {rate} | {name} | {goodput:.1f}% | {share:.1f}% | {runs} |")


def unlimited():
    builds = [("this", BINARY)] + ([("before", BEFORE)] if BEFORE else [])
    rows = 5000
    samples = {}
    for _ in range(RUNS):
        for name, binary in builds:
            wall, invited, _, _, _ = one_run(binary, rows, "0", [])
            assert invited == rows, invited
            samples.setdefault(name, []).append(rows / wall)
    print(f"\nNo limit at the server, --rate 0, {rows:,} rows, rows/s over the run's wall time, {RUNS} rounds:")
    for name, values in samples.items():
        print(f"   {name}: median {statistics.median(values):,.0f} ({', '.join(f'{v:,.0f}' for v in values)})")
    if BEFORE:
        ratios = [a / b for a, b in zip(samples["this"], samples["before"])]
        print(f"   this / before per round: median {statistics.median(ratios):.3f} "
              f"({min(ratios):.3f}-{max(ratios):.3f})")


if __name__ == "__main__":
    if LIMITS:
        limited()
    if UNLIMITED:
        unlimited()
