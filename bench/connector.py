"""The connector SDK through its durable outbox against raw kafka-python, in one run.

1. Throughput: incident reports through the whole SDK path (``map``, the envelope,
   validation, Avro framing, a commit to the SQLite outbox with the checkpoint, the
   sender, ``acks=all``, rows removed once acknowledged), from the start of
   ``ConnectorRuntime.run`` until the outbox is empty; against raw kafka-python sending
   the same encoded records (key, headers, value) with the hub publisher's settings,
   until flushed (goal: at least 0.5). For reference: the SDK without the outbox
   (``EventSink.publish_many`` on the same records: map, envelope, validation, framing,
   send, until every send is acknowledged), and raw produce with the settings
   bench/pipeline.py gives it (linger 5 ms, kafka-python's 16 KiB batches), the
   baseline of its "SDK publish / raw produce".
2. The outbox's latency: records submitted one at a time at a modest rate through
   ``ConnectorRuntime.submit`` with the sender running; submit -> committed (``submit``
   returns once the row is in the outbox), committed -> acknowledged by the broker and
   the two together, p50/p99; beside raw send -> acknowledged of the same bytes.

Every path is warmed first (producers, metadata, the code itself); rounds rotate the
paths' order, and a ratio is the median of the rounds' ratios: ratios, not absolute
figures, are what to compare across runs, as this machine is shared and noisy.

    python bench/connector.py [--events 20000] [--rounds 3] [--rate 200] [--seconds 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kafka import KafkaProducer
from opentelemetry import trace
from opentelemetry.trace import SpanKind

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import landslide  # noqa: E402

from hub.bus.broker import EmbeddedBroker  # noqa: E402
from hub.bus.factory import open_bus  # noqa: E402
from hub.bus.protocols import Bus  # noqa: E402
from hub.bus.records import TopicSpec  # noqa: E402
from hub.config import ConnectSettings, KafkaSettings  # noqa: E402
from hub.connect import Connector, EventSink, SourceRecord  # noqa: E402
from hub.connect.encoding import AvroEncoder  # noqa: E402
from hub.connect.envelope import derived_event_id  # noqa: E402
from hub.connect.offline import offline_target  # noqa: E402
from hub.connect.outbox import Entry, Outbox, Queued  # noqa: E402
from hub.connect.runtime import ConnectorRuntime  # noqa: E402
from hub.connect.target import StreamTarget  # noqa: E402
from hub.connect.transport import KafkaTransport, Outcome, Transport, Verdict  # noqa: E402
from hub.serde.avro import CompiledSchema  # noqa: E402
from hub.telemetry import trace_headers, tracer  # noqa: E402

STREAM = "emergency.incident-report"
KAFKA = KafkaSettings(fetch_max_wait_ms=10)
CONNECT = ConnectSettings()
#: Records each path sends before its clock starts.
WARM = 2_000
OCCURRED = datetime(2015, 12, 20, 3, 40, tzinfo=UTC)


def make_rows(count: int) -> list[dict[str, str]]:
    """A duty office's export, as a CSV reader hands it over: one dict of text a row."""
    return [
        {
            "report_id": f"EMB-{n:06d}",
            "incident_id": "INC-2015-GM-01",
            "seconds": str(n),
            "title": "Landslide at an industrial park in Guangming",
            "description": "Rescue teams on site; residents evacuated; gas pipeline shut off.",
            "reported_by": "Guangming district duty office",
            "reporter_name": "Zhang Wei",
            "reporter_phone": "13800000000",
            "address": "Hengtaiyu Industrial Park",
            "injured": str(n % 9),
        }
        for n in range(count)
    ]


class Reports(Connector):
    """Rows already in memory (the source costs nothing here: the SDK is measured), each
    mapped to a full incident report."""

    name = "bench-reports"
    stream = STREAM

    def __init__(self, rows: Sequence[dict[str, str]]) -> None:
        self.rows = rows

    def read(self, position: Any) -> Iterator[SourceRecord]:
        for n in range(position or 0, len(self.rows)):
            yield SourceRecord(f"bench:{n}", self.rows[n], position=n + 1)

    def map(self, record: SourceRecord) -> dict[str, Any]:
        row = record.raw
        return {
            "envelope": {
                "occurred_at": OCCURRED + timedelta(seconds=int(row["seconds"])),
                "incident_id": row["incident_id"],
                "classification": landslide.classification(),
                "severity": "I",
                "area": landslide.area(),
            },
            "report_id": row["report_id"],
            "title": row["title"],
            "description": row["description"],
            "status": "RESPONDING",
            "reported_by": row["reported_by"],
            "reporter_name": row["reporter_name"],
            "reporter_phone": row["reporter_phone"],
            "address": row["address"],
            "casualties": {"deaths": 0, "injured": int(row["injured"]), "missing": 4, "trapped": 1},
        }


