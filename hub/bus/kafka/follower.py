"""A long-lived tail of several topics with one consumer, no consumer group.

Whoever follows keeps its own positions (the archiver in its database, in the same
transaction as the rows), so a consumer group's committed offsets would be a second
truth that could disagree with the first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from hub.bus.kafka.reader import to_record
from hub.bus.kafka.security import client_security
from hub.bus.protocols import Positions
from hub.bus.records import BusRecord
from hub.config import KafkaSettings
from hub.errors import BrokerUnavailable

log = logging.getLogger(__name__)

#: How often topics that have no partitions yet (not created) are looked up again.
_REFRESH_S = 2.0


class KafkaFollower:
    """Implements ``Follower``."""

    def __init__(
        self,
        settings: KafkaSettings,
        bootstrap: str,
        topics: Sequence[str],
        *,
        positions: Positions,
        from_end: bool,
    ) -> None:
        self._topics = list(dict.fromkeys(topics))
        self._positions = dict(positions)
        self._from_end = from_end
        self._assigned: set[TopicPartition] = set()
        self._checked = 0.0
        try:
            self._consumer = KafkaConsumer(
                bootstrap_servers=bootstrap,
                client_id=f"{settings.client_id}-follower",
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="latest" if from_end else "earliest",
                allow_auto_create_topics=False,
                fetch_max_wait_ms=settings.fetch_max_wait_ms,
                request_timeout_ms=settings.request_timeout_ms,
                bootstrap_timeout_ms=settings.connect_timeout_ms,
                **client_security(settings),
            )
        except KafkaError as exc:
            raise BrokerUnavailable(f"cannot reach Kafka at {bootstrap}: {exc}") from exc

    def _assign(self) -> None:
        """Take on the partitions that exist now; those seen for the first time start at
        their known position, else at the beginning or end."""
        now = time.monotonic()
        if now - self._checked < _REFRESH_S and self._assigned:
            return
        self._checked = now
        wanted: set[TopicPartition] = set()
        for topic in self._topics:
            for partition in self._consumer.partitions_for_topic(topic) or ():
                wanted.add(TopicPartition(topic, partition))
        new = wanted - self._assigned
        if not new:
            return
        self._consumer.assign(sorted(wanted))
        for tp in new:
            known = self._positions.get((tp.topic, tp.partition))
            if known is not None:
                self._consumer.seek(tp, known)
            elif self._from_end:
                self._consumer.seek_to_end(tp)
            else:
                self._consumer.seek_to_beginning(tp)
        self._assigned = wanted

    def poll(self, timeout_s: float, *, max_records: int = 500) -> list[BusRecord]:
        try:
            self._assign()
            if not self._assigned:
                time.sleep(min(timeout_s, 0.1))
                return []
            batch = self._consumer.poll(timeout_ms=int(timeout_s * 1000), max_records=max_records)
        except KafkaError as exc:
            raise BrokerUnavailable(f"following {len(self._topics)} topics failed: {exc}") from exc
        found = [to_record(m) for messages in batch.values() for m in messages]
        for record in found:
            self._positions[(record.topic, record.partition)] = record.offset + 1
        return found

    def close(self) -> None:
        try:
            self._consumer.close()
        except KafkaError as exc:
            log.warning("follower closed uncleanly: %s", type(exc).__name__)
