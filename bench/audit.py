"""What the verifiable audit log costs, as ratios measured in one run.

1. Audited ``GET /registry/schemas/ids/{id}`` over HTTP (16 clients at once) against the
   same route with a no-op audit sink. Goal: at least 0.7.
2. Chain appends through the writer (seq, hashes, tree nodes, checkpoints, group
   commit) against plain batched inserts of the same rows, on SQLite and, when it is
   reachable, PostgreSQL. Goal: at least 0.5.
3. ``verify`` rate: rows checked per second from their content up. Goal: 100,000/s.
4. Proof generation at one million rows: p50 and p99 of inclusion and consistency
   proofs read from the stored tree.

    make bench            # or: python bench/audit.py --proof-rows 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Everything the run uses is imported before the first measurement (see pipeline.py).
from sqlalchemy import Engine, Table, insert  # noqa: E402

import hub.gateway.app  # noqa: E402, F401
from hub.audit.entry import AuditEntry, stored_values  # noqa: E402
from hub.audit.proofs import AuditProofs  # noqa: E402
from hub.audit.signing import load_signer  # noqa: E402
from hub.audit.verify import verify_log  # noqa: E402
from hub.audit.writer import AuditWriter  # noqa: E402
from hub.config import AuditSettings, DatabaseSettings, Settings  # noqa: E402
from hub.gateway.auth.clients import ClientStore  # noqa: E402
from hub.identity import STREAMS_READ  # noqa: E402
from hub.stack import gateway_app, open_stack  # noqa: E402
from hub.store.engine import make_engine  # noqa: E402
from hub.store.migrate import upgrade  # noqa: E402
from hub.store.models import AuditRow, AuditTreeNode  # noqa: E402
from hub.tlog.canonical import canonical_parts  # noqa: E402
from hub.tlog.sealing import Head, seal  # noqa: E402

POSTGRES_ADMIN = os.environ.get(
    "HUB_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
_LOG = cast(Table, AuditRow.__table__)
_NODES = cast(Table, AuditTreeNode.__table__)


class NoAudit:
    """The no-op sink: the same route, nothing written."""

    async def append(self, entry: AuditEntry) -> int:
        return 0


def entry(n: int) -> AuditEntry:
    return AuditEntry(
        request_id=uuid.uuid4().hex,
        action="registry.schema",
        decision="allow",
        reason="scope streams:read; read schema 3",
        status=200,
        client_id="bench-registry",
        agency="health",
        resource=f"schema_id={n % 17}",
        trace_id=uuid.uuid4().hex,
    )


# -- 1. audited HTTP route against a no-op sink --------------------------------------------


def unlimited(settings: Settings) -> Settings:
    """One client makes every request here: its rate limit is not what is measured."""
    gateway = settings.gateway.model_copy(update={"rate_per_s": 1e9, "rate_burst": 10**9})
    return settings.model_copy(update={"gateway": gateway})


def http_ratio(requests: int, clients: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from tests.utils.server import serving
    from tests.utils.settings import make_settings

    with (
        tempfile.TemporaryDirectory() as tmp,
        open_stack(unlimited(make_settings(Path(tmp)))) as stack,
    ):
        ids = [s.schema_id for s in stack.registered.values()]
        client = ClientStore(stack.sessions).ensure(
            client_id="bench-registry", agency="health", scopes=frozenset({STREAMS_READ})
        )
        app = gateway_app(stack)
        with TestClient(app), serving(app) as base:
            services = app.state.services
            audited, nothing = services.audit, NoAudit()

            def run() -> float:
                per_client = requests // clients
                barrier = threading.Barrier(clients + 1)

                def work() -> None:
                    with httpx.Client(
                        base_url=f"{base}/registry", auth=(client.client_id, client.client_secret)
                    ) as http:
                        http.get(f"/schemas/ids/{ids[0]}").raise_for_status()
                        barrier.wait()
                        for i in range(per_client):
                            http.get(f"/schemas/ids/{ids[i % len(ids)]}").raise_for_status()

                threads = [threading.Thread(target=work) for _ in range(clients)]
                for thread in threads:
                    thread.start()
                barrier.wait()
                started = time.perf_counter()
                for thread in threads:
                    thread.join()
                return per_client * clients / (time.perf_counter() - started)

            rates: dict[str, list[float]] = {"audited": [], "no-op": []}
            for _ in range(2):  # interleaved, best of two
                services.audit = audited
                rates["audited"].append(run())
                services.audit = nothing
                rates["no-op"].append(run())
            services.audit = audited
    return {name: max(values) for name, values in rates.items()}


# -- 2. chain appends against plain batched inserts --------------------------------------


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[Engine | None]:
    if kind == "sqlite":
        engine = make_engine(DatabaseSettings(url=f"sqlite:///{tmp}/{uuid.uuid4().hex}.db"))
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    try:
        import psycopg

        name = f"linkage_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        print(f"  (PostgreSQL not reachable, skipped: {type(exc).__name__})")
        yield None
        return
    engine = make_engine(DatabaseSettings(url=f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{name}"))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def plain_inserts(engine: Engine, rows: int, batch: int) -> float:
    """The same entries, made into rows and inserted in batches, with no chain at all."""
    entries = [entry(n) for n in range(rows)]
    started = time.perf_counter()
    for start in range(0, rows, batch):
        values = [stored_values(e) for e in entries[start : start + batch]]
        for i, row in enumerate(values):
            row["seq"], row["leaf_hash"], row["chain_hash"] = start + i, "", ""
        with engine.begin() as connection:
            connection.execute(insert(_LOG), values)
    return rows / (time.perf_counter() - started)


def chain_appends(engine: Engine, rows: int, batch: int, keys: Path) -> float:
    """The same entries through the writer's batch path: made into rows, sealed into the
    chain and the tree, checkpointed, committed in batches, on one thread as plain."""
    settings = AuditSettings(origin="bench/audit", key_dir=keys, batch_max=batch)
    signer = load_signer(keys, name=settings.origin, create=True)
    writer = AuditWriter(engine, settings, signer)
    entries = [entry(n) for n in range(rows)]
    started = time.perf_counter()
    for start in range(0, rows, batch):
        writer.write_batch(entries[start : start + batch])
    elapsed = time.perf_counter() - started
    writer.close()
    return rows / elapsed


def handed_over(engine: Engine, rows: int, batch: int, keys: Path) -> float:
    """What requests see: each row handed to the writer thread, waited for together."""
    settings = AuditSettings(
        origin="bench/audit", key_dir=keys, batch_max=batch, queue_max=rows + 1
    )
    writer = AuditWriter(engine, settings, load_signer(keys, name=settings.origin, create=True))
    writer.start()
    entries = [entry(n) for n in range(rows)]
    started = time.perf_counter()
    futures = [writer.submit(e) for e in entries]
    futures[-1].result(timeout=600)
    elapsed = time.perf_counter() - started
    writer.close()
    return rows / elapsed


# -- 3. and 4. verify rate, proofs at a million rows -------------------------------------


def bulk_sealed(engine: Engine, rows: int, chunk: int = 20_000) -> None:
    """Rows sealed exactly as the writer seals them, inserted in large chunks (fast)."""
    head = Head()
    for start in range(0, rows, chunk):
        values = [stored_values(entry(n)) for n in range(start, min(rows, start + chunk))]
        sealed, nodes = seal(head, [canonical_parts(v) for v in values])
        with engine.begin() as connection:
            connection.execute(
                insert(_LOG),
                [
                    {**v, "seq": s.seq, "leaf_hash": s.leaf_hash, "chain_hash": s.chain_hash}
                    for v, s in zip(values, sealed, strict=True)
                ],
            )
            if nodes:
                connection.execute(
                    insert(_NODES), [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in nodes]
                )


def verify_rate(engine: Engine) -> tuple[float, int]:
    started = time.perf_counter()
    with engine.connect() as connection:
        report = verify_log(connection, origin="bench/audit", keys=[])
    assert report.ok, report.findings[:1]
    return report.rows / (time.perf_counter() - started), report.rows


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def proof_latency(engine: Engine, size: int, samples: int) -> dict[str, tuple[float, float]]:
    proofs = AuditProofs(engine)
    chooser = random.Random(7)

    def timed(action: Callable[[], Any]) -> float:
        started = time.perf_counter()
        action()
        return (time.perf_counter() - started) * 1000

    inclusion = [
        timed(lambda: proofs.inclusion(seq=chooser.randrange(size), size=size))
        for _ in range(samples)
    ]

    def consistent(first: int) -> Callable[[], Any]:
        return lambda: proofs.consistency(first=first, second=size)

    consistency = [timed(consistent(chooser.randrange(1, size))) for _ in range(samples)]
    return {"inclusion": percentiles(inclusion), "consistency": percentiles(consistency)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--proof-rows", type=int, default=1_000_000)
    parser.add_argument("--proof-samples", type=int, default=1_000)
    args = parser.parse_args()

    http = http_ratio(args.requests, args.clients)
    print(f"audited registry read over HTTP, {args.clients} clients at once:")
    print(f"  audited                            {http['audited']:>10,.0f} requests/s")
    print(f"  no-op audit sink                   {http['no-op']:>10,.0f} requests/s")
    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp) / "keys"
        appends = {}
        for kind in ("sqlite", "postgresql"):
            with database(kind, Path(tmp)) as engine:
                if engine is None:
                    continue
                plain = plain_inserts(engine, args.rows, args.batch)
            with database(kind, Path(tmp)) as engine:
                assert engine is not None
                chained = chain_appends(engine, args.rows, args.batch, keys)
            with database(kind, Path(tmp)) as engine:
                assert engine is not None
                busy = handed_over(engine, args.rows, args.batch, keys)
            appends[kind] = (chained, plain)
            print(f"audit rows on {kind}, {args.rows:,} rows, batches of {args.batch}:")
            print(f"  writer (chain, tree, checkpoints)  {chained:>10,.0f} rows/s")
            print(f"  writer thread, rows handed over    {busy:>10,.0f} rows/s")
            print(f"  plain batched inserts              {plain:>10,.0f} rows/s")
        with database("sqlite", Path(tmp)) as engine:
            assert engine is not None
            started = time.perf_counter()
            bulk_sealed(engine, args.proof_rows)
            built = time.perf_counter() - started
            # A stored log, as `hub audit verify` meets it: written back from the WAL into
            # the database file. The first pass reads it from disk, the second from cache.
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            cold, rows = verify_rate(engine)
            rate, rows = verify_rate(engine)
            latency = proof_latency(engine, rows, args.proof_samples)
    print(f"a log of {rows:,} rows on sqlite (sealed and stored in {built:.0f} s):")
    print(f"  verify, first pass                 {cold:>10,.0f} rows/s")
    print(f"  verify, second pass                {rate:>10,.0f} rows/s   (goal: 100,000)")
    for kind, (p50, p99) in latency.items():
        print(f"  {kind + ' proof':<34} p50 {p50:5.2f} ms   p99 {p99:5.2f} ms")
    print("ratios:")
    print(
        f"  audited / no-op sink                {http['audited'] / http['no-op']:>9.2f}   "
        "(goal: at least 0.7)"
    )
    for kind, (chained, plain) in appends.items():
        print(
            f"  chain / plain inserts, {kind:<10}   {chained / plain:>9.2f}   (goal: at least 0.5)"
        )


if __name__ == "__main__":
    main()
