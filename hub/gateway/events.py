"""Read a page of a stream's events from Kafka and decode it for JSON."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from hub.bus.protocols import Reader
from hub.errors import BadRequest, InvalidFrame
from hub.gateway.cursor import decode_cursor, encode_cursor
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


class EventPages:
    """Pages of a stream's events: read from Kafka by cursor, decoded for JSON."""

    def __init__(
        self,
        *,
        reader: Reader,
        decode: Callable[[bytes], dict[str, Any]],
        page_default: int,
        page_max: int,
    ) -> None:
        self._reader = reader
        self._decode = decode
        self.page_default = page_default
        self.page_max = page_max

    def read(self, stream: Stream, *, cursor: str | None, limit: int | None) -> dict[str, Any]:
        if limit is not None and limit > self.page_max:
            raise BadRequest(f"limit must be at most {self.page_max}")
        positions = decode_cursor(cursor, stream.topic)
        result = self._reader.read(
            stream.topic, positions=positions, limit=limit or self.page_default
        )
        events: list[dict[str, Any]] = []
        skipped = 0
        for record in result.records:
            if record.value is None:
                continue
            try:
                event = self._decode(record.value)
            except UNDECODABLE as exc:
                # Anyone able to write the topic can write garbage; it is skipped and
                # counted. A database failure is not in this list: it fails the page
                # (503) and the cursor stays where it was.
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
                    "timestamp": _when(record.timestamp_ms),
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


def _when(timestamp_ms: int) -> datetime | None:
    """The record's Kafka timestamp; a producer may set any, even past year 9999."""
    try:
        return datetime.fromtimestamp(timestamp_ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def page_json(page: dict[str, Any]) -> bytes:
    """orjson, since this is the hot path: datetimes and UUIDs natively, bytes as base64."""
    return orjson.dumps(page, default=_default)