class AckClock:
    """The Kafka transport, noting when each row's acknowledgement came back."""

    name = "kafka"

    def __init__(self, inner: Transport) -> None:
        self._inner = inner
        self.acked: dict[str, float] = {}

    def send(self, batch: Sequence[Queued], timeout_s: float) -> list[Outcome]:
        outcomes = self._inner.send(batch, timeout_s)
        now = time.perf_counter()
        for queued, outcome in zip(batch, outcomes, strict=True):
            if outcome.verdict is Verdict.SENT and queued.entry.event_id:
                self.acked.setdefault(queued.entry.event_id, now)
        return outcomes

    def close(self) -> None:
        self._inner.close()


def raw_producer(bootstrap: str) -> KafkaProducer:
    """kafka-python as the hub's publisher configures it (hub/bus/kafka/publisher.py)."""
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=KAFKA.linger_ms,
        batch_size=KAFKA.batch_bytes,
        max_request_size=KAFKA.max_request_bytes,
        compression_type=None if KAFKA.compression == "none" else KAFKA.compression,
    )


def pipeline_producer(bootstrap: str) -> KafkaProducer:
    """kafka-python as bench/pipeline.py's raw produce configures it."""
    return KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)


def encoded(encoder: AvroEncoder, connector: Reports) -> list[Entry]:
    """The records exactly as the SDK commits them (trace headers made as a batch's)."""
    span = tracer("hub.connect").start_span("take bench", kind=SpanKind.PRODUCER)
    with trace.use_span(span, end_on_exit=True):
        headers = trace_headers()
    return [
        encoder.encode(
            connector.map(r), connector=connector.name, record=r, index=0, headers=headers
        )
        for r in connector.read(None)
    ]


class Paths:
    """The ways to the broker being compared, each with its own topic (the raw
    producers share one), made once and kept across rounds."""

    def __init__(self, bus: Bus, tmp: Path, target: StreamTarget, schema: CompiledSchema) -> None:
        self.bus = bus
        self.tmp = tmp
        run = uuid.uuid4().hex[:6]
        self.sdk = replace(target, topic=f"bench.connector-{run}.v1")
        self.sink_target = replace(target, topic=f"bench.sink-{run}.v1")
        self.raw_topic = f"bench.raw-{run}.v1"
        self.trickle = replace(target, topic=f"bench.trickle-{run}.v1")
        bus.admin().ensure_topics(
            [
                TopicSpec(t)
                for t in (
                    self.sdk.topic,
                    self.sdk.dead_letter_topic,
                    self.sink_target.topic,
                    self.raw_topic,
                    self.trickle.topic,
                    self.trickle.dead_letter_topic,
                )
            ]
        )
        self.schema = schema
        self.transport = KafkaTransport(bus.publisher())
        self.sink_publisher = bus.publisher()
        self.sink = EventSink(stream=self.sink_target, schema=schema, publisher=self.sink_publisher)
        self.producer = raw_producer(bus.bootstrap)
        self.pipeline_producer = pipeline_producer(bus.bootstrap)
        self.outboxes = 0

    def encoder(self, target: StreamTarget) -> AvroEncoder:
        return AvroEncoder(target, self.schema)

    def through_outbox(self, rows: Sequence[dict[str, str]]) -> float:
        """ConnectorRuntime.run from a fresh outbox until it is empty: events/s."""
        self.outboxes += 1
        box = Outbox(
            self.tmp / f"outbox-{self.outboxes}.db",
            max_rows=CONNECT.outbox_max,
            fsync=CONNECT.fsync,
        )
        runtime = ConnectorRuntime(
            Reports(rows),
            encoders={STREAM: self.encoder(self.sdk)},
            outbox=box,
            transport=self.transport,
            batch_max=CONNECT.batch_max,
        )
        started = time.perf_counter()
        report = runtime.run(drain_s=120)
        elapsed = time.perf_counter() - started
        box.close()  # the transport is shared by every round: closed at the end
        if report.waiting or report.rejected or report.published != len(rows):
            raise RuntimeError(f"the SDK did not send every event: {report.summary()}")
        return len(rows) / elapsed

    def without_outbox(self, rows: Sequence[dict[str, str]]) -> float:
        """EventSink.publish_many in the runtime's batch size, until all are acknowledged."""
        connector, size = Reports(rows), CONNECT.batch_max
        started = time.perf_counter()
        pending = []
        batch: list[dict[str, Any]] = []
        for record in connector.read(None):
            batch.append(connector.map(record))
            if len(batch) == size:
                pending += self.sink.publish_many(batch)
                batch = []
        if batch:
            pending += self.sink.publish_many(batch)
        self.sink.flush()
        for sent in pending:
            sent.result(30)
        return len(rows) / (time.perf_counter() - started)

    def raw(self, entries: Sequence[Entry], producer: KafkaProducer) -> float:
        """The same records, raw, until flushed. The partition is given: the hub's
        publisher skips the pure-Python key hash on a one-partition topic too."""
        topic = self.raw_topic
        started = time.perf_counter()
        futures = [
            producer.send(topic, e.value, key=e.key, headers=e.headers, partition=0)
            for e in entries
        ]
        producer.flush()
        elapsed = time.perf_counter() - started
        failed = [f for f in futures if not f.succeeded()]
        if failed:
            raise RuntimeError(f"raw produce: {len(failed)} records not acknowledged")
        return len(entries) / elapsed

    def close(self) -> None:
        self.transport.close()
        self.sink_publisher.close()
        self.producer.close()
        self.pipeline_producer.close()


