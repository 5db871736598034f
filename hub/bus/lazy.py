"""A publisher made on first use, so that a process starts (and serves what needs no
Kafka) while the broker is down; the first send meets the outage instead."""

from __future__ import annotations

import threading
from collections.abc import Callable

from hub.bus.protocols import Pending, Publisher
from hub.bus.records import Headers


class LazyPublisher:
    """Implements ``Publisher`` by making the real one when it is first needed."""

    def __init__(self, make: Callable[[], Publisher]) -> None:
        self._make = make
        self._made: Publisher | None = None
        self._lock = threading.Lock()

    def _publisher(self) -> Publisher:
        with self._lock:
            if self._made is None:
                self._made = self._make()
            return self._made

    def send(
        self, topic: str, value: bytes, *, key: bytes | None = None, headers: Headers | None = None
    ) -> Pending:
        return self._publisher().send(topic, value, key=key, headers=headers)

    def flush(self, timeout_s: float = 30.0) -> None:
        if self._made is not None:
            self._made.flush(timeout_s)

    def close(self) -> None:
        with self._lock:
            if self._made is not None:
                self._made.close()
                self._made = None
