"""Pipeline throughput against raw kafka-python, measured in one run on the same events.

Prints events/s for raw kafka-python produce and consume (pre-encoded bytes, no
validation, no HTTP), the SDK's publish (envelope, validation, framing, trace header)
and the gateway's paged HTTP read from the archive (token check, policy, decode, JSON,
audit row), and the ratios between them. Ratios, not absolute figures, are what to compare across runs:
this machine is shared and noisy.

    make bench            # or: python bench/pipeline.py --events 10000 --page 1000
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fastavro
import httpx
import uvicorn
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import landslide  # noqa: E402

# Everything the run uses is imported before the first measurement, the gateway too, so
# that raw and hub rates are taken in one process state: importing the gateway only
# after the raw phase moved the raw produce and decode rates by a fifth here.
import hub.gateway.app  # noqa: E402, F401
from hub.bus.broker import free_port  # noqa: E402
from hub.bus.records import TopicSpec  # noqa: E402
from hub.catalog.files import SchemaCatalog  # noqa: E402
from hub.config import AuthSettings, DatabaseSettings, GatewaySettings, KafkaSettings, Settings  # noqa: E402
from hub.gateway.auth.clients import ClientStore  # noqa: E402
from hub.identity import STREAMS_READ  # noqa: E402
from hub.stack import gateway_app, open_stack  # noqa: E402

STREAM = "emergency.incident-report"


def make_events(count: int) -> list[dict[str, Any]]:
    start = datetime(2015, 12, 20, 3, 40, tzinfo=UTC)
    return [
        {
            "envelope": {
                "event_id": str(uuid.uuid4()),
                "source_agency": "emergency",
                "occurred_at": start + timedelta(seconds=i),
                "published_at": start + timedelta(seconds=i, milliseconds=250),
                "incident_id": "INC-2015-GM-01",
                "classification": landslide.classification(),
                "severity": "I",
                "area": landslide.area(),
                "sensitivity": "RESTRICTED",
            },
            "report_id": f"EMB-{i:06d}",
            "title": "Landslide at an industrial park in Guangming",
            "description": "Rescue teams on site; surrounding residents evacuated; gas pipeline shut off.",
            "status": "RESPONDING",
            "reported_by": "Guangming district duty office",
            "reporter_name": "Zhang Wei",
            "reporter_phone": "13800000000",
            "address": "Hengtaiyu Industrial Park",
            "casualties": {"deaths": 0, "injured": i % 9, "missing": 4, "trapped": 1},
        }
        for i in range(count)
    ]


def timed(action: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    count = action()
    return count, time.perf_counter() - started


def raw_produce(bootstrap: str, topic: str, values: list[bytes]) -> int:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    for value in values:
        producer.send(topic, value)
    producer.flush()
    producer.close()
    return len(values)


def raw_consume(
    bootstrap: str, topic: str, expected: int, decode: Callable[[bytes], Any] | None = None
) -> int:
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=10
    )
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek(tp, 0)
    seen = 0
    while seen < expected:
        for records in consumer.poll(timeout_ms=500, max_records=1000).values():
            for record in records:
                if decode is not None:
                    decode(record.value)
                seen += 1
    consumer.close()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=1_000, help="gateway page size")
    args = parser.parse_args()
    events = make_events(args.events)

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        configured = Settings(
            env="test",
            var_dir=Path(tmp) / "var",
            database=DatabaseSettings(url=f"sqlite:///{tmp}/bench.db"),
            auth=AuthSettings(key_dir=Path(tmp) / "keys"),
            kafka=KafkaSettings(fetch_max_wait_ms=10),
            gateway=GatewaySettings(port=port, page_max=max(1_000, args.page)),
        )
        with open_stack(configured) as hub, hub.archiving() as archiving:
            settings, sessions, bootstrap = hub.settings, hub.sessions, hub.bus.bootstrap
            stream = hub.policy.stream(STREAM)
            assert stream is not None
            schema = SchemaCatalog.load(settings.schemas_dir).resolve(stream.schema_name)
            parsed = fastavro.parse_schema(schema)

            def encode(event: dict[str, Any]) -> bytes:
                buffer = io.BytesIO()
                fastavro.schemaless_writer(buffer, parsed, event)
                return buffer.getvalue()

            values = [encode(e) for e in events]
            raw_topic = f"bench.raw-{uuid.uuid4().hex[:6]}.v1"
            hub.bus.admin().ensure_topics([TopicSpec(raw_topic)])

            produced, t_produce = timed(lambda: raw_produce(bootstrap, raw_topic, values))
            consumed, t_consume = timed(lambda: raw_consume(bootstrap, raw_topic, produced))
            decoded, t_decode = timed(
                lambda: raw_consume(
                    bootstrap,
                    raw_topic,
                    produced,
                    decode=lambda v: fastavro.schemaless_reader(io.BytesIO(v), parsed, None),
                )
            )

            publisher = hub.bus.publisher()
            sink = hub.sink(STREAM, publisher)

            def sdk_publish() -> int:
                for event in events:
                    sink.publish(event)
                sink.flush()
                return len(events)

            published, t_sdk = timed(sdk_publish)
            publisher.close()
            # Pages come from the archive: it must hold every event before the clock starts.
            assert not hub.wait_archived(archiving.archiver), "the archive is behind"

            client = ClientStore(sessions).ensure(
                client_id="bench-reader", agency="health", scopes=frozenset({STREAMS_READ})
            )
            server = uvicorn.Server(
                uvicorn.Config(gateway_app(hub), host="127.0.0.1", port=port, log_level="warning")
            )
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=60) as http:
                while not server.started:
                    time.sleep(0.05)
                token = http.post(
                    "/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(client.client_id, client.client_secret),
                ).json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}

                def gateway_read() -> int:
                    seen, cursor = 0, None
                    while seen < published:
                        params: dict[str, Any] = {"limit": args.page}
                        if cursor:
                            params["cursor"] = cursor
                        page = http.get(
                            f"/v1/streams/{STREAM}/events", params=params, headers=headers
                        )
                        page.raise_for_status()
                        body = json.loads(page.content)
                        seen += body["count"]
                        cursor = body["next"]
                    return seen

                read, t_gateway = timed(gateway_read)
            server.should_exit = True
            thread.join(timeout=10)

    rate = {
        "raw produce": produced / t_produce,
        "raw consume": consumed / t_consume,
        "raw consume+decode": decoded / t_decode,
        "sdk publish": published / t_sdk,
        "gateway read": read / t_gateway,
    }
    print(f"events: {args.events}, gateway page size: {args.page}, broker: embedded Tansu")
    print(f"  raw kafka-python produce         {rate['raw produce']:>10,.0f} ev/s")
    print(f"  raw kafka-python consume         {rate['raw consume']:>10,.0f} ev/s")
    print(f"  raw consume + fastavro decode    {rate['raw consume+decode']:>10,.0f} ev/s")
    print(f"  SDK publish                      {rate['sdk publish']:>10,.0f} ev/s")
    print(f"  gateway read (HTTP, JSON)        {rate['gateway read']:>10,.0f} ev/s")
    print("ratios (1.0 = as fast as the raw client):")
    print(f"  SDK publish / raw produce        {rate['sdk publish'] / rate['raw produce']:>10.2f}")
    print(f"  gateway read / raw consume       {rate['gateway read'] / rate['raw consume']:>10.2f}")
    print(
        f"  gateway read / raw consume+decode{rate['gateway read'] / rate['raw consume+decode']:>10.2f}"
    )


if __name__ == "__main__":
    main()
