"""Where a connector publishes: the catalogue facts the SDK needs, and nothing more.

The hub builds a target from its stream catalogue; the SDK never reads the policy files,
so a connector can run wherever its events are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.serde.wire import dead_letter_topic

if TYPE_CHECKING:
    from hub.policy.model import Stream


@dataclass(frozen=True, slots=True)
class StreamTarget:
    """One stream as a connector sees it.

    Attributes:
        id: The stream id, ``<agency>.<stream>`` (``meteorology.warning``).
        owner: The agency that owns it; only it may publish there.
        topic: The Kafka topic, ``<id>.v<major>``.
        sensitivity: ``public``, ``internal`` or ``restricted``; the envelope's default.
        classification_required: The stream is incident-linked (``classification:
            required`` in the catalogue): every event must say what kind of emergency it
            is about. False for routine streams, whose events may carry none; an event
            that names an incident needs one either way. True unless told, as the
            catalogue's default is.
        max_message_bytes: The largest encoded event the stream takes.
    """

    id: str
    owner: str
    topic: str
    sensitivity: str = "internal"
    classification_required: bool = True
    max_message_bytes: int = 1_000_000

    @classmethod
    def of(cls, stream: Stream) -> StreamTarget:
        return cls(
            id=stream.id,
            owner=stream.owner,
            topic=stream.topic,
            sensitivity=stream.sensitivity,
            classification_required=stream.classification_required,
            max_message_bytes=stream.max_message_bytes,
        )

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(self.topic)
