"""Serde and registry throughput, as ratios measured in one run.

- encode: the hub's AvroSerializer (field-path validation + Confluent framing) against
  plain fastavro ``schemaless_writer`` on the same records, and without validation;
- decode: the hub's AvroDeserializer (unframing + schema-id lookup) against plain
  fastavro ``schemaless_reader``;
- registry: schema-by-id lookups per second from the warm in-process cache, and over
  HTTP against the running gateway (``GET /registry/schemas/ids/{id}``, each one
  authenticated and audited), the call a deserializer makes on a cache miss.

    python bench/serde.py --records 20000
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastavro
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub.catalog.files import SchemaCatalog  # noqa: E402
from hub.identity import STREAMS_READ  # noqa: E402
from hub.registry.cache import SchemaCache  # noqa: E402
from hub.serde.avro import AvroDeserializer, AvroSerializer, CompiledSchema  # noqa: E402

STREAMS = {
    "meteorology.warning": "linkage.meteorology.Warning",
    "emergency.incident-report": "linkage.emergency.IncidentReport",
    "health.casualty-transfer": "linkage.health.CasualtyTransfer",
}


def rate(count: int, action: Callable[[], None], *, runs: int = 3) -> float:
    """Best of ``runs`` after one warm-up: the least disturbed run on a shared machine."""
    return best_rates(count, {"x": action}, runs=runs)["x"]


def best_rates(
    count: int, actions: dict[str, Callable[[], None]], *, runs: int = 5
) -> dict[str, float]:
    """Contenders run in turn, round after round, so that noise hits all of them alike."""
    best = dict.fromkeys(actions, float("inf"))
    for action in actions.values():
        action()
    for _ in range(runs):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: count / seconds for name, seconds in best.items()}


def serde_rates(schema: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, float]:
    compiled = CompiledSchema.build(1, schema, json.dumps(schema))
    parsed = fastavro.parse_schema(schema)
    hub_encode = AvroSerializer(compiled)
    hub_encode_unchecked = AvroSerializer(compiled, validate=False)
    decode = AvroDeserializer(lambda _id: compiled)

    def plain_encode() -> None:
        for event in events:
            buffer = io.BytesIO()
            fastavro.schemaless_writer(buffer, parsed, event)

    framed = [hub_encode(e) for e in events]
    bodies = [f[5:] for f in framed]

    def plain_decode() -> None:
        for body in bodies:
            fastavro.schemaless_reader(io.BytesIO(body), parsed, None)

    def each(function: Callable[[Any], Any], items: list[Any]) -> Callable[[], None]:
        # Results are dropped, as in the fastavro loops: keeping them would add GC work.
        def loop() -> None:
            for item in items:
                function(item)

        return loop

    return best_rates(
        len(events),
        {
            "fastavro encode": plain_encode,
            "hub encode": each(hub_encode, events),
            "hub encode (no validation)": each(hub_encode_unchecked, events),
            "fastavro decode": plain_decode,
            "hub decode": each(decode, framed),
        },
    )


def registry_rates(lookups: int, http_lookups: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from hub.gateway.auth.clients import ClientStore
    from hub.stack import gateway_app, open_stack
    from tests.utils.server import serving
    from tests.utils.settings import make_settings

    with tempfile.TemporaryDirectory() as tmp, open_stack(make_settings(Path(tmp))) as hub:
        sessions = hub.sessions
        ids = [s.schema_id for s in hub.registered.values()]
        cache = SchemaCache(hub.registry.decodable)
        for schema_id in ids:
            cache(schema_id)

        def warm() -> None:
            for i in range(lookups):
                cache(ids[i % len(ids)])

        in_process = rate(lookups, warm, runs=1)
        client = ClientStore(sessions).ensure(
            client_id="bench-registry", agency="health", scopes=frozenset({STREAMS_READ})
        )
        app = gateway_app(hub)
        with (
            TestClient(app),
            serving(app) as base,
            httpx.Client(
                base_url=f"{base}/registry", auth=(client.client_id, client.client_secret)
            ) as http,
        ):
            http.get(f"/schemas/ids/{ids[0]}").raise_for_status()  # warms the Basic-auth cache

            def over_http() -> None:
                for i in range(http_lookups):
                    http.get(f"/schemas/ids/{ids[i % len(ids)]}").raise_for_status()

            remote = rate(http_lookups, over_http, runs=1)
    return {"cache lookups": in_process, "HTTP lookups": remote}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--http-lookups", type=int, default=1_000)
    args = parser.parse_args()
    catalog = SchemaCatalog.load(ROOT / "schemas")
    examples = ROOT / "tests" / "data" / "events"
    print(f"records per schema: {args.records} (the stream's example events, repeated)")
    print(
        f"{'schema':<34} {'encode hub/fastavro':>20} {'(no validation)':>16} {'decode hub/fastavro':>20}"
    )
    for stream, name in STREAMS.items():
        samples = json.loads((examples / f"{stream}.json").read_text())
        events = [samples[i % len(samples)] for i in range(args.records)]
        r = serde_rates(catalog.resolve(name), events)
        print(
            f"{name.rpartition('.')[2]:<34} {r['hub encode'] / r['fastavro encode']:>20.2f}"
            f" {r['hub encode (no validation)'] / r['fastavro encode']:>16.2f}"
            f" {r['hub decode'] / r['fastavro decode']:>20.2f}"
            f"   (fastavro {r['fastavro encode']:,.0f} enc/s, {r['fastavro decode']:,.0f} dec/s)"
        )
    registry = registry_rates(args.lookups, args.http_lookups)
    print("registry, warm cache:")
    print(
        f"  schema-by-id from the in-process cache   {registry['cache lookups']:>12,.0f} lookups/s"
    )
    print(
        f"  GET /registry/schemas/ids/{{id}} (HTTP)   {registry['HTTP lookups']:>12,.0f} lookups/s"
        "  (each authenticated and audited)"
    )


if __name__ == "__main__":
    main()
