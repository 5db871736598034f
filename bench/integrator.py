"""The integrator gateway against raw Kafka, measured in one run on the same events.

1. History: every event of a stream read as pages from the archive over HTTP (Health's
   grant: masks and the row filter on), against raw kafka-python consume plus fastavro
   decode of the same records (goal: at least 0.5).
2. HTTP publish in batches of 500 (validation, framing, the ledger of event ids) against
   raw produce of the same records pre-encoded: the same key and headers as the hub
   sends (goal: at least 0.4); the ratio to bare values is printed too.
3. Publish -> live-feed latency, p50/p99, with many subscribers on one stream (goal: p99
   under 25 ms), publisher and subscribers in processes of their own, and how many Kafka
   consumers the feeds used.
4. History query latency by incident and by district, p50/p99, at two archive sizes:
   the cost should follow the answer, not the archive (the indexes are used).

The gateway runs in this process on uvicorn; its HTTP clients (bench/http_client.py), the
live publisher and subscribers, and the archiver (`hub archive`) run in processes of
their own, as they do in production, so that the gateway's figures are the gateway's.
The archiver is paused while publish and the live feed are timed (see ``paused``).

    make bench     # or: python bench/integrator.py --events 100000 --big 1000000
"""

from __future__ import annotations

import argparse
import base64
import gc
import io
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fastavro
import httpx
import orjson
import uvicorn
from kafka import KafkaProducer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline import make_events, raw_consume, raw_produce, timed  # noqa: E402

import hub.gateway.app  # noqa: E402, F401
from hub.archive.index import index_event  # noqa: E402
from hub.archive.store import ArchiveStore, NewEvent  # noqa: E402
from hub.bus.broker import free_port  # noqa: E402
from hub.bus.records import TopicSpec  # noqa: E402
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
from hub.identity import STREAMS_PUBLISH, STREAMS_READ  # noqa: E402
from hub.serde.avro import AvroSerializer, CompiledSchema  # noqa: E402
from hub.serde.wire import frame  # noqa: E402
from hub.stack import HubStack, gateway_app, open_stack  # noqa: E402

STREAM = "emergency.incident-report"
#: Filled event number i happened i seconds after this.
FILL_BASE = datetime(2026, 1, 1, tzinfo=UTC)
DISTRICTS = ("440303", "440304", "440305", "440306", "440311")


def settle() -> None:
    """Keep the bench's own data (100,000 events and their encodings, in this process
    beside the gateway) out of the garbage collector's full scans, which otherwise
    pause every measurement here, raw and hub alike, for what no gateway would hold."""
    gc.collect()
    gc.freeze()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


class Gateway:
    """The gateway on uvicorn, and a token per demo agency."""

    def __init__(self, hub: HubStack, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.app = gateway_app(hub)
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        clients = ClientStore(hub.sessions)
        self.clients = {
            agency: clients.ensure(
                client_id=f"bench-{agency}",
                agency=agency,
                scopes=frozenset({STREAMS_READ, STREAMS_PUBLISH}),
            )
            for agency in ("health", "emergency")
        }

    def __enter__(self) -> Gateway:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def token(self, http: httpx.Client, agency: str) -> str:
        client = self.clients[agency]
        answer = http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client.client_id, client.client_secret),
        )
        token: str = answer.json()["access_token"]
        return token

    def client(self, token: str, what: str, *options: str) -> float:
        """Events a second that bench/http_client.py (another process) read or published."""
        command = [
            sys.executable,
            str(Path(__file__).with_name("http_client.py")),
            what,
            *("--base", self.base, "--token", token, "--stream", STREAM, *options),
        ]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        measured: dict[str, float] = orjson.loads(done.stdout)
        return measured["events"] / measured["seconds"]


@contextmanager
def paused(process: subprocess.Popen[bytes]) -> Iterator[None]:
    """Stopped (SIGSTOP) for a while: production gives the archiver cores of its own,
    and on a 2-core machine it would otherwise take the gateway's while publish or the
    live feed is timed. It catches up once continued."""
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


