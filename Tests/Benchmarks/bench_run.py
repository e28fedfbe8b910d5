#!/usr/bin/env python3
"""`make bench-run`: batch-invite run against the simulator on 127.0.0.1.

1. 50 ms latency, concurrency 32, no rate limit: invitations/s against the ideal 640/s.
2. --rate 50 for 20 s: the achieved rate and the busiest one-second window, from the
   simulator's request log.
3. No latency, no limit, concurrency 8/32/64: invitations/s and CPU ms per invitation,
   beside wrk's ceiling for the same endpoint and concurrency.
4. With LARGE=1: peak RSS of a 1,000,000-row run (no latency, no limit, concurrency 32).

usage: bench_run.py BINARY DATA_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

BINARY, DATA = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))


class Simulator:
    def __init__(self, *arguments, log=None):
        command = [BINARY, "simulate", "--token", "bench-token", "--seed", "1", *arguments]
        if log:
            command += ["--request-log", log]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self.process.stdout.readline().strip().removeprefix("listening on ")

    def stop(self):
        self.process.terminate()
        self.process.wait()


def people(rows):
    path = os.path.join(DATA, f"run-{rows}.csv")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), str(rows), path, path + ".jsonl"], check=True)
    return path


def run(simulator, rows, *arguments):
    """Runs batch-invite run; returns (wall s, cpu s, peak RSS MB, invited)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = os.path.join(scratch, "report.csv")
        command = [BINARY, "run", people(rows), "--target", "sendoso", "--base-url", simulator.url,
                   "--report", report, "--progress", "none", *arguments]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                   env={**os.environ, "BATCH_INVITE_TOKEN": "bench-token"})
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        invited = int(re.search(r"(\d+) invited", output).group(1))
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, invited


def wrk(url, connections, seconds=10):
    output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", os.path.join(HERE, "sendoso.lua"), url],
                            capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main():
    os.makedirs(DATA, exist_ok=True)
    print("1. 50 ms latency, concurrency 32, --rate 0, 10,000 rows (9,800 valid):")
    simulator = Simulator("--latency-ms", "50")
    wall, cpu, rss, invited = run(simulator, 10000, "--rate", "0", "--concurrency", "32")
    simulator.stop()
    print(f"   {invited / wall:.0f} invitations/s over {wall:.1f} s = {invited / wall / 640 * 100:.1f}% of the ideal 640/s"
          f" (peak RSS {rss:.0f} MB)")

    print("2. --rate 50, 1,000 rows (about 20 s):")
    with tempfile.TemporaryDirectory() as scratch:
        log = os.path.join(scratch, "requests.jsonl")
        simulator = Simulator(log=log)
        run(simulator, 1000, "--rate", "50", "--concurrency", "8")
        simulator.stop()
        times = sorted(time.mktime(time.strptime(entry["time"][:19], "%Y-%m-%dT%H:%M:%S")) + float(entry["time"][19:-1])
                       for entry in map(json.loads, open(log)))
    achieved = (len(times) - 1) / (times[-1] - times[0])
    busiest = max(sum(1 for t in times[i:] if t < start + 1) for i, start in enumerate(times))
    print(f"   {len(times)} requests, achieved {achieved:.2f}/s ({(achieved / 50 - 1) * 100:+.2f}% of 50/s), "
          f"busiest 1-s window {busiest} requests (limit rate + burst = 51)")

    print("3. no latency, no limit, 20,000 rows (19,592 valid):")
    print("   | concurrency | invitations/s | CPU ms per invitation | wrk ceiling (requests/s) | peak RSS |")
    print("   |---|---|---|---|---|")
    for concurrency in (8, 32, 64):
        simulator = Simulator()
        ceiling = wrk(simulator.url, concurrency)
        simulator.stop()
        simulator = Simulator()
        wall, cpu, rss, invited = run(simulator, 20000, "--rate", "0", "--concurrency", str(concurrency))
        simulator.stop()
        print(f"   | {concurrency} | {invited / wall:.0f} | {cpu / invited * 1000:.2f} | {ceiling:.0f} | {rss:.0f} MB |")

    if os.environ.get("LARGE"):
        print("4. 1,000,000 rows, no latency, no limit, concurrency 32:")
        simulator = Simulator()
        wall, cpu, rss, invited = run(simulator, 1000000, "--rate", "0", "--concurrency", "32")
        simulator.stop()
        print(f"   {invited} invited in {wall:.0f} s ({invited / wall:.0f}/s), peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
