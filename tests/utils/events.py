"""Made-up but valid events for archive and history tests, published through the real
broker or written straight into the archive (for sizes the broker would take minutes
to carry)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from hub.archive.index import index_event
from hub.archive.store import ArchiveStore, NewEvent
from hub.serde.avro import AvroSerializer
from hub.store.models import EventAck, ReadReceipt
from tests.utils.stack import Stack

STREAM = "emergency.incident-report"
BASE = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
DISTRICTS = ("440303", "440304", "440305", "440306", "440311")
LEVELS = ("I", "II", "III", "IV")


def incident_report(i: int, **envelope: Any) -> dict[str, Any]:
    """Report number ``i``: its district, level, incident and time follow from ``i``."""
    district = DISTRICTS[i % len(DISTRICTS)]
    fields: dict[str, Any] = {
        "event_id": str(uuid.UUID(int=i + 1)),
        "occurred_at": BASE + timedelta(minutes=i),
        "incident_id": f"INC-{i % 50:04d}",
        "classification": {"category": "ACCIDENT_DISASTER" if i % 3 else "NATURAL_DISASTER"},
        "severity": LEVELS[i % len(LEVELS)],
        "area": {
            "district_code": district,
            "point": {"lat": 22.5 + (i % 100) / 1000, "lon": 113.9 + (i % 100) / 1000},
        },
    }
    fields.update(envelope)
    return {
        "envelope": fields,
        "report_id": f"R-{i}",
        "title": f"Report {i}",
        "description": "made up for a test",
        "status": "REPORTED",
        "reported_by": "test duty office",
        "reporter_name": f"Person {i}",
        "reporter_phone": f"1380000{i % 10_000:04d}",
    }


def publish(stack: Stack, events: Iterable[dict[str, Any]], stream: str = STREAM) -> int:
    """Publish through the connector SDK's sink, and wait until the archive has them."""
    publisher = stack.hub.bus.publisher()
    try:
        sink = stack.hub.sink(stream, publisher)
        pending = [sink.publish(e) for e in events]
        for waiting in pending:
            waiting.result(30)
    finally:
        publisher.close()
    stack.archived()
    return len(pending)


def archive_directly(
    stack: Stack, events: Iterable[dict[str, Any]], stream: str = STREAM, batch: int = 5_000
) -> int:
    """Encode and index each event as the archiver would, and store it without Kafka."""
    publisher = stack.hub.bus.publisher()
    try:
        sink = stack.hub.sink(stream, publisher)
    finally:
        publisher.close()
    schema = stack.hub.registry.latest(stack.policy.stream(stream).subject)  # type: ignore[union-attr]
    assert schema is not None
    compiled = stack.services.schemas(schema.schema_id)
    encode = AvroSerializer(compiled, validate=False)
    store = ArchiveStore(stack.hub.engine)
    topic = sink.stream.topic
    count = 0
    for chunk in _chunks(events, batch):
        rows: list[NewEvent] = []
        for event in chunk:
            completed = sink.complete(event)
            payload = encode(completed)
            rows.append(
                NewEvent(
                    stream=stream,
                    topic=topic,
                    partition=0,
                    offset=1_000_000 + count + len(rows),
                    schema_id=compiled.schema_id,
                    payload=payload,
                    index=index_event(completed),
                )
            )
        store.write(rows, {}, now_ms=int(time.time() * 1000))
        count += len(rows)
    return count


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def backdate(
    stack: Stack, event_id: str, stream: str, agency: str, *, read_ms: int, acks: dict[str, int]
) -> None:
    """Write a receipt and acknowledgements as if they had come at the given times: an
    earlier incident's history, which a test cannot wait days for."""
    with stack.hub.engine.begin() as connection:
        connection.execute(
            insert(ReadReceipt).values(
                event_id=event_id, agency=agency, stream=stream, first_served_ms=read_ms, via="page"
            )
        )
        for status, at_ms in acks.items():
            connection.execute(
                insert(EventAck).values(
                    event_id=event_id,
                    stream=stream,
                    agency=agency,
                    client_id=f"{agency}-test",
                    status=status,
                    note="",
                    at_ms=at_ms,
                )
            )
