"""Read a page of a stream's events from Kafka, decode, filter and mask it for JSON."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from hub.bus.protocols import Reader
from hub.bus.records import BusRecord
from hub.errors import BadRequest, InvalidFrame
from hub.gateway.cursor import decode_cursor, encode_cursor
from hub.policy.decision import StreamAccess
from hub.policy.filters import RowCheck
from hub.policy.plan_cache import PlanCache, emergency_rows
from hub.registry.errors import RegistryError
from hub.serde.avro import AvroDeserializer

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


@dataclass(frozen=True, slots=True)
class Page:
    body: dict[str, Any]
    served: int
    #: ``path:method`` of every field served masked on this page.
    masked: tuple[str, ...]


class EventPages:
    """Pages of a stream's events: read from Kafka by cursor, decoded, filtered and masked.

    Records a reader may not see are read past but neither served nor counted; a page
    keeps reading until it is full, the stream is caught up (``more`` is false), or it
    has read past :data:`SCAN_FACTOR` pages' worth (``more`` stays true).
    """

    SCAN_FACTOR = 10

    def __init__(
        self,
        *,
        reader: Reader,
        decode: AvroDeserializer,
        plans: PlanCache,
        page_default: int,
        page_max: int,
    ) -> None:
        self._reader = reader
        self._decode = decode
        self._plans = plans
        self.page_default = page_default
        self.page_max = page_max

    def read(self, access: StreamAccess, *, cursor: str | None, limit: int | None) -> Page:
        if limit is not None and limit > self.page_max:
            raise BadRequest(f"limit must be at most {self.page_max}")
        wanted = limit or self.page_default
        stream = access.stream
        positions = decode_cursor(cursor, stream.topic)
        also = emergency_rows(access.decision)
        events: list[dict[str, Any]] = []
        masked: set[str] = set()
        skipped = scanned = 0
        more = True
        while more and len(events) < wanted and scanned < wanted * self.SCAN_FACTOR:
            # Whole batches, even when the page lacks only a few events: under a strict
            # filter, asking for just the missing few would cost a fetch per record.
            result = self._reader.read(stream.topic, positions=positions, limit=wanted)
            more = len(result.records) >= wanted
            positions = dict(positions)
            for record in result.records:
                if len(events) == wanted:
                    # The page is full mid-batch: the rest is read again for the next page.
                    more = True
                    break
                scanned += 1
                positions[record.partition] = record.offset + 1
                shown = self._show(access, record, also, masked)
                if shown is _UNDECODABLE:
                    skipped += 1
                elif shown is not None:
                    events.append(shown)
        body: dict[str, Any] = {
            "stream": stream.id,
            "count": len(events),
            "events": events,
            "next": encode_cursor(stream.topic, positions),
            "more": more,
        }
        if skipped:
            body["skipped"] = skipped
        return Page(body, len(events), tuple(sorted(masked)))

    def _show(
        self,
        access: StreamAccess,
        record: BusRecord,
        also: RowCheck | None,
        masked: set[str],
    ) -> Any:
        if record.value is None:
            return None
        try:
            schema, event = self._decode.decode(record.value)
        except UNDECODABLE as exc:
            # Anyone able to write the topic can write garbage; it is skipped and
            # counted. A database failure is not in this list: it fails the page
            # (503) and the cursor stays where it was.
            log.warning(
                "undecodable record %s[%d]@%d: %s",
                record.topic,
                record.partition,
                record.offset,
                type(exc).__name__,
            )
            return _UNDECODABLE
        plan = self._plans.plan(
            access.policy, access.decision, schema.schema_id, lambda: schema.text
        )
        shown = plan.apply(event, also)
        if shown is None:
            return None
        masked.update(plan.masked)
        return {
            "partition": record.partition,
            "offset": record.offset,
            "timestamp": _when(record.timestamp_ms),
            "event": shown,
        }


_UNDECODABLE = object()


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
