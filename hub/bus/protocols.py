"""The narrow ports the rest of the hub uses; ``hub.bus.kafka`` is the real implementation."""

from __future__ import annotations

from typing import Protocol

from hub.bus.records import Delivered, Headers, ReadResult


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
        """Read up to ``limit`` records from ``positions`` (partition -> next offset)."""
        ...

    def close(self) -> None: ...
