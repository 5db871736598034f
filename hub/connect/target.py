"""Where a connector publishes: the catalogue facts the SDK needs, and nothing more.

The hub builds a target from its stream catalogue; the SDK never reads the policy files,
so a connector can run wherever its events are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.serde.wire import dead_letter_topic


@dataclass(frozen=True, slots=True)
class StreamTarget:
    """One stream as a connector sees it.

    Attributes:
        id: The stream id, ``<agency>.<stream>`` (``meteorology.warning``).
        owner: The agency that owns it; only it may publish there.
        topic: The Kafka topic, ``<id>.v<major>``.
        sensitivity: ``public``, ``internal`` or ``restricted``; the envelope's default.
    """

    id: str
    owner: str
    topic: str
    sensitivity: str = "internal"

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(self.topic)
