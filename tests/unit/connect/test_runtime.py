"""The SDK's guarantees on a memory bus: a bad record is dead-lettered with its original
bytes and its neighbours go on; an outage is waited out from the outbox; a restart
resumes from the committed checkpoint with the same event ids; a full outbox stops the
taking, not the feed."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hub.connect import Connector, RecordRejected, SourceRecord
from hub.connect.encoding import AvroEncoder
from hub.connect.offline import offline_target
from hub.connect.outbox import Outbox
from hub.connect.runtime import ConnectorRuntime
from hub.connect.sender import Backoff
from hub.connect.testing import MemoryBus, run_in_memory
from hub.connect.transport import KafkaTransport

STREAM = "emergency.incident-report"
TOPIC = "emergency.incident-report.v1"


def report(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "envelope": {
            "occurred_at": datetime(2015, 12, 20, 3, 40, tzinfo=UTC),
            "classification": {"category": "ACCIDENT_DISASTER"},
        },
        "report_id": f"R-{n}",
        "title": "Landslide",
        "description": "Spoil buried buildings",
        "status": "REPORTED",
        "reported_by": "Guangming duty office",
        **extra,
    }


class Numbered(Connector):
    """Records 0..count-1 as bytes; the position is the next number to read. Record
    numbers in ``poison`` fail to map; each read is noted in ``asked``."""

    name = "numbered"
    stream = STREAM

    def __init__(self, count: int, *, poison: frozenset[int] = frozenset()) -> None:
        self.count = count
        self.poison = poison
        self.asked: list[Any] = []

    def read(self, position: Any) -> Iterator[SourceRecord]:
        self.asked.append(position)
        for n in range(position or 0, self.count):
            yield SourceRecord(f"row-{n}", f"report {n}".encode(), position=n + 1)

    def map(self, record: SourceRecord) -> dict[str, Any]:
        n = int(record.raw.split()[1])
        if n in self.poison:
            raise RecordRejected("title", f"row {n} has no title")
        return report(n)


def runtime(connector: Connector, bus: MemoryBus, path: Path, **options: Any) -> ConnectorRuntime:
    target, schema = offline_target(STREAM)
    target = replace(target, max_message_bytes=options.pop("max_bytes", target.max_message_bytes))
    return ConnectorRuntime(
        connector,
        encoders={STREAM: AvroEncoder(target, schema)},
        outbox=Outbox(path / "outbox.db", max_rows=options.pop("max_rows", 1_000_000)),
        transport=KafkaTransport(bus.publisher()),
        **options,
    )


def test_a_poison_record_is_dead_lettered_with_its_bytes_and_its_neighbours_published(
    tmp_path: Path,
) -> None:
    run = run_in_memory(Numbered(5, poison=frozenset({2})), tmp_path)
    assert [e["report_id"] for e in run.events] == ["R-0", "R-1", "R-3", "R-4"]
    (dead,) = run.dead_letters
    assert dead.value == b"report 2", "the original bytes, unchanged"
    headers = dict(dead.headers)
    assert headers["reason"] == b"title: row 2 has no title"
    assert headers["field"] == b"title"
    assert (headers["connector"], headers["source"], headers["position"]) == (
        b"numbered",
        b"row-2",
        b"3",
    )
    assert run.report.read == 5 and run.report.published == 4
    assert [r.ref for r in run.report.rejected] == ["row-2"]
    assert run.outbox.position() == 5 and run.outbox.depth == 0
    assert run.outbox.state().counters["dead_lettered"] == 1


def test_any_fault_of_one_record_is_its_own(tmp_path: Path) -> None:
    """Not only the errors a mapping is meant to raise: a bug on one record (here a
    KeyError) and an event the schema refuses are dead letters too."""

    class Faulty(Numbered):
        def map(self, record: SourceRecord) -> dict[str, Any]:
            n = int(record.raw.split()[1])
            if n == 1:
                missing: dict[str, dict[str, Any]] = {}
                return missing["report"]
            if n == 2:
                return report(n, status="NOT-A-STATUS")
            return report(n)

    run = run_in_memory(Faulty(4), tmp_path)
    assert [e["report_id"] for e in run.events] == ["R-0", "R-3"]
    reasons = {dict(d.headers)["source"]: dict(d.headers) for d in run.dead_letters}
    assert reasons[b"row-1"]["error"] == b"KeyError"
    assert reasons[b"row-2"]["error"] == b"RecordRejected"
    assert reasons[b"row-2"]["field"] == b"status"


def test_an_event_over_the_streams_size_limit_is_dead_lettered(tmp_path: Path) -> None:
    class Large(Numbered):
        def map(self, record: SourceRecord) -> dict[str, Any]:
            n = int(record.raw.split()[1])
            return report(n, description="x" * (5_000 if n == 1 else 10))

    bus = MemoryBus()
    running = runtime(Large(3), bus, tmp_path, max_bytes=2_000)
    running.run(drain_s=5)
    assert len(bus.records(TOPIC)) == 2
    (dead,) = bus.records(f"{TOPIC}.dlq")
    assert (
        b"over emergency.incident-report's limit of 2,000 (max_message_bytes"
        in dict(dead.headers)["reason"]
    )


def test_a_record_the_broker_refuses_becomes_its_dead_letter(tmp_path: Path) -> None:
    """The bus refuses records over its limit when they are sent, after the outbox: the
    refused event is dead-lettered in its place, and the rest go on."""

    class Large(Numbered):
        def map(self, record: SourceRecord) -> dict[str, Any]:
            n = int(record.raw.split()[1])
            return report(n, description="x" * (3_000 if n == 1 else 10))

    bus = MemoryBus()
    bus.max_message_bytes = 2_000
    running = runtime(Large(3), bus, tmp_path)
    running.run(drain_s=5)
    assert len(bus.records(TOPIC)) == 2
    # Its dead letter is as large, so it is refused too: kept whole in the outbox's
    # quarantine, and its first kilobyte sent to the dead-letter topic.
    (dead,) = bus.records(f"{TOPIC}.dlq")
    headers = dict(dead.headers)
    assert headers["error"] == b"RecordRefused" and headers["source"] == b"row-1"
    assert len(dead.value) == 1024 and int(headers["truncated-from"]) > 3_000
    assert running.outbox.depth == 0
    assert running.outbox.state().counters["quarantined"] == 1


def test_an_outage_is_waited_out_from_the_outbox(tmp_path: Path) -> None:
    bus = MemoryBus()
    bus.available = False
    first = runtime(Numbered(50), bus, tmp_path, backoff=None)
    report_down = first.run(drain_s=0.5)
    assert report_down.read == 50 and report_down.waiting == 50
    assert "waiting in the outbox" in report_down.summary()
    assert first.outbox.state().counters["failed_sends"] >= 1
    first.outbox.close()
    bus.available = True
    second = runtime(Numbered(50), bus, tmp_path)
    report_up = second.run(drain_s=5)
    assert report_up.read == 0, "nothing new at the source"
    assert report_up.published == 50 and second.outbox.depth == 0
    ids = [r.key for r in bus.records(TOPIC)]
    assert len(ids) == len(set(ids)) == 50


def test_a_restart_resumes_from_the_checkpoint_with_the_same_ids(tmp_path: Path) -> None:
    bus = MemoryBus()
    first = Numbered(3)
    runtime(first, bus, tmp_path).run(drain_s=5)
    assert first.asked == [None]
    again = Numbered(5)
    runtime(again, bus, tmp_path).run(drain_s=5)
    assert again.asked == [3], "handed the committed checkpoint"
    assert [e.key for e in bus.records(TOPIC)][:3] == [e.key for e in bus.records(TOPIC)][:3]
    assert len(bus.records(TOPIC)) == 5
    # Read whole again from the start (a source without a usable checkpoint), a
    # record gets the id it had: consumers see it once.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    bus_again = MemoryBus()
    runtime(Numbered(5), bus_again, fresh).run(drain_s=5)
    assert [r.key for r in bus_again.records(TOPIC)] == [r.key for r in bus.records(TOPIC)]


def test_a_full_outbox_stops_the_taking_until_the_hub_takes_some(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bus = MemoryBus()
    bus.available = False
    running = runtime(
        Numbered(40), bus, tmp_path, max_rows=10, batch_max=5, backoff=Backoff(0.05, 0.1)
    )
    stop = threading.Event()
    result: list[Any] = []
    with caplog.at_level(logging.WARNING, logger="hub.connect.runtime"):
        worker = threading.Thread(target=lambda: result.append(running.run(drain_s=10)))
        worker.start()
        deadline = time.monotonic() + 10
        while running.outbox.depth < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        assert running.outbox.depth == 10, "taken up to the outbox's size, no further"
        assert "the outbox is full" in caplog.text
        bus.available = True
        worker.join(30)
    stop.set()
    assert result and result[0].read == 40 and result[0].waiting == 0
    assert len(bus.records(TOPIC)) == 40


def test_the_runtime_reports_its_counts_and_outbox_as_metrics(tmp_path: Path) -> None:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    from hub.connect.metrics import ConnectorMetrics

    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    bus = MemoryBus()
    bus.available = False
    outbox = Outbox(tmp_path / "outbox.db")
    target, schema = offline_target(STREAM)
    running = ConnectorRuntime(
        Numbered(6, poison=frozenset({1})),
        encoders={STREAM: AvroEncoder(target, schema)},
        outbox=outbox,
        transport=KafkaTransport(bus.publisher()),
        backoff=Backoff(0.05, 0.1),
        metrics=ConnectorMetrics("numbered", outbox, meter=provider.get_meter("test")),
    )

    def values() -> dict[str, float]:
        data = reader.get_metrics_data()
        assert data is not None
        found: dict[str, float] = {}
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    point: Any = next(iter(metric.data.data_points))
                    assert dict(point.attributes or {}) == {"linkage.connector": "numbered"}
                    found[metric.name.removeprefix("linkage.connector.")] = point.value
        return found

    down = running.run(drain_s=0.3)
    assert down.waiting == 6, "five events and a dead letter wait for the broker"
    during = values()
    assert (during["records_read"], during["dead_lettered"]) == (6, 1)
    assert during["outbox_depth"] == 6 and during["lag"] >= 0 and during["send_failures"] >= 1
    bus.available = True
    running.run(drain_s=5)
    after = values()
    assert after["events_published"] == 5 and after["outbox_depth"] == 0 and after["lag"] == 0


def test_a_long_run_lists_the_first_thousand_dead_letters_and_counts_them_all(
    tmp_path: Path,
) -> None:
    run = run_in_memory(Numbered(1_205, poison=frozenset(range(1_205))), tmp_path)
    assert run.report.dead_lettered == 1_205 and len(run.report.rejected) == 1_000
    assert run.report.summary().endswith("... and 205 more")
    assert len(run.dead_letters) == 1_205
