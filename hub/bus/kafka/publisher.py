"""Publishing with one shared, thread-safe ``KafkaProducer``."""

from __future__ import annotations

import logging
from typing import Any

from kafka import KafkaProducer
from kafka.errors import (
    CorruptRecordError,
    InvalidRecordError,
    InvalidTimestampError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
)
from kafka.partitioner import DefaultPartitioner
from kafka.producer.future import FutureRecordMetadata

from hub.bus.kafka.security import client_security
from hub.bus.records import Delivered, Headers
from hub.config import KafkaSettings
from hub.errors import BrokerUnavailable, RecordRefused

log = logging.getLogger(__name__)

#: Refusals of one record for what it is, by the client (its size) or by the broker.
_REFUSALS = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    InvalidRecordError,
    CorruptRecordError,
    InvalidTimestampError,
)


class _PendingSend:
    def __init__(self, future: FutureRecordMetadata) -> None:
        self._future = future

    def result(self, timeout_s: float) -> Delivered:
        try:
            meta = self._future.get(timeout=timeout_s)
        except _REFUSALS as exc:
            raise RecordRefused(f"the broker refused the record: {exc}") from exc
        except KafkaError as exc:
            raise BrokerUnavailable(f"publish failed: {exc}") from exc
        return Delivered(meta.topic, meta.partition, meta.offset)


class _Partitioner(DefaultPartitioner):  # type: ignore[misc]
    """Java's default choice (murmur2 of the key), skipped when a topic has only one
    partition to choose: the pure-Python hash costs more than sending the record."""

    def partition(
        self,
        topic: str,
        key: object,
        serialized_key: bytes | None,
        value: object,
        serialized_value: bytes | None,
        cluster: Any,
    ) -> int:
        partitions = cluster.partitions_for_topic(topic)
        if partitions is not None and len(partitions) == 1:
            (only,) = partitions
            return int(only)
        chosen: int = super().partition(
            topic, key, serialized_key, value, serialized_value, cluster
        )
        return chosen


class KafkaPublisher:
    """Implements ``Publisher``: ``acks=all``; batches form while a request is in flight."""

    def __init__(self, settings: KafkaSettings, bootstrap: str) -> None:
        try:
            self._producer = KafkaProducer(
                bootstrap_servers=bootstrap,
                client_id=settings.client_id,
                acks="all",
                linger_ms=settings.linger_ms,
                batch_size=settings.batch_bytes,
                max_request_size=settings.max_request_bytes,
                compression_type=None if settings.compression == "none" else settings.compression,
                partitioner=_Partitioner(),
                retries=5,
                request_timeout_ms=settings.request_timeout_ms,
                max_block_ms=settings.connect_timeout_ms,
                bootstrap_timeout_ms=settings.connect_timeout_ms,
                enable_idempotence=settings.idempotent,
                **client_security(settings),
            )
        except KafkaError as exc:
            raise BrokerUnavailable(f"cannot reach Kafka at {bootstrap}: {exc}") from exc

    def send(
        self, topic: str, value: bytes, *, key: bytes | None = None, headers: Headers | None = None
    ) -> _PendingSend:
        try:
            future = self._producer.send(topic, value=value, key=key, headers=headers or [])
        except _REFUSALS as exc:
            raise RecordRefused(f"{topic} cannot take the record: {exc}") from exc
        except KafkaError as exc:
            raise BrokerUnavailable(f"publish to {topic} failed: {exc}") from exc
        return _PendingSend(future)

    def flush(self, timeout_s: float = 30.0) -> None:
        try:
            self._producer.flush(timeout=timeout_s)
        except KafkaError as exc:
            raise BrokerUnavailable(f"flush failed: {exc}") from exc

    def close(self) -> None:
        """Close within 5 s; what the broker has not taken by then is dropped and logged
        (callers that must not lose records flush and wait on them first)."""
        try:
            self._producer.close(timeout=5)
        except KafkaError as exc:
            log.warning("publisher closed with records unsent: %s", type(exc).__name__)
            # kafka-python's close() flushes before it stops its sender, and raises when
            # the flush cannot finish (a broker that is gone), leaving the sender running
            # and __del__ to try again. Stop it the way close() would have.
            sender = getattr(self._producer, "_sender", None)
            if sender is not None:
                sender.force_close()
            self._producer._closed = True
