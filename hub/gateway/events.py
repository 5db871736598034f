"""Read a page of a stream's events from Kafka and decode it for JSON."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from typing import Any

import orjson

from hub.errors import InvalidFrame
from hub.gateway.cursor import decode_cursor, encode_cursor
from hub.gateway.runtime import Runtime
from hub.policy.model import Stream
from hub.registry.errors import RegistryError

log = logging.getLogger(__name__)

UNDECODABLE = (
    InvalidFrame,
    RegistryError,
    EOFError,
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    OverflowError,
)


def read_page(
    runtime: Runtime, stream: Stream, *, cursor: str | None, limit: int
) -> dict[str, Any]:
    positions = decode_cursor(cursor, stream.topic)
    result = runtime.reader.read(stream.topic, positions=positions, limit=limit)
    events: list[dict[str, Any]] = []
    skipped = 0
    for record in result.records:
        if record.value is None:
            continue
        try:
            event = runtime.decode(record.value)
        except UNDECODABLE as exc:
            # Anyone able to write the topic can write garbage; that is skipped and counted.
            # A database failure is not in this list: it fails the page (503), cursor unmoved.
            skipped += 1
            log.warning(
                "undecodable record %s[%d]@%d: %s",
                record.topic,
                record.partition,
                record.offset,
                type(exc).__name__,
            )
            continue
        events.append(
            {
                "partition": record.partition,
                "offset": record.offset,
                "timestamp": datetime.fromtimestamp(record.timestamp_ms / 1000, UTC),
                "event": event,
            }
        )
    page: dict[str, Any] = {
        "stream": stream.id,
        "count": len(events),
        "events": events,
        "next": encode_cursor(stream.topic, result.positions),
    }
    if skipped:
        page["skipped"] = skipped
    return page


def _default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def page_json(page: dict[str, Any]) -> bytes:
    """orjson, since this is the hot path: datetimes and UUIDs natively, bytes as base64."""
    return orjson.dumps(page, default=_default)
