"""The post-incident assessment: for one incident, who published what and when, who
read and acknowledged it and how fast, what was refused, what the emergency opened and
how the auditors judged it, and how all of that compares with earlier incidents of the
same category (exercises compared with exercises, real incidents with real ones)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.coordination.accesses import Access, IncidentAccesses
from hub.coordination.deliveries import Delivery, deliveries
from hub.coordination.facts import CoordinationFacts, IncidentSummary, Published
from hub.coordination.figures import Figures
from hub.coordination.receivers import Receivers
from hub.policy.model import Policy

#: The audit window runs on after the incident's last event: refusals and emergency
#: reads of its streams come in while agencies are still catching up.
TAIL = timedelta(hours=24)
#: Earlier incidents of the same category shown for comparison.
COMPARED = 5


@dataclass(frozen=True, slots=True)
class Earlier:
    incident: IncidentSummary
    figures: Figures


@dataclass(frozen=True, slots=True)
class Assessment:
    incident_id: str
    #: The first category its events give; None if none gives one.
    category: str | None
    exercise: bool
    events: list[Published]
    deliveries: list[Delivery]
    by_reader: dict[str, Figures]
    overall: Figures
    denied: list[Access]
    by_emergency: list[Access]
    earlier: list[Earlier]
    window: tuple[datetime, datetime]

    @property
    def publishers(self) -> list[str]:
        return sorted({e.agency for e in self.events})

    @property
    def streams(self) -> list[str]:
        return sorted({e.stream for e in self.events})


class Assessor:
    def __init__(
        self, policy: Policy, facts: CoordinationFacts, accesses: IncidentAccesses
    ) -> None:
        self._policy = policy
        self._facts = facts
        self._accesses = accesses

    def assess(self, incident_id: str, *, now: datetime | None = None) -> Assessment | None:
        """None when no archived event carries ``incident_id``."""
        events = self._facts.of_incident(incident_id)
        if not events:
            return None
        receivers = Receivers(self._policy)
        found = deliveries(events, self._facts, receivers)
        exercise = bool(self._facts.drills([incident_id]))
        window = _window(events, found, now or datetime.now(UTC))
        streams = sorted({e.stream for e in events})
        by_reader: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in found:
            by_reader[delivery.agency].append(delivery)
        # The SDK and the gateway refuse an incident's event without a classification,
        # but one written to Kafka past them may lack it: the first one given counts.
        category = next((e.category for e in events if e.category), None)
        return Assessment(
            incident_id=incident_id,
            category=category,
            exercise=exercise,
            events=events,
            deliveries=found,
            by_reader={agency: Figures.of(group) for agency, group in sorted(by_reader.items())},
            overall=Figures.of(found),
            denied=self._accesses.denied(incident_id, streams, *window),
            by_emergency=self._opened(found, streams, window),
            earlier=self._earlier(events[0], category, exercise, receivers),
            window=window,
        )

    def _opened(
        self, found: Sequence[Delivery], streams: list[str], window: tuple[datetime, datetime]
    ) -> list[Access]:
        """The emergency reads of the agencies that got this incident's events only by an
        emergency grant. An audit row names the stream, not the events it served, so a
        read by another agency, of other events on the same stream, is left out."""
        opened = {d.agency for d in found if not d.expected}
        if not opened:
            return []
        rows = self._accesses.by_emergency(streams, *window)
        return [row for row in rows if row.agency in opened]

    def _earlier(
        self, first: Published, category: str | None, exercise: bool, receivers: Receivers
    ) -> list[Earlier]:
        candidates = self._facts.incidents(
            until_ms=first.published_ms, category=category, limit=COMPARED * 4
        )
        drills = self._facts.drills(c.incident_id for c in candidates)
        alike = [
            c
            for c in candidates
            if c.incident_id != first.incident_id and (c.incident_id in drills) == exercise
        ][:COMPARED]
        earlier = []
        for summary in alike:
            events = self._facts.of_incident(summary.incident_id)
            earlier.append(Earlier(summary, Figures.of(deliveries(events, self._facts, receivers))))
        return earlier


def _window(
    events: Sequence[Published], found: Sequence[Delivery], now: datetime
) -> tuple[datetime, datetime]:
    moments = [e.published_ms for e in events]
    moments += [d.read_ms for d in found if d.read_ms is not None]
    moments += [t for d in found for t in d.acks.values()]
    start = datetime.fromtimestamp(min(moments) / 1000, UTC)
    end = datetime.fromtimestamp(max(moments) / 1000, UTC) + TAIL
    # Rows cannot come from the future; a minute's slack covers a row being written.
    return start, min(end, max(now, start) + timedelta(minutes=1))
