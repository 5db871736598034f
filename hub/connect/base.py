"""The classes a department writes: where its records come from, and how one record
becomes events. Everything else (the outbox, sending, retries, dead letters, metrics)
is the SDK's job, so a connector stays a page of code."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Routed:
    """An event for another stream of the same agency: one of the connector's ``also``
    (a slope reading over its threshold is also a site-hazard event)."""

    stream: str
    event: Mapping[str, Any]


#: What ``map`` may return: one event, or several (an empty sequence for none); an
#: event for a stream other than the connector's own ``stream`` comes as ``Routed``.
Mapped = Mapping[str, Any] | Routed | Sequence[Mapping[str, Any] | Routed]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record as the department's system holds it.

    Attributes:
        ref: Where it came from (a file name and row, a message id): shown in reports and
            dead letters so a person can find the original. With ``raw`` it also names
            the record's events: the same record read again gets the same event ids.
        raw: The record as read. Bytes are best (a dead letter keeps them unchanged);
            text is kept as UTF-8, anything else as JSON.
        position: The source's checkpoint once this record is taken (a file name, a
            row id, a dict of row hashes: anything JSON can hold). It is committed in
            the same transaction as the record's events, and handed back to
            :meth:`Connector.read` after a restart; ``None`` leaves the last one as is.
    """

    ref: str
    raw: Any
    position: Any = None


class Connector(ABC):
    """Turns one system's records into events of one stream.

    Subclasses set ``name`` (what ``hub connector run`` takes) and ``stream`` (for
    example ``"meteorology.warning"``) and implement :meth:`read` and :meth:`map`.

    The SDK fills the envelope's ``event_id`` (derived from the record, so a record
    read twice is not two events), ``source_agency``, ``published_at``,
    ``sensitivity`` and ``exercise`` when ``map`` leaves them out; validates every event
    against the stream's schema; commits it to the connector's outbox with the
    record's position; and sends it. A record that fails anywhere (``map`` raising,
    validation, encoding, a size limit, the broker refusing it) goes to the stream's
    dead-letter topic with its original bytes and the reason, and the next record
    goes on.
    """

    name: ClassVar[str]
    stream: ClassVar[str]
    #: Other streams ``map`` may route events to (see :class:`Routed`); same owner.
    also: ClassVar[tuple[str, ...]] = ()
    #: Seconds between polls of the source when the connector runs until stopped.
    poll_s: ClassVar[float] = 5.0

    @abstractmethod
    def read(self, position: Any) -> Iterable[SourceRecord]:
        """Yield the records after ``position`` (``None``: from the start), oldest first.

        Called again each poll; yield nothing when there is nothing new."""

    @abstractmethod
    def map(self, record: SourceRecord) -> Mapped:
        """Return the record's event (or events); raise ``ValueError`` or
        ``RecordRejected`` if it cannot be mapped."""

    def close(self) -> None:  # noqa: B027 - optional, most sources hold nothing
        """Release what :meth:`read` holds open (a connection, a session)."""


class PushConnector(Connector):
    """A connector whose records are pushed to it (a webhook) rather than polled.

    The SDK's receiver (:mod:`hub.connect.webhook`) authenticates each request, hands
    its body to :meth:`split`, and answers only once the records' events are in the
    outbox, so a sender that got 202 can forget them."""

    def read(self, position: Any) -> Iterable[SourceRecord]:
        return ()

    @abstractmethod
    def split(self, body: bytes, content_type: str) -> Sequence[SourceRecord]:
        """The records in one request body; raise ``ValueError`` if it holds none that
        can be told apart (the whole body is then dead-lettered)."""
