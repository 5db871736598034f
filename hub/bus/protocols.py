"""The narrow ports the rest of the hub uses; ``hub.bus.kafka`` is the real implementation.

Callers get these from :func:`hub.bus.factory.open_bus`, never by naming a client
library, so a second library can be added behind the same ports without touching them.
``hub.connect.testing`` has an in-memory implementation for connector authors' tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from hub.bus.records import BusRecord, Delivered, Headers, ReadResult, TopicSpec
from hub.errors import BadRequest


class BeyondEnd(BadRequest):
    """A position past the end of a partition: a stale cursor, or a restarted broker."""

    def __init__(self, partition: int, position: int, high: int) -> None:
        super().__init__(
            f"the cursor points past the end of partition {partition} (offset {position}, "
            f"end {high}); the topic may have been recreated: start again without a cursor"
        )


class Pending(Protocol):
    def result(self, timeout_s: float) -> Delivered:
        """Wait for the broker's acknowledgement; raises ``BrokerUnavailable`` on failure."""
        ...


class Publisher(Protocol):
    def send(
        self, topic: str, value: bytes, *, key: bytes | None = None, headers: Headers | None = None
    ) -> Pending:
        """Queue one record; batching happens underneath, acknowledgement via ``Pending``."""
        ...

    def flush(self, timeout_s: float = 30.0) -> None: ...

    def close(self) -> None: ...


class Reader(Protocol):
    def read(self, topic: str, *, positions: dict[int, int], limit: int) -> ReadResult:
        """Read up to ``limit`` records from ``positions`` (partition -> next offset).

        Raises ``BeyondEnd`` for a position past a partition's end and
        ``BrokerUnavailable`` when some partition does not answer in time.
        """
        ...

    def end_offsets(self, topic: str) -> dict[int, int]:
        """Each partition's end (the offset the next record will get); empty for a
        topic that does not exist."""
        ...

    def close(self) -> None: ...


class Follower(Protocol):
    """A long-lived tail of some topics, for whoever reads everything as it comes (the
    archiver, the live feed); one thread uses it at a time."""

    def poll(self, timeout_s: float, *, max_records: int = 500) -> list[BusRecord]:
        """What arrived since the last poll, waiting up to ``timeout_s`` for something;
        raises ``BrokerUnavailable`` when the cluster cannot be read."""
        ...

    def close(self) -> None: ...


#: Where a follower starts: the next offset to read of each (topic, partition).
Positions = Mapping[tuple[str, int], int]


class Admin(Protocol):
    def wait_ready(self, timeout_s: float) -> None:
        """Block until the cluster answers, or raise ``BrokerUnavailable``."""
        ...

    def ensure_topics(self, specs: Sequence[TopicSpec]) -> list[str]:
        """Create the topics that do not exist yet; return the names created."""
        ...


class Bus(Protocol):
    """One cluster: where its clients come from."""

    @property
    def bootstrap(self) -> str: ...

    def admin(self) -> Admin: ...

    def publisher(self) -> Publisher: ...

    def reader(self, *, pool_size: int = 4) -> Reader: ...

    def follower(
        self, topics: Sequence[str], *, positions: Positions, from_end: bool = False
    ) -> Follower:
        """Follow ``topics`` from ``positions``; a partition without a position starts at
        its beginning, or at its end when ``from_end``. A topic that does not exist yet is
        picked up when it appears."""
        ...
