"""Latency while a dependency stalls: the broker stopped (SIGSTOP by its pid) or the
audit store locked by another connection, with a bounded number of clients reading or
publishing meanwhile, and liveness and the catalogue sampled beside them.

It prints, per scenario, the answers by status and the p50/p99/worst latency of the
clients' requests, of ``/healthz`` and of ``/v1/streams``. It uses only what every
revision since the archive has had (the test stack, uvicorn), so that the same script
run on an older checkout gives the figures from before a fix:

    .venv/bin/python bench/faults.py                   # the three scenarios of issue 19
    .venv/bin/python bench/faults.py stall --clients 32 --seconds 10 --kind read

The clients are threads of this process, beside the gateway: a real client would not
share its interpreter lock, so these figures are if anything pessimistic.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.utils.events import STREAM, incident_report  # noqa: E402
from tests.utils.server import serving  # noqa: E402
from tests.utils.stack import Stack, gateway_stack  # noqa: E402

EVENTS = f"/v1/streams/{STREAM}/events"


@dataclass
class Samples:
    times: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def add(self, status: int, seconds: float) -> None:
        self.times.append(seconds)
        self.statuses[status] += 1

    def line(self, name: str) -> str:
        if not self.times:
            return f"{name:>12}: no answers"
        ordered = sorted(self.times)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        by_status = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return (
            f"{name:>12}: {len(ordered)} answers ({by_status}); p50"
            f" {statistics.median(ordered) * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms,"
            f" worst {ordered[-1] * 1000:,.0f} ms"
        )


def _event() -> dict[str, object]:
    report = incident_report(0, event_id=str(uuid.uuid4()))
    return {**report, "envelope": {**report["envelope"], "occurred_at": "2026-12-01T06:00:00Z"}}


#: Each reading client's pause between reads: together they stay inside one client's
#: rate limit (200 a second), so what is measured is the stall, not the limit.
READ_PAUSE_S = 0.25


def _load(
    url: str, bearers: dict[str, dict[str, str]], *, clients: int, kind: str, until: float
) -> tuple[list[threading.Thread], dict[str, Samples]]:
    """Client threads that repeat their request until ``until``; samplers of liveness
    and the catalogue beside them."""
    samples = {name: Samples() for name in (kind, "/healthz", "/v1/streams")}
    reader = bearers["health-dispatch"]
    publisher = {**bearers["emergency-console"], "Content-Type": "application/json"}

    def request(client: httpx.Client) -> int:
        if kind == "publish":
            return client.post(EVENTS, json=_event(), headers=publisher).status_code
        return client.get(EVENTS, headers=reader).status_code

    def repeat(name: str, send: Callable[[httpx.Client], int], pause_s: float) -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            while time.monotonic() < until:
                started = time.monotonic()
                try:
                    status = send(client)
                except httpx.HTTPError:
                    status = 0
                samples[name].add(status, time.monotonic() - started)
                time.sleep(pause_s)

    pause_s = READ_PAUSE_S if kind == "read" else 0.0
    threads = [
        threading.Thread(target=repeat, args=(kind, request, pause_s)) for _ in range(clients)
    ]
    threads.append(
        threading.Thread(
            target=repeat, args=("/healthz", lambda c: c.get("/healthz").status_code, 0.1)
        )
    )
    threads.append(
        threading.Thread(
            target=repeat,
            args=("/v1/streams", lambda c: c.get("/v1/streams", headers=reader).status_code, 0.25),
        )
    )
    return threads, samples


@contextmanager
def _broker_stopped(stack: Stack) -> Iterator[None]:
    broker = stack.hub.broker
    assert broker is not None
    assert broker.pid is not None
    os.kill(broker.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(broker.pid, signal.SIGCONT)


@contextmanager
def _audit_locked(stack: Stack) -> Iterator[None]:
    """Another connection holds SQLite's write lock (the audit store's) meanwhile."""
    with stack.services.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.isolation_level = None
        raw.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            raw.execute("ROLLBACK")


def run(scenario: str, *, clients: int, seconds: float, kind: str) -> None:
    fault = _broker_stopped if scenario == "stall" else _audit_locked
    with (
        tempfile.TemporaryDirectory() as tmp,
        gateway_stack(Path(tmp)) as stack,
        serving(stack.http.app) as url,
    ):
        # Tokens first (issuing one is audited too), and the producer and a first page.
        bearers = {name: stack.bearer(name) for name in ("health-dispatch", "emergency-console")}
        with httpx.Client(base_url=url) as warm:
            headers = {**bearers["emergency-console"], "Content-Type": "application/json"}
            warm.post(EVENTS, json=_event(), headers=headers).raise_for_status()
            warm.get(EVENTS, headers=bearers["health-dispatch"]).raise_for_status()
        with fault(stack):
            threads, samples = _load(
                url, bearers, clients=clients, kind=kind, until=time.monotonic() + seconds
            )
            for thread in threads:
                thread.start()
            time.sleep(seconds)
        for thread in threads:
            thread.join(300)
    what = "broker stopped" if scenario == "stall" else "audit store locked"
    print(f"{what} for {seconds:g} s, {clients} clients that {kind}:")
    for name, taken in samples.items():
        print(taken.line(name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", choices=("stall", "audit-lock"))
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--kind", choices=("read", "publish"), default="read")
    args = parser.parse_args()
    if args.scenario:
        run(args.scenario, clients=args.clients, seconds=args.seconds, kind=args.kind)
        return
    for kind in ("read", "publish"):
        run("stall", clients=32, seconds=10, kind=kind)
        run("stall", clients=48, seconds=20, kind=kind)
    run("audit-lock", clients=8, seconds=10, kind="read")


if __name__ == "__main__":
    main()
