#!/usr/bin/env python3
"""`make bench-run`: batch-invite run against local servers on 127.0.0.1.

1. Throughput: nginx answering every POST with a fixed 201 (Sendoso's success JSON);
   20,000 generated rows (19,592 valid). At concurrency 32 and 64, RUNS rounds
   interleaved, each round: the C floor (curl_floor.c: the same POSTs from a bare loop on
   libcurl's multi interface), the peer (aiohttp_peer.py: an asyncio client on aiohttp),
   and `run` (validation, durable journal and report included). Invitations/s over each
   whole process's wall time and CPU ms per invitation (the whole process), medians.
2. The simulator with 50 ms latency, --rate 0 --concurrency 32, 10,000 rows: the
   invitations/s against the ideal 32 / 0.05 s = 640/s.
3. --rate 50, 1,000 rows: the achieved rate and the busiest one-second window, from the
   simulator's request log.
4. With LARGE=1: peak RSS of a 1,000,000-row run against nginx (concurrency 32).

usage: bench_run.py BINARY DATA_DIR [RUNS]   (BEFORE=OTHER_BINARY adds an A/B of run's
throughput against it, in the same rounds)
"""
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BINARY, DATA = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
# BEFORE=path: also the build before a change, in the same rounds (throughput only).
BEFORE = os.environ.get("BEFORE")
HERE = os.path.dirname(os.path.abspath(__file__))
SUCCESS = ('{"success":true,"message":"Invitation sent successfully","receiver_email":"x@example.com",'
           '"team_group_id":1234,"user_role":"regular","invitation_status":"pending",'
           '"expires_at":"2026-12-14T08:00:00.000-08:00"}')


class Nginx:
    """nginx on a free port of 127.0.0.1, one worker, answering every request 201."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="bench-nginx-")
        self.port = free_port()
        with open(os.path.join(self.directory, "nginx.conf"), "w") as conf:
            conf.write(f"""
