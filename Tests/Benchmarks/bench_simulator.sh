#!/usr/bin/env bash
# `make bench-simulator`: requests per second the simulator serves with keep-alive to wrk
# at 32 connections, for each endpoint, with and without its request log; then its peak RSS.
# usage: bench_simulator.sh BINARY [SECONDS] [RUNS]
set -euo pipefail
binary=$1
seconds=${2:-10}
runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

start() {
    "$binary" simulate --token bench-token --seed 1 "$@" > "$work/out" 2> /dev/null &
    pid=$!
    for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.05; done
    port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/out")
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| endpoint | request log | requests/s (median of $runs x ${seconds}s) | simulator peak RSS |"
echo "|---|---|---|---|"
for script in sendoso cyberark; do
    for log in off on; do
        if [ "$log" = on ]; then start --request-log "$work/requests.jsonl"; else start; fi
        rates=$(for _ in $(seq "$runs"); do
            wrk -t2 -c32 -d"${seconds}s" -s "$here/$script.lua" "http://127.0.0.1:$port" | awk '/Requests\/sec/ {print $2}'
        done | median)
        rss=$(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status")
        kill -TERM "$pid"; wait "$pid" || true
        echo "| $script | $log | $rates | $rss |"
    done
done
