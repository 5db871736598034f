"""What keeping the rate limits in the database costs, against keeping them in-process.

Replicas share a client's allowance through the database (hub/gateway/shared_limits.py),
drawing a block of it at a time. This counts rate-limit checks a second with 16 threads
of a few clients, all far below their limits, on each store, and prints the shared
limiter's rate as a ratio of the in-process one's in the same run. A request costs far
more than its check (a token, a decision, an audit row), so the ratio bounds the cost:
it is not the slowdown a client sees.

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
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub.config import DatabaseSettings  # noqa: E402
from hub.gateway.rate_limit import Limiter, RateLimiter  # noqa: E402
from hub.gateway.shared_limits import SharedRateLimiter  # noqa: E402
from hub.store.engine import make_engine  # noqa: E402
from hub.store.migrate import upgrade  # noqa: E402

THREADS = 16
CLIENTS = 4
#: Far above what the threads can ask: the check, never a refusal, is measured.
RATE, BURST = 1_000_000.0, 1_000_000


def checks_per_s(limiters: list[Limiter], seconds: float) -> float:
    """Checks a second by THREADS threads spread over ``limiters`` (the replicas)."""
    counts = [0] * THREADS
    stop = threading.Event()

    def work(n: int) -> None:
        limiter, client = limiters[n % len(limiters)], f"client-{n % CLIENTS}"
        done = 0
        while not stop.is_set():
            limiter.take(client)
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


def shared(url: str, replicas: int) -> list[Limiter]:
    engine = make_engine(DatabaseSettings(url=url))
    upgrade(engine)
    return [SharedRateLimiter(engine, rate_per_s=RATE, burst=BURST) for _ in range(replicas)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a server to make a throwaway database on ('' skips PostgreSQL)",
    )
    args = parser.parse_args()
    local = checks_per_s([RateLimiter(rate_per_s=RATE, burst=BURST)], args.seconds)
    print(f"in-process limiter: {local:,.0f} checks/s ({THREADS} threads)")
    with tempfile.TemporaryDirectory() as folder:
        stores = {"SQLite": f"sqlite:///{folder}/limits.db"}
        with throwaway_postgres(args.postgres) as postgres:
            if postgres:
                stores["PostgreSQL"] = postgres
            for name, url in stores.items():
                for replicas in (1, 2):
                    rate = checks_per_s(shared(url, replicas), args.seconds)
                    print(
                        f"shared limiter, {name}, {replicas} replica(s): {rate:,.0f} "
                        f"checks/s = {rate / local:.2f} of in-process"
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
