"""The envelope fields a connector may leave to the SDK, and the ids of its events.

An event's id is derived from where its record came from and what it held, so reading
the same record again (after a crash, or a source that is read whole each time) gives
the same ids, and the archive and every consumer see each event once. A mapping that
knows a better identity (the source system's own message id) sets ``event_id`` itself.

The SDK also holds events to the catalogue's classification rule here, where every
event passes before it is encoded; the gateway's HTTP publish applies the same function.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from hub.connect.base import Connector, Mapped, Routed, SourceRecord
from hub.connect.target import StreamTarget
from hub.errors import RecordRejected

#: The namespace of derived event ids: a UUID 5 (RFC 9562) whose name is the connector,
#: the record's ref and the event's index among the record's events, each on a line,
#: then the record's bytes.
EVENT_IDS = uuid.UUID("5d3c6f4e-2a8b-5b1e-9f7c-4c1b6a0e8d21")


def events_of(mapped: Mapped, connector: Connector) -> list[Routed]:
    """``map``'s answer as a list of events, each with its stream: the connector's own,
    or one of its ``also``."""
    items: Sequence[Any]
    if isinstance(mapped, (Mapping, Routed)):
        items = [mapped]
    elif isinstance(mapped, Sequence) and not isinstance(mapped, (str, bytes)):
        items = mapped
    else:
        raise TypeError(f"map returned a {type(mapped).__name__}, not an event or a list of them")
    events = []
    for item in items:
        if isinstance(item, Mapping):
            events.append(Routed(connector.stream, item))
        elif isinstance(item, Routed):
            if item.stream != connector.stream and item.stream not in connector.also:
                raise TypeError(
                    f"map routed an event to {item.stream}, which is not among the"
                    f" connector's streams ({', '.join((connector.stream, *connector.also))})"
                )
            events.append(item)
        else:
            raise TypeError(f"map returned a {type(item).__name__} among its events")
    return events


def raw_bytes(raw: Any) -> bytes:
    """A record's original bytes: bytes as they are, text as UTF-8, the rest as JSON."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        return bytes(raw)
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="surrogateescape")
    return orjson.dumps(raw, default=str, option=orjson.OPT_NON_STR_KEYS)


def derived_event_id(connector: str, record: SourceRecord, index: int) -> str:
    """UUID 5 written out here: ``uuid.uuid5`` takes only a text name (the bytes would
    need a second hash first) and builds an object to print, a tenth of a connector's
    time per event."""
    name = f"{connector}\n{record.ref}\n{index}\n".encode() + raw_bytes(record.raw)
    digest = bytearray(hashlib.sha1(EVENT_IDS.bytes + name, usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def complete(
    target: StreamTarget,
    event: Mapping[str, Any],
    *,
    connector: str,
    record: SourceRecord,
    index: int,
) -> dict[str, Any]:
    """The event with the envelope fields ``map`` left out filled in, its id derived
    from its record."""
    return filled(target, event, lambda: derived_event_id(connector, record, index))


def filled(
    target: StreamTarget, event: Mapping[str, Any], new_id: Callable[[], str]
) -> dict[str, Any]:
    """The event with the envelope fields left out filled in (``new_id`` makes its id if
    it has none); refuses an event for another agency's stream, or one that should say
    what kind of emergency it is about and does not. The connector SDK and the
    gateway's HTTP publish both complete events here."""
    completed = dict(event)
    envelope = dict(completed.get("envelope") or {})
    agency = envelope.setdefault("source_agency", target.owner)
    if agency != target.owner:
        raise RecordRejected(
            "envelope.source_agency",
            f"{agency!r} may not publish to {target.id}, owned by {target.owner}",
        )
    # Not setdefault: its default would be made (an id, a clock read) for every event,
    # also those that carry their own.
    if "event_id" not in envelope:
        envelope["event_id"] = new_id()
    if "published_at" not in envelope:
        envelope["published_at"] = datetime.now(UTC)
    envelope.setdefault("sensitivity", target.sensitivity.upper())
    envelope.setdefault("exercise", False)
    require_classification(target, envelope)
    completed["envelope"] = envelope
    return completed


def require_classification(target: StreamTarget, envelope: Mapping[str, Any]) -> None:
    """Refuse an event that should say what kind of emergency it is about and does not.

    The schema lets ``classification`` be null, because a routine reading describes no
    emergency and a made-up category would count it as one. Whether null is right is the
    catalogue's to say per stream, and an event that names an incident is about an
    emergency whatever its stream. Checked where events enter the hub (here for
    connectors, and by the HTTP publish path), since the schema cannot express either.
    """
    if envelope.get("classification") is not None:
        return
    if target.classification_required:
        raise RecordRejected(
            "envelope.classification",
            f"required for stream {target.id}, which is incident-linked"
            " (classification: required in the catalogue); give its GB/T 35561 category",
        )
    if envelope.get("incident_id") is not None:
        raise RecordRejected(
            "envelope.classification",
            f"required on an event that names incident {envelope['incident_id']!r}:"
            " an incident-linked event says what kind of emergency it is",
        )
