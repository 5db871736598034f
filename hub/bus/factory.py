"""The one place that picks the client library behind the bus ports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.bus.protocols import Admin, Bus, Follower, Positions, Publisher, Reader
from hub.config import KafkaSettings
from hub.errors import ConfigError


@dataclass(frozen=True, slots=True)
class KafkaBus:
    """Implements ``Bus`` with kafka-python; clients are imported only when first asked for."""

    settings: KafkaSettings
    bootstrap: str

    def admin(self) -> Admin:
        from hub.bus.kafka.admin import KafkaAdmin

        return KafkaAdmin(self.settings, self.bootstrap)

    def publisher(self) -> Publisher:
        from hub.bus.kafka.publisher import KafkaPublisher

        return KafkaPublisher(self.settings, self.bootstrap)

    def reader(self, *, pool_size: int = 4) -> Reader:
        from hub.bus.kafka.reader import KafkaReader

        return KafkaReader(self.settings, self.bootstrap, pool_size=pool_size)

    def follower(
        self, topics: Sequence[str], *, positions: Positions, from_end: bool = False
    ) -> Follower:
        from hub.bus.kafka.follower import KafkaFollower

        return KafkaFollower(
            self.settings, self.bootstrap, topics, positions=positions, from_end=from_end
        )


def open_bus(settings: KafkaSettings, bootstrap: str | None = None) -> Bus:
    """The cluster at ``bootstrap`` (default: the settings' own)."""
    target = bootstrap or settings.bootstrap
    if not target:
        raise ConfigError("no Kafka bootstrap servers: set HUB_KAFKA_BOOTSTRAP")
    return KafkaBus(settings, target)
