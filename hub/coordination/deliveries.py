"""One event to one receiving agency: when it was published, first served to the agency,
and acknowledged by it; the unit every coordination figure is made of."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hub.coordination.facts import CoordinationFacts, Published
from hub.coordination.receivers import Receivers


@dataclass(frozen=True, slots=True)
class Delivery:
    event: Published
    agency: str
    #: The first time the hub served the event to the agency (a page or the live feed).
    read_ms: int | None
    #: The first time of each acknowledgement status: received, acting, done.
    acks: Mapping[str, int] = field(default_factory=dict)
    #: False for an agency that read the event without an ordinary grant (an emergency's).
    expected: bool = True

    @property
    def ack_ms(self) -> int | None:
        return min(self.acks.values()) if self.acks else None

    def since_published(self, at_ms: int | None) -> int | None:
        return _after(self.event.published_ms, at_ms)

    @property
    def to_read_ms(self) -> int | None:
        return _after(self.event.published_ms, self.read_ms)

    @property
    def to_ack_ms(self) -> int | None:
        return _after(self.event.published_ms, self.ack_ms)


def _after(start_ms: int, end_ms: int | None) -> int | None:
    # A connector's clock ahead of the hub's must not make a negative delay.
    return None if end_ms is None else max(0, end_ms - start_ms)


def deliveries(
    events: Sequence[Published], facts: CoordinationFacts, receivers: Receivers
) -> list[Delivery]:
    """Every (event, agency) that should have received the event or did, in event order."""
    ids = [e.event_id for e in events]
    reads = facts.first_reads(ids)
    acks = facts.acknowledgements(ids)
    seen: dict[str, set[str]] = {}
    for event_id, agency in (*reads, *acks):
        seen.setdefault(event_id, set()).add(agency)
    found: list[Delivery] = []
    for event in events:
        meant = receivers.of(event)
        extra = sorted(seen.get(event.event_id, set()) - set(meant) - {event.agency})
        for agency in (*meant, *extra):
            key = (event.event_id, agency)
            found.append(
                Delivery(
                    event=event,
                    agency=agency,
                    read_ms=reads.get(key),
                    acks=acks.get(key, {}),
                    expected=agency in meant,
                )
            )
    return found