worker_processes 1;
pid {self.directory}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 10000000;
    client_body_temp_path {self.directory}/body;
    proxy_temp_path {self.directory}/proxy;
    fastcgi_temp_path {self.directory}/fastcgi;
    uwsgi_temp_path {self.directory}/uwsgi;
    scgi_temp_path {self.directory}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        location / {{
            default_type application/json;
            return 201 '{SUCCESS}';
        }}
    }}
}}
""")
        self.process = subprocess.Popen(
            ["nginx", "-e", f"{self.directory}/error.log", "-p", self.directory, "-c",
             f"{self.directory}/nginx.conf", "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            if accepts(self.port):
                break
            time.sleep(0.02)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


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


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    import socket
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def people(rows):
    path = os.path.join(DATA, f"run-{rows}.csv")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), str(rows), path, path + ".jsonl"],
                       check=True)
    return path


def bodies(rows):
    """The JSON bodies `run` sends for the valid rows of people(rows), one a line."""
    path = os.path.join(DATA, f"bodies-{rows}.jsonl")
    if os.path.exists(path):
        return path
    source = people(rows)
    with tempfile.TemporaryDirectory() as scratch:
        report = os.path.join(scratch, "validate.csv")
        subprocess.run([BINARY, "validate", source, "--target", "sendoso", "--report", report],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(report, newline="") as file:
            valid = {int(r["row"]) for r in csv.DictReader(file) if r["status"] == "valid"}
    with open(source, newline="") as file, open(path, "w") as out:
        reader = csv.reader(file)
        next(reader)
        for number, cells in enumerate(reader, 1):
            if number in valid:
                user = {"first_name": cells[0].strip(), "last_name": cells[1].strip(), "email": cells[2].strip(),
                        "role": cells[3].strip().lower(), "team_group_id": int(cells[4].strip())}
                out.write(json.dumps({"user": user}, separators=(",", ":"), ensure_ascii=False) + "\n")
    return path


def timed(command, environment=None):
    """Runs a command; returns (wall s, CPU s, peak RSS MB, stdout).

    The peak RSS is GNU time's (`%M`): a child's own `ru_maxrss` would count the memory of
    this Python process, which the child shares until it execs (vfork)."""
    with tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-q", "-f", "%M", "-o", peak.name, *command],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                   env={**os.environ, **(environment or {})})
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            sys.exit(f"{' '.join(command)} failed ({code}): {output}")
        return wall, usage.ru_utime + usage.ru_stime, int(peak.read().split()[-1]) / 1024, output


def run(url, rows, *arguments, binary=None):
    """batch-invite run; returns (wall s, CPU s, peak RSS MB, invited)."""
    with tempfile.TemporaryDirectory() as scratch:
        wall, cpu, rss, output = timed(
            [binary or BINARY, "run", people(rows), "--target", "sendoso", "--base-url", url, "--report",
             os.path.join(scratch, "report.csv"), "--progress", "none", *arguments],
            {"BATCH_INVITE_TOKEN": "bench-token"})
        return wall, cpu, rss, int(re.search(r"(\d+) invited", output).group(1))


def throughput():
    rows = 20000
    body_file = bodies(rows)
    sent = sum(1 for _ in open(body_file))
    floor = os.path.join(DATA, "curl_floor")
    results = {}
    nginx = Nginx()
    try:
        for _ in range(RUNS):
            for concurrency in (32, 64):
                samples = results.setdefault(concurrency, {"floor": [], "peer": [], "run": []})
                wall, cpu, _, output = timed([floor, nginx.url + "/api/v3/users", body_file, str(concurrency)])
                assert output.startswith(f"{sent} succeeded"), output
                samples["floor"].append((sent / wall, cpu / sent * 1000))
                wall, cpu, _, output = timed([sys.executable, os.path.join(HERE, "aiohttp_peer.py"),
                                              nginx.url + "/api/v3/users", body_file, str(concurrency)])
                assert output.startswith(f"{sent} succeeded"), output
                samples["peer"].append((sent / wall, cpu / sent * 1000))
                wall, cpu, _, invited = run(nginx.url, rows, "--rate", "0", "--concurrency", str(concurrency))
                assert invited == sent, invited
                samples["run"].append((invited / wall, cpu / invited * 1000))
                if BEFORE:
                    # The build before a change, in the same round: an A/B.
                    wall, cpu, _, invited = run(nginx.url, rows, "--rate", "0", "--concurrency",
                                                str(concurrency), binary=BEFORE)
                    assert invited == sent, invited
                    samples.setdefault("before", []).append((invited / wall, cpu / invited * 1000))
    finally:
        nginx.stop()
    print(f"1. nginx answering 201, {rows:,} rows ({sent:,} sent), median of {RUNS} interleaved rounds, "
          "whole processes:")
    print("   | concurrency | client | invitations/s | CPU ms per invitation | runs (invitations/s) |")
    print("   |---|---|---|---|---|")
    for concurrency, samples in results.items():
        medians = {}
        for name, label in (("floor", "C floor (libcurl multi)"), ("peer", "aiohttp peer"), ("run", "batch-invite run")):
            rate = statistics.median(r for r, _ in samples[name])
            cpu = statistics.median(c for _, c in samples[name])
            medians[name] = (rate, cpu)
            print(f"   | {concurrency} | {label} | {rate:,.0f} | {cpu:.3f} | "
                  f"{', '.join(f'{r:,.0f}' for r, _ in samples[name])} |")
        if BEFORE:
            rate = statistics.median(r for r, _ in samples["before"])
            ratios = [after / before for (after, _), (before, _) in zip(samples["run"], samples["before"])]
            print(f"   | {concurrency} | run, the build before (BEFORE) | {rate:,.0f} | "
                  f"{statistics.median(c for _, c in samples['before']):.3f} | "
                  f"{', '.join(f'{r:,.0f}' for r, _ in samples['before'])} |")
            print(f"   | {concurrency} | run / the build before | {statistics.median(ratios):.3f} "
                  f"(per round {min(ratios):.3f}-{max(ratios):.3f}) | | |")
        run_rate, run_cpu = medians["run"]
        print(f"   | {concurrency} | run / peer | {run_rate / medians['peer'][0]:.2f}x (goal 3x) | "
              f"{run_cpu / medians['peer'][1]:.2f}x (goal at most 0.5x) | |")
        print(f"   | {concurrency} | run / floor | {run_rate / medians['floor'][0]:.2f}x (goal 0.33x) | "
              f"{run_cpu / medians['floor'][1]:.2f}x | |")


def latency():
    simulator = Simulator("--latency-ms", "50")
    try:
        wall, _, rss, invited = run(simulator.url, 10000, "--rate", "0", "--concurrency", "32")
    finally:
        simulator.stop()
    print(f"2. 50 ms latency, concurrency 32, --rate 0, 10,000 rows: {invited / wall:.0f} invitations/s over "
          f"{wall:.1f} s = {invited / wall / 640 * 100:.1f}% of the ideal 640/s (goal 95%; peak RSS {rss:.0f} MB)")


def rate():
    with tempfile.TemporaryDirectory() as scratch:
        log = os.path.join(scratch, "requests.jsonl")
        simulator = Simulator(log=log)
        try:
            run(simulator.url, 1000, "--rate", "50", "--concurrency", "8")
        finally:
            simulator.stop()
        times = sorted(time.mktime(time.strptime(entry["time"][:19], "%Y-%m-%dT%H:%M:%S")) + float(entry["time"][19:-1])
                       for entry in map(json.loads, open(log)))
    achieved = (len(times) - 1) / (times[-1] - times[0])
    busiest = max(sum(1 for t in times[i:] if t < start + 1) for i, start in enumerate(times))
    print(f"3. --rate 50, 1,000 rows: {len(times)} requests, achieved {achieved:.2f}/s "
          f"({(achieved / 50 - 1) * 100:+.2f}% of 50/s, goal within 2%), busiest 1-s window {busiest} requests "
          "(goal at most rate + burst = 51)")


def large():
    nginx = Nginx()
    try:
        wall, cpu, rss, invited = run(nginx.url, 1000000, "--rate", "0", "--concurrency", "32")
    finally:
        nginx.stop()
    print(f"4. 1,000,000 rows against nginx, concurrency 32: {invited:,} invited in {wall:.1f} s "
          f"({invited / wall:,.0f}/s, {cpu / invited * 1000:.3f} ms CPU each), peak RSS {rss:.1f} MB (goal 64 MB)")


if __name__ == "__main__":
    os.makedirs(DATA, exist_ok=True)
    throughput()
    latency()
    rate()
    if os.environ.get("LARGE"):
        large()
