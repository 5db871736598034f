"""What the access policy costs, against plain decoding and against reading unmasked.

1. Per record: the decision, the plan lookup and filtering and masking of an incident
   report (reporter name and phone redacted or partial, the address and the point
   coarsened), against plain fastavro decoding of the same record. Goal: under 0.5.
2. The gateway's paged HTTP read of the same stream with masking on (Health, through
   its grant) against masking off (the owner), in one run. Goal: at least 0.9.

    make bench            # or: python bench/policy.py --events 10000 --page 1000
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import fastavro
import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# Everything the run uses is imported before the first measurement (see pipeline.py).
from pipeline import make_events  # noqa: E402

import hub.gateway.app  # noqa: E402, F401
from hub.bus.broker import free_port  # noqa: E402
from hub.catalog.files import SchemaCatalog  # noqa: E402
from hub.config import (  # noqa: E402
    AuthSettings,
    DatabaseSettings,
    GatewaySettings,
    KafkaSettings,
    PolicySettings,
    Settings,
)
from hub.gateway.auth.clients import ClientStore  # noqa: E402
from hub.identity import STREAMS_READ  # noqa: E402
from hub.policy.decision import decide  # noqa: E402
from hub.policy.keys import MaskKeys  # noqa: E402
from hub.policy.loader import load_policy  # noqa: E402
from hub.policy.plan_cache import PlanCache  # noqa: E402
from hub.stack import gateway_app, open_stack  # noqa: E402

STREAM = "emergency.incident-report"


def per_record(events: list[dict[str, Any]], tmp: Path) -> dict[str, float]:
    policy = load_policy(ROOT / "policies")
    stream = policy.stream(STREAM)
    assert stream is not None
    schema = SchemaCatalog.load(ROOT / "schemas").resolve(stream.schema_name)
    parsed = fastavro.parse_schema(schema)
    bodies = []
    for event in events:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, parsed, event)
        bodies.append(buffer.getvalue())
    decoded: list[Any] = [fastavro.schemaless_reader(io.BytesIO(b), parsed, None) for b in bodies]
    text = __import__("json").dumps(schema)
    plans = PlanCache(MaskKeys(tmp / "masks", create=True))

    def decode_all() -> None:
        for body in bodies:
            fastavro.schemaless_reader(io.BytesIO(body), parsed, None)

    masked_fields: set[str] = set()

    def police_all() -> None:
        for record in decoded:
            decision = decide(policy, agency="health", stream=stream, action="read")
            plan = plans.plan(policy, decision, 1, lambda: text)
            plan.apply(record)
            masked_fields.update(plan.masked)

    police_all()  # compile the plan once, as the first request would
    t_decode = best_of(decode_all)
    t_policy = best_of(police_all)
    print(f"  masked: {', '.join(sorted(masked_fields))}")
    return {
        "decode": len(bodies) / t_decode,
        "policy": len(bodies) / t_policy,
        "ratio": t_policy / t_decode,
    }


def best_of(action: Any, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def page_reads(events: list[dict[str, Any]], tmp: Path, page: int) -> dict[str, float]:
    port = free_port()
    configured = Settings(
        env="test",
        var_dir=tmp / "var",
        database=DatabaseSettings(url=f"sqlite:///{tmp}/bench.db"),
        auth=AuthSettings(key_dir=tmp / "keys"),
        kafka=KafkaSettings(fetch_max_wait_ms=10),
        gateway=GatewaySettings(port=port, page_max=max(1_000, page)),
        policy=PolicySettings(mask_key_dir=tmp / "masks"),
    )
    with open_stack(configured) as hub, hub.archiving() as archiving:
        publisher = hub.bus.publisher()
        sink = hub.sink(STREAM, publisher)
        for event in events:
            sink.publish(event)
        sink.flush()
        publisher.close()
        # Pages come from the archive: it must hold every event before the clock starts.
        assert not hub.wait_archived(archiving.archiver), "the archive is behind"
        clients = ClientStore(hub.sessions)
        readers = {
            agency: clients.ensure(
                client_id=f"bench-{agency}", agency=agency, scopes=frozenset({STREAMS_READ})
            )
            for agency in ("health", "emergency")
        }
        server = uvicorn.Server(
            uvicorn.Config(gateway_app(hub), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        rates: dict[str, float] = {}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            while not server.started:
                time.sleep(0.05)
            for agency, client in readers.items():
                token = http.post(
                    "/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(client.client_id, client.client_secret),
                ).json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                read_all(http, headers, page, len(events))  # warm: plans, schema cache, pool
                rates[agency] = len(events) / best_of(
                    lambda h=headers: read_all(http, h, page, len(events)), runs=2
                )
        server.should_exit = True
        thread.join(timeout=10)
    return {"masked": rates["health"], "unmasked": rates["emergency"]}


def read_all(http: httpx.Client, headers: dict[str, str], page: int, expected: int) -> None:
    seen, cursor = 0, None
    while seen < expected:
        params: dict[str, Any] = {"limit": page}
        if cursor:
            params["cursor"] = cursor
        response = http.get(f"/v1/streams/{STREAM}/events", params=params, headers=headers)
        response.raise_for_status()
        body = response.json()
        seen += body["count"]
        cursor = body["next"]
        if not body["more"] and seen < expected:
            raise RuntimeError(f"read {seen} of {expected} events")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=1_000)
    args = parser.parse_args()
    events = make_events(args.events)
    with tempfile.TemporaryDirectory() as tmp:
        print(
            f"events: {args.events}, stream {STREAM}, reader health (its grant masks), owner emergency"
        )
        record = per_record(events, Path(tmp))
        reads = page_reads(events, Path(tmp), args.page)
    print(f"  fastavro decode                  {record['decode']:>10,.0f} records/s")
    print(f"  decision + filter + mask         {record['policy']:>10,.0f} records/s")
    print(f"  gateway read, masking on         {reads['masked']:>10,.0f} ev/s")
    print(f"  gateway read, masking off        {reads['unmasked']:>10,.0f} ev/s")
    print("ratios:")
    print(f"  policy time / decode time        {record['ratio']:>10.2f}   (goal: under 0.5)")
    print(
        f"  masked read / unmasked read      {reads['masked'] / reads['unmasked']:>10.2f}   (goal: at least 0.9)"
    )


if __name__ == "__main__":
    main()
