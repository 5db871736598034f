"""The HTTP client of the integrator benchmark, in a process of its own: parsing pages and
sending 400 kB bodies on the gateway's interpreter lock would bill the gateway for its
client's work, as no real deployment does. Prints ``{"events": n, "seconds": s}``.

    python bench/http_client.py history --base URL --token T --stream S --expected N
    python bench/http_client.py publish --base URL --token T --stream S --bodies FILE

``--bodies`` holds one batch body (JSON) per line, encoded before the clock starts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import orjson


def history(http: httpx.Client, stream: str, expected: int) -> int:
    seen, cursor = 0, None
    while True:
        params: dict[str, Any] = {"limit": 1000}
        if cursor:
            params["cursor"] = cursor
        page = http.get(f"/v1/streams/{stream}/events", params=params)
        page.raise_for_status()
        body: dict[str, Any] = orjson.loads(page.content)
        seen += int(body["count"])
        cursor = body["next"]
        if not body["more"]:
            if seen != expected:
                raise RuntimeError(f"read {seen} of {expected} events")
            return seen


def publish(http: httpx.Client, stream: str, bodies: list[bytes]) -> int:
    published = 0
    for body in bodies:
        answer = http.post(
            f"/v1/streams/{stream}/events/batch",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        answer.raise_for_status()
        published += len(orjson.loads(answer.content)["results"])
    return published


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("history", "publish"))
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--expected", type=int, default=0)
    parser.add_argument("--bodies", type=Path)
    args = parser.parse_args()
    bodies = args.bodies.read_bytes().splitlines() if args.bodies else []
    headers = {"Authorization": f"Bearer {args.token}"}
    with httpx.Client(base_url=args.base, headers=headers, timeout=120) as http:
        http.get("/healthz").raise_for_status()  # connected before the clock starts
        started = time.perf_counter()
        if args.what == "history":
            events = history(http, args.stream, args.expected)
        else:
            events = publish(http, args.stream, bodies)
        seconds = time.perf_counter() - started
    sys.stdout.write(orjson.dumps({"events": events, "seconds": seconds}).decode() + "\n")


if __name__ == "__main__":
    main()
