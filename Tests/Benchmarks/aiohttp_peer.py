#!/usr/bin/env python3
"""The peer for `make bench-run`: the same POSTs as `batch-invite run` makes, sent by a
small asyncio client on aiohttp (one session, a connection pool of CONCURRENCY, as many
requests in flight), counting the 2xx answers.

usage: aiohttp_peer.py URL BODIES CONCURRENCY   (BODIES: one JSON body per line)
"""
import asyncio
import sys
import time

import aiohttp


async def main(url, bodies, concurrency):
    headers = {"Authorization": "Bearer bench-token", "Accept": "application/json",
               "Content-Type": "application/json"}
    pending = iter(bodies)
    succeeded = 0

    async def worker(session):
        nonlocal succeeded
        for body in pending:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    succeeded += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    print(f"{succeeded} succeeded of {len(bodies)} in {elapsed:.3f} s")
    return succeeded == len(bodies)


if __name__ == "__main__":
    url, path, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, "rb") as file:
        bodies = [line.rstrip(b"\n") for line in file if line.strip()]
    sys.exit(0 if asyncio.run(main(url, bodies, concurrency)) else 1)