@contextmanager
def archiver_process(tmp: str, hub: HubStack) -> Iterator[subprocess.Popen[bytes]]:
    """`hub archive`, as production runs it: in a process of its own, not on the
    gateway's interpreter lock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_CONFIG=f"{tmp}/absent.toml",
        HUB_VAR_DIR=f"{tmp}/var",
        HUB_DATABASE_URL=hub.settings.database.url,
        HUB_KAFKA_BOOTSTRAP=hub.bus.bootstrap,
        HUB_KAFKA_FETCH_MAX_WAIT_MS="10",
        HUB_AUTH_KEY_DIR=f"{tmp}/keys",
        HUB_AUDIT_KEY_DIR=f"{tmp}/keys/audit",
        HUB_POLICY_MASK_KEY_DIR=f"{tmp}/masks",
    )
    command = [sys.executable, "-m", "hub", "archive", "--no-replay"]
    log = Path(tmp) / "archiver.log"
    with log.open("w") as sink, subprocess.Popen(command, env=env, stderr=sink) as archiver:
        deadline = time.monotonic() + 60
        while "archiving" not in log.read_text():
            if archiver.poll() is not None or time.monotonic() > deadline:
                archiver.kill()
                raise RuntimeError(f"the archiver did not start:\n{log.read_text()}")
            time.sleep(0.1)
        try:
            yield archiver
        finally:
            os.kill(archiver.pid, signal.SIGCONT)
            archiver.terminate()
            archiver.wait(30)


def raw_produce_records(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> int:
    """The records the hub sends, sent raw: the event id as key, a content type and a
    trace context as headers, the Avro value pre-encoded."""
    headers = [
        ("content-type", b"application/vnd.linkage.avro"),
        ("traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ]
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    for key, value in records:
        producer.send(topic, value, key=key, headers=headers)
    producer.flush()
    producer.close()
    return len(records)


def batch_bodies(events: list[dict[str, Any]]) -> list[bytes]:
    """The events as batch bodies of 500, each with an event id of its own (not yet
    published), JSON-encoded before any clock starts."""
    fresh = [{**e, "envelope": {**e["envelope"], "event_id": str(uuid.uuid4())}} for e in events]
    return [orjson.dumps({"events": fresh[i : i + 500]}) for i in range(0, len(fresh), 500)]


def live_latency(
    base: str, token: str, hub: HubStack, subscribers: int, events: int
) -> list[float]:
    """Publish -> SSE arrival, in seconds, for every (event, subscriber). The publisher
    (bench/live_publisher.py) and the subscribers (bench/live_subscribers.py) each run
    in a process of their own, as a connector and integrators do; all read the wall
    clock of this one machine."""
    stream = hub.policy.stream(STREAM)
    assert stream is not None
    records = Path(tempfile.mkdtemp()) / "live.jsonl"
    records.write_bytes(
        b"\n".join(
            orjson.dumps(
                {"key": e["envelope"]["event_id"], "value": base64.b64encode(framed).decode()}
            )
            for e, framed in framed_events(hub, make_events(events))
        )
    )
    here = Path(__file__).parent
    listen = [
        sys.executable,
        str(here / "live_subscribers.py"),
        *("--base", base, "--token", token, "--stream", STREAM),
        *("--subscribers", str(subscribers), "--events", str(events)),
    ]
    talk = [
        sys.executable,
        str(here / "live_publisher.py"),
        *("--bootstrap", hub.bus.bootstrap, "--topic", stream.topic, "--records", str(records)),
    ]
    with subprocess.Popen(listen, stdout=subprocess.PIPE, text=True) as listeners:
        assert listeners.stdout is not None
        if listeners.stdout.readline().strip() != "ready":
            raise RuntimeError("the subscribers did not all open their feeds")
        published = subprocess.run(talk, check=True, capture_output=True, text=True)
        sent: dict[str, float] = orjson.loads(published.stdout)
        arrivals: dict[str, list[float]] = orjson.loads(listeners.stdout.read())
    latencies = [at - sent[event_id] for event_id, ats in arrivals.items() for at in ats]
    if len(latencies) != subscribers * events:
        raise RuntimeError(f"{len(latencies)} arrivals, not {subscribers * events}")
    return latencies


def framed_events(
    hub: HubStack, events: list[dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], bytes]]:
    """Each event as the connector SDK frames it: completed, validated, Avro-encoded."""
    publisher = hub.bus.publisher()
    try:
        sink = hub.sink(STREAM, publisher)
    finally:
        publisher.close()
    stream = hub.policy.stream(STREAM)
    assert stream is not None
    latest = hub.registry.latest(stream.subject)
    assert latest is not None
    schema = SchemaCatalog.load(hub.settings.schemas_dir).resolve(stream.schema_name)
    encode = AvroSerializer(
        CompiledSchema.build(latest.schema_id, schema, orjson.dumps(schema).decode())
    )
    for event in events:
        completed = sink.complete(event)
        yield completed, encode(completed)


def fill_archive(hub: HubStack, count: int, incidents: int, start: int = 0) -> None:
    """Archive ``count`` made-up reports directly (encoded and indexed as the archiver
    does), spread over ``incidents`` incidents and five districts."""
    stream = hub.policy.stream(STREAM)
    assert stream is not None
    latest = hub.registry.latest(stream.subject)
    assert latest is not None
    schema = SchemaCatalog.load(hub.settings.schemas_dir).resolve(stream.schema_name)
    parsed = fastavro.parse_schema(schema)
    store = ArchiveStore(hub.engine)
    template = make_events(1)[0]
    for first in range(start, start + count, 10_000):
        rows = []
        for i in range(first, min(first + 10_000, start + count)):
            envelope = {
                **template["envelope"],
                "event_id": str(uuid.UUID(int=i + 1)),
                "occurred_at": FILL_BASE + timedelta(seconds=i),
                "incident_id": f"INC-{i % incidents:06d}",
                "area": {**template["envelope"]["area"], "district_code": DISTRICTS[i % 5]},
            }
            event = {**template, "envelope": envelope}
            buffer = io.BytesIO()
            fastavro.schemaless_writer(buffer, parsed, event)
            rows.append(
                NewEvent(
                    stream=STREAM,
                    topic=stream.topic,
                    partition=0,
                    offset=10_000_000 + i,
                    schema_id=latest.schema_id,
                    payload=frame(latest.schema_id, buffer.getvalue()),
                    index=index_event(event),
                )
            )
        store.write(rows, {}, now_ms=int(time.time() * 1000))


def query_latency(
    http: httpx.Client, headers: dict[str, str], incidents: int, newest: int, samples: int
) -> dict[str, tuple[float, float]]:
    """p50/p99 of a first page of 100: an incident's timeline; a district since the time
    of the 5,000th newest event (about 1,000 rows match, whatever the archive holds);
    and a district since the first filled event (every row of it matches)."""
    recent = (FILL_BASE + timedelta(seconds=newest - 5_000)).isoformat()
    found: dict[str, list[float]] = {"incident": [], "district": [], "district, all": []}
    for n in range(samples):
        district = DISTRICTS[n % 5]
        queries: list[tuple[str, str, dict[str, str | int]]] = [
            ("incident", f"/v1/incidents/INC-{(n * 7919) % incidents:06d}/timeline", {}),
            ("district", f"/v1/streams/{STREAM}/events", {"district": district, "since": recent}),
            (
                "district, all",
                f"/v1/streams/{STREAM}/events",
                {"district": district, "since": FILL_BASE.isoformat()},
            ),
        ]
        for kind, url, params in queries:
            started = time.perf_counter()
            answer = http.get(url, params={**params, "limit": 100}, headers=headers)
            found[kind].append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
            if orjson.loads(answer.content)["count"] == 0:
                raise RuntimeError(f"{kind} query found nothing")
    return {k: percentiles(v) for k, v in found.items()}


def settings_in(tmp: str, port: int) -> Settings:
    return Settings(
        env="test",
        var_dir=Path(tmp) / "var",
        database=DatabaseSettings(url=f"sqlite:///{tmp}/bench.db"),
        auth=AuthSettings(key_dir=Path(tmp) / "keys"),
        kafka=KafkaSettings(fetch_max_wait_ms=10),
        gateway=GatewaySettings(port=port, page_max=1_000),
        policy=PolicySettings(mask_key_dir=Path(tmp) / "masks"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="the larger archive")
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--live-events", type=int, default=500)
    args = parser.parse_args()
    events = make_events(args.events)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        with open_stack(settings_in(tmp, port)) as hub, archiver_process(tmp, hub) as archiver:
            stream = hub.policy.stream(STREAM)
            assert stream is not None
            sink_publisher = hub.bus.publisher()
            sink = hub.sink(STREAM, sink_publisher)
            for event in events:
                sink.publish(event)
            sink.flush()
            sink_publisher.close()
            assert not hub.wait_archived(hub.archiver(), 600), "the archive is behind"
            schema = SchemaCatalog.load(hub.settings.schemas_dir).resolve(stream.schema_name)
            parsed = fastavro.parse_schema(schema)

            def decode(value: bytes) -> Any:
                return fastavro.schemaless_reader(io.BytesIO(value[5:]), parsed, None)

            values = []
            for event in events:
                buffer = io.BytesIO()
                fastavro.schemaless_writer(buffer, parsed, event)
                values.append(buffer.getvalue())
            bodies = Path(tmp) / "bodies.jsonl"
            bodies.write_bytes(b"\n".join(batch_bodies(events)))
            settle()
            bootstrap = hub.bus.bootstrap
            raw_read, t_raw_read = timed(
                lambda: raw_consume(bootstrap, stream.topic, args.events, decode=decode)
            )
            raw_topic = f"bench.raw-{uuid.uuid4().hex[:6]}.v1"
            hub.bus.admin().ensure_topics([TopicSpec(raw_topic)])
            produced, t_produce = timed(lambda: raw_produce(bootstrap, raw_topic, values))
            keyed = [
                (str(e["envelope"]["event_id"]).encode(), v)
                for e, v in zip(events, values, strict=True)
            ]
            same, t_same = timed(lambda: raw_produce_records(bootstrap, raw_topic, keyed))
            with (
                Gateway(hub, port) as gateway,
                httpx.Client(base_url=gateway.base, timeout=120) as http,
            ):
                health = gateway.token(http, "health")
                emergency = gateway.token(http, "emergency")
                expected = ("--expected", str(args.events))
                gateway.client(health, "history", *expected)  # warm: plans, caches, pool
                history = gateway.client(health, "history", *expected)
                with paused(archiver):
                    post = gateway.client(emergency, "publish", "--bodies", str(bodies))
                assert not hub.wait_archived(hub.archiver(), 600)
                with paused(archiver):
                    latencies = live_latency(
                        gateway.base, emergency, hub, args.subscribers, args.live_events
                    )
                consumers = gateway.app.state.services.feeds.consumers()
                incidents = 1_000
                auth = {"Authorization": f"Bearer {emergency}"}
                fill_archive(hub, args.events, incidents, start=10_000_000)
                at_small = query_latency(http, auth, incidents, 10_000_000 + args.events, 200)
                big = args.big - args.events
                fill_archive(hub, big, incidents, start=20_000_000)
                at_big = query_latency(http, auth, incidents, 20_000_000 + big, 200)

    raw, produce, records = raw_read / t_raw_read, produced / t_produce, same / t_same
    p50, p99 = percentiles([x * 1000 for x in latencies])
    print(f"events: {args.events:,}, broker: embedded Tansu, archive: SQLite")
    print(f"  raw consume + fastavro decode        {raw:>10,.0f} ev/s")
    print(f"  history pages (HTTP, masked)         {history:>10,.0f} ev/s")
    print(f"  raw produce (pre-encoded values)     {produce:>10,.0f} ev/s")
    print(f"  raw produce (the same records)       {records:>10,.0f} ev/s   (key, 2 headers)")
    print(f"  HTTP publish, batches of 500         {post:>10,.0f} ev/s   (archiver paused)")
    print("ratios (1.0 = as fast as the raw client):")
    print(f"  history / raw consume+decode         {history / raw:>10.2f}   (goal >= 0.5)")
    print(f"  HTTP publish / raw, same records     {post / records:>10.2f}   (goal >= 0.4)")
    print(f"  HTTP publish / raw, values only      {post / produce:>10.2f}")
    print(
        f"live feed, {args.subscribers} subscribers, {args.live_events} events: "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal p99 < 25 ms; archiver paused); "
        f"Kafka consumers: {consumers}"
    )
    print("first page of 100, p50 / p99 ms:")
    print(
        f"  {'archive':>9}  {'an incident':>13}  {'district, 1,000 match':>21}  every row matches"
    )
    for size, measured in ((args.events * 2, at_small), (args.big + args.events, at_big)):
        cells = [f"{measured[k][0]:5.1f} / {measured[k][1]:5.1f}" for k in measured]
        print(f"  {size:>9,}  {cells[0]:>13}  {cells[1]:>21}  {cells[2]}")


if __name__ == "__main__":
    main()
