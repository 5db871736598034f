"""Plain value types that cross the bus boundary, so callers never see kafka-python types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

Headers = list[tuple[str, bytes]]


class BusRecord(NamedTuple):
    """One record as read from a topic; a tuple because the read path makes many."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    headers: Headers


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int = 1
    replication: int = 1
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
