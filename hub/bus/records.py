"""Plain value types that cross the bus boundary, so callers never see kafka-python types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

Headers = list[tuple[str, bytes]]

#: The W3C trace context header the connector SDK writes on every event.
TRACEPARENT = "traceparent"
#: Version 00 of the header, the only one written: 55 characters.
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")


class BusRecord(NamedTuple):
    """One record as read from a topic; a tuple because the read path makes many."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    headers: Headers


def traceparent(headers: Headers) -> str | None:
    """The publish span a record names, if its ``traceparent`` is well formed.

    A header is whatever the producer wrote: anything else (too long, not ASCII) is
    treated as absent, so what the archive stores fits its column and a read links only
    to real span contexts.
    """
    for name, value in headers:
        if name == TRACEPARENT:
            if not value:
                return None
            text = value.decode("ascii", errors="replace")
            return text if _TRACEPARENT.fullmatch(text) else None
    return None


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int = 1
    #: Copies of the topic; None takes the cluster's setting (``kafka.replication_factor``).
    replication: int | None = None
    #: Topic settings to create it with (``max.message.bytes`` ...); an existing topic
    #: keeps its own.
    config: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Delivered:
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class ReadResult:
    """A page of records in (timestamp, partition, offset) order, and where to go on from."""

    records: list[BusRecord]
    positions: dict[int, int]