def throughput(paths: Paths, events: int, rounds: int) -> list[dict[str, float]]:
    rows = make_rows(events)
    entries = encoded(paths.encoder(paths.sdk), Reports(rows))
    warm_rows = make_rows(WARM)
    paths.through_outbox(warm_rows)
    paths.without_outbox(warm_rows)
    paths.raw(entries[:WARM], paths.producer)
    paths.raw(entries[:WARM], paths.pipeline_producer)
    settle()
    measures: dict[str, Callable[[], float]] = {
        "outbox": lambda: paths.through_outbox(rows),
        "sink": lambda: paths.without_outbox(rows),
        "raw": lambda: paths.raw(entries, paths.producer),
        "raw, pipeline": lambda: paths.raw(entries, paths.pipeline_producer),
    }
    order = list(measures)
    found = []
    for n in range(rounds):
        turn = order[n % len(order) :] + order[: n % len(order)]
        found.append({name: measures[name]() for name in turn})
        gc.collect()
    return found


def latency(paths: Paths, rate: float, seconds: float) -> dict[str, list[float]]:
    """Records submitted one at a time, ``rate`` a second, with the sender running; then
    the same bytes sent raw one at a time at the same rate, each awaited."""
    count = int(rate * seconds)
    clock = AckClock(KafkaTransport(paths.bus.publisher()))
    box = Outbox(paths.tmp / "trickle.db", max_rows=CONNECT.outbox_max, fsync=CONNECT.fsync)
    rows = make_rows(count + 50)
    connector = Reports(rows)
    runtime = ConnectorRuntime(
        connector,
        encoders={STREAM: paths.encoder(paths.trickle)},
        outbox=box,
        transport=clock,
        batch_max=CONNECT.batch_max,
    )
    records = list(connector.read(None))
    ids = [derived_event_id(connector.name, r, 0) for r in records]
    stop = threading.Event()
    sender = threading.Thread(target=runtime.sender.run, args=(stop,), name="send trickle")
    sender.start()
    submitted: dict[str, float] = {}
    committed: dict[str, float] = {}
    try:
        for record in records[:50]:  # warm: the producer's connection and metadata
            runtime.submit([record])
        _wait_empty(box)
        start = time.perf_counter()
        for n, (record, event_id) in enumerate(zip(records[50:], ids[50:], strict=True)):
            _pace(start + n / rate)
            submitted[event_id] = time.perf_counter()
            runtime.submit([record])
            committed[event_id] = time.perf_counter()
        _wait_empty(box)
    finally:
        stop.set()
        runtime.sender.wake.set()
        sender.join()
        runtime.close()
        box.close()
    entries = encoded(paths.encoder(replace(paths.trickle, topic=paths.raw_topic)), connector)
    raw: list[float] = []
    start = time.perf_counter()
    for n, entry in enumerate(entries[50:]):
        _pace(start + n / rate)
        began = time.perf_counter()
        paths.producer.send(
            paths.raw_topic, entry.value, key=entry.key, headers=entry.headers, partition=0
        ).get(timeout=10)
        raw.append(time.perf_counter() - began)
    return {
        "submit -> committed": [committed[i] - submitted[i] for i in submitted],
        "committed -> acknowledged": [clock.acked[i] - committed[i] for i in submitted],
        "submit -> acknowledged": [clock.acked[i] - submitted[i] for i in submitted],
        "raw send -> acknowledged": raw,
    }


