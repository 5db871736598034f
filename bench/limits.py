"""What keeping the rate limits in the database costs, against keeping them in-process.

Replicas share a client's allowance through the database (hub/gateway/shared_limits.py),
drawing a block of it at a time: with the gateway's defaults (200 requests a second,
bursts of 400) a block is 10 requests, so a client within its limit costs one database
round trip per 10 requests. This measures:

1. The round trip: a draw's time, one client after another (p50 and p99), on SQLite and
   PostgreSQL; divided by the block it is the cost each allowed request carries.
2. A flood: 16 threads of one client far over its limit. Once its bucket was found empty
   it is refused from memory until it refills; checks a second, as a ratio of the
   in-process limiter's in the same run.

    make bench            # or: python bench/limits.py --seconds 3 --postgres URL
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub.config import DatabaseSettings  # noqa: E402
from hub.errors import TooManyRequests  # noqa: E402
from hub.gateway.rate_limit import Limiter, RateLimiter  # noqa: E402
from hub.gateway.shared_limits import SharedRateLimiter  # noqa: E402
from hub.store.engine import make_engine  # noqa: E402
from hub.store.migrate import upgrade  # noqa: E402

THREADS = 16
#: The gateway's defaults (GatewaySettings.rate_per_s, rate_burst).
RATE, BURST = 200.0, 400


def flood_checks_per_s(limiters: Sequence[Limiter], seconds: float) -> float:
    """Checks a second (nearly all refused) by THREADS threads of one client, spread
    over ``limiters`` (the replicas)."""
    counts = [0] * THREADS
    stop = threading.Event()

    def work(n: int) -> None:
        limiter = limiters[n % len(limiters)]
        done = 0
        while not stop.is_set():
            with contextlib.suppress(TooManyRequests):
                limiter.take("flooder")
            done += 1
        counts[n] = done

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def draw_ms(limiter: SharedRateLimiter, draws: int) -> tuple[float, float]:
    """p50 and p99 of a draw: each take is a new client's first, so each is a round trip
    (the costliest kind: the bucket row is made)."""
    times = []
    for n in range(draws):
        started = time.perf_counter()
        limiter.take(f"client-{uuid.uuid4().hex}-{n}")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)]


def shared(url: str, replicas: int) -> list[SharedRateLimiter]:
    engine = make_engine(DatabaseSettings(url=url))
    upgrade(engine)
    return [SharedRateLimiter(engine, rate_per_s=RATE, burst=BURST) for _ in range(replicas)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--draws", type=int, default=2_000)
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a server to make a throwaway database on ('' skips PostgreSQL)",
    )
    args = parser.parse_args()
    block = max(1, min(BURST, int(RATE / 20)))
    local = flood_checks_per_s([RateLimiter(rate_per_s=RATE, burst=BURST)], args.seconds)
    print(f"in-process limiter, one client flooding: {local:,.0f} checks/s ({THREADS} threads)")
    with tempfile.TemporaryDirectory() as folder:
        stores = {"SQLite": f"sqlite:///{folder}/limits.db"}
        with throwaway_postgres(args.postgres) as postgres:
            if postgres:
                stores["PostgreSQL"] = postgres
            for name, url in stores.items():
                p50, p99 = draw_ms(shared(url, 1)[0], args.draws)
                print(
                    f"shared limiter, {name}: a draw takes {p50:.2f} ms p50, {p99:.2f} ms p99; "
                    f"{p50 / block:.3f} ms per allowed request (blocks of {block})"
                )
                for replicas in (1, 2):
                    rate = flood_checks_per_s(shared(url, replicas), args.seconds)
                    print(
                        f"shared limiter, {name}, one client flooding, {replicas} replica(s): "
                        f"{rate:,.0f} checks/s = {rate / local:.2f} of in-process"
                    )


@contextlib.contextmanager
def throwaway_postgres(admin_url: str) -> Iterator[str | None]:
    """A database of its own on ``admin_url``'s server, dropped afterwards."""
    if not admin_url:
        yield None
        return
    import psycopg

    name = f"linkage_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
