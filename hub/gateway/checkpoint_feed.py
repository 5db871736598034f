"""Copies each signed checkpoint to the checkpoints topic, off the audit writer's thread.

The topic is a convenience for witnesses that read Kafka; the database holds the log.
So a broker that is down costs a copy (logged), never an audited request's time.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from hub.audit.publication import CHECKPOINT_TOPIC
from hub.bus.protocols import Bus, Publisher
from hub.errors import HubError

log = logging.getLogger(__name__)


class CheckpointFeed:
    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        self._publisher: Publisher | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkpoint-feed")

    def __call__(self, note: str, size: int) -> None:
        self._thread.submit(self._send, note, size)

    def _send(self, note: str, size: int) -> None:
        try:
            if self._publisher is None:
                self._publisher = self._bus.publisher()
            self._publisher.send(CHECKPOINT_TOPIC, note.encode(), key=str(size).encode())
        except HubError as exc:
            log.warning("checkpoint %d not copied to %s: %s", size, CHECKPOINT_TOPIC, exc.message)

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        if self._publisher is not None:
            self._publisher.close()
