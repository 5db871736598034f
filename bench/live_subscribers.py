"""Subscribers for the live-feed benchmark, in a process of their own: the gateway's
process should not also carry a hundred clients on its interpreter lock, as no real
deployment would. Opens the feeds, says ``ready`` on stdout, then notes the wall-clock
arrival of each event on each feed and prints them as JSON when every feed has seen
``--events`` events (or ``--timeout`` passes).

    python bench/live_subscribers.py --base URL --token T --stream S --subscribers 100 --events 100
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import httpx
import orjson


async def run(args: argparse.Namespace) -> dict[str, list[float]]:
    arrivals: dict[str, list[float]] = {}
    opened = 0
    finished = 0
    everyone = asyncio.Event()

    async def listen(client: httpx.AsyncClient) -> None:
        nonlocal opened, finished
        seen = 0
        headers = {"Authorization": f"Bearer {args.token}"}
        async with client.stream(
            "GET", f"/v1/streams/{args.stream}/live", headers=headers, timeout=None
        ) as answer:
            kind = ""
            async for line in answer.aiter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "ready":
                    opened += 1
                    if opened == args.subscribers:
                        print("ready", flush=True)
                elif line.startswith("data: ") and kind == "event":
                    at = time.time()
                    event_id = orjson.loads(line[6:])["event"]["envelope"]["event_id"]
                    arrivals.setdefault(event_id, []).append(at)
                    seen += 1
                    if seen == args.events:
                        finished += 1
                        if finished == args.subscribers:
                            everyone.set()
                        return

    limits = httpx.Limits(max_connections=args.subscribers + 10)
    async with httpx.AsyncClient(base_url=args.base, limits=limits) as client:
        tasks = [asyncio.create_task(listen(client)) for _ in range(args.subscribers)]
        try:
            await asyncio.wait_for(everyone.wait(), args.timeout)
        finally:
            for task in tasks:
                task.cancel()
    return arrivals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=180)
    arrivals = asyncio.run(run(parser.parse_args()))
    sys.stdout.write(orjson.dumps(arrivals).decode() + "\n")


if __name__ == "__main__":
    main()
