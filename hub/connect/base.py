"""The class a department writes: read its system's records, map each to an event."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record as the department's system holds it.

    Attributes:
        ref: Where it came from (file name and row, message id); shown in reports and
            dead letters so a person can find the original.
        raw: The record itself, as read; dead-lettered unchanged if it cannot be mapped.
    """

    ref: str
    raw: Any


class Connector(ABC):
    """Turns one system's records into events of one stream.

    Subclasses set ``stream`` (for example ``"meteorology.warning"``) and implement
    :meth:`read` and :meth:`map`. The SDK fills the envelope's ``event_id``,
    ``source_agency``, ``published_at`` and ``sensitivity`` when ``map`` leaves them
    out, validates every event against the stream's schema, and publishes it; a record
    that cannot be mapped or validated goes to the stream's dead-letter topic with the
    reason, and is never half-sent.
    """

    stream: ClassVar[str]

    @abstractmethod
    def read(self) -> Iterable[SourceRecord]:
        """Yield the records to publish, oldest first."""

    @abstractmethod
    def map(self, record: SourceRecord) -> Mapping[str, Any]:
        """Return the event for ``record``; raise ``ValueError`` or ``RecordRejected`` if it cannot be mapped."""
