"""Cluster administration: wait for the cluster, create the catalogue's topics."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from hub.bus.kafka.security import client_security
from hub.bus.records import TopicSpec
from hub.config import KafkaSettings
from hub.errors import BrokerUnavailable

log = logging.getLogger(__name__)


def wait_for_cluster(
    bootstrap: str, *, timeout_s: float = 10.0, settings: KafkaSettings | None = None
) -> None:
    """Block until the cluster answers a metadata request, or raise ``BrokerUnavailable``."""
    security = client_security(settings) if settings is not None else {}
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=bootstrap,
                request_timeout_ms=2_000,
                bootstrap_timeout_ms=2_000,
                **security,
            )
        except (KafkaError, OSError) as exc:
            last = exc
            time.sleep(0.1)
            continue
        try:
            admin.list_topics()
            return
        except (KafkaError, OSError) as exc:
            last = exc
        finally:
            admin.close()
    raise BrokerUnavailable(f"Kafka at {bootstrap} did not answer within {timeout_s:.0f}s: {last}")


class KafkaAdmin:
    """Implements ``Admin``; each call opens and closes its own short-lived client."""

    def __init__(self, settings: KafkaSettings, bootstrap: str) -> None:
        self._settings = settings
        self._bootstrap = bootstrap

    def wait_ready(self, timeout_s: float) -> None:
        wait_for_cluster(self._bootstrap, timeout_s=timeout_s, settings=self._settings)

    def ensure_topics(self, specs: Sequence[TopicSpec]) -> list[str]:
        """Create the topics that do not exist yet; returns the names it created."""
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=self._bootstrap,
                client_id=self._settings.client_id,
                request_timeout_ms=self._settings.request_timeout_ms,
                bootstrap_timeout_ms=self._settings.connect_timeout_ms,
                **client_security(self._settings),
            )
        except KafkaError as exc:
            raise BrokerUnavailable(f"cannot reach Kafka at {self._bootstrap}: {exc}") from exc
        try:
            existing = set(admin.list_topics())
            missing = [spec for spec in specs if spec.name not in existing]
            if missing:
                new = [self._new_topic(spec) for spec in missing]
                try:
                    admin.create_topics(new)
                except TopicAlreadyExistsError:
                    log.info("another process created some of %s first", [s.name for s in missing])
            return [spec.name for spec in missing]
        except KafkaError as exc:
            raise BrokerUnavailable(f"cannot create topics on {self._bootstrap}: {exc}") from exc
        finally:
            admin.close()

    def _new_topic(self, spec: TopicSpec) -> NewTopic:
        """A spec with the cluster's durability: its replication, and the in-sync copies
        a write needs, unless the spec says otherwise."""
        config = dict(spec.config)
        if self._settings.min_insync_replicas is not None:
            config.setdefault("min.insync.replicas", str(self._settings.min_insync_replicas))
        replication = spec.replication or self._settings.replication_factor
        return NewTopic(spec.name, spec.partitions, replication, topic_configs=config)