def _pace(at: float) -> None:
    wait = at - time.perf_counter()
    if wait > 0:
        time.sleep(wait)


def _wait_empty(box: Outbox, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while box.depth and time.monotonic() < deadline:
        time.sleep(0.005)
    if box.depth:
        raise RuntimeError(f"{box.depth} events still in the outbox after {timeout_s} s")


def settle() -> None:
    """Keep the bench's own data (the rows and their encodings) out of the garbage
    collector's full scans, which would otherwise pause raw and SDK alike."""
    gc.collect()
    gc.freeze()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="events a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200.0, help="latency: records a second")
    parser.add_argument("--seconds", type=float, default=5.0, help="latency: for how long")
    args = parser.parse_args()
    target, schema = offline_target(STREAM)
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        paths = Paths(open_bus(KAFKA, broker.bootstrap), Path(tmp), target, schema)
        try:
            rounds = throughput(paths, args.events, args.rounds)
            latencies = latency(paths, args.rate, args.seconds)
        finally:
            paths.close()

    report(args, rounds, latencies)


def report(
    args: argparse.Namespace, rounds: list[dict[str, float]], latencies: dict[str, list[float]]
) -> None:
    def median(name: str) -> float:
        return statistics.median(r[name] for r in rounds)

    def ratio(name: str, base: str = "raw") -> float:
        return statistics.median(r[name] / r[base] for r in rounds)

    print(
        f"events: {args.events:,} a round, {args.rounds} rounds, broker: embedded Tansu,"
        f" outbox: SQLite WAL (fsync {'on' if CONNECT.fsync else 'off'}),"
        f" batch {CONNECT.batch_max}; producers: linger {KAFKA.linger_ms} ms,"
        f" {KAFKA.batch_bytes // 1024} KiB batches"
    )
    for n, measured in enumerate(rounds, start=1):
        print(
            f"  round {n}: through the outbox {measured['outbox']:>7,.0f} ev/s;"
            f" without it {measured['sink']:>7,.0f}; raw {measured['raw']:>7,.0f};"
            f" raw with pipeline.py's settings {measured['raw, pipeline']:>7,.0f}"
        )
    print(
        f"connector: SDK through the outbox {median('outbox'):,.0f} ev/s; raw produce of the"
        f" same bytes {median('raw'):,.0f} ev/s; ratio {ratio('outbox'):.2f} (goal >= 0.5)"
    )
    print(
        f"connector: SDK without the outbox (EventSink) {median('sink'):,.0f} ev/s;"
        f" ratio {ratio('sink'):.2f} (reference)"
    )
    print(
        f"connector: raw produce with bench/pipeline.py's settings (linger 5 ms, 16 KiB"
        f" batches) {median('raw, pipeline'):,.0f} ev/s; against it through the outbox"
        f" {ratio('outbox', 'raw, pipeline'):.2f}, without it {ratio('sink', 'raw, pipeline'):.2f}"
    )
    count = len(latencies["submit -> committed"])
    print(f"outbox latency, {count:,} records submitted one at a time at {args.rate:,.0f}/s:")
    for name, samples in latencies.items():
        p50, p99 = percentiles([s * 1000 for s in samples])
        print(f"  {name:<26} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")


if __name__ == "__main__":
    main()
