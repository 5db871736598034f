"""The coordination report: for a period, how fast each agency that receives another's
events first reads them and acknowledges them, against the targets in ``policies/``.

Only streams with a target are measured: the targets file is where the Emergency
Management Bureau says which flows it holds agencies to. Exercises (an event marked
``exercise``, or any event of an incident that one marks a drill) are measured apart,
so a drill neither flatters nor spoils the real figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from hub.coordination.deliveries import Delivery, deliveries
from hub.coordination.facts import CoordinationFacts, Published
from hub.coordination.figures import Figures
from hub.coordination.receivers import Receivers
from hub.policy.model import Policy
from hub.policy.targets import Target

#: At most this many unacknowledged deliveries are listed; the count is always whole.
LISTED_MAX = 200


@dataclass(frozen=True, slots=True)
class PairFigures:
    publisher: str
    reader: str
    stream: str
    figures: Figures
    target: Target | None
    #: Deliveries still unread, or unacknowledged, when their target had passed.
    unread_late: int = 0
    unacked_late: int = 0

    @property
    def read_met(self) -> bool | None:
        """The 90th percentile within the target, and nothing left unread past it (an
        event published a minute ago and not read yet misses nothing)."""
        if self.target is None or not self.figures.deliveries:
            return None
        limit = self.target.first_read.total_seconds() * 1000
        return self.unread_late == 0 and (self.figures.read_p90_ms or 0) <= limit

    @property
    def ack_met(self) -> bool | None:
        if self.target is None or not self.figures.deliveries:
            return None
        limit = self.target.acknowledged.total_seconds() * 1000
        return self.unacked_late == 0 and (self.figures.ack_p90_ms or 0) <= limit


@dataclass(frozen=True, slots=True)
class Unacknowledged:
    delivery: Delivery
    #: Older than the stream's acknowledgement target (not merely recent).
    overdue: bool


@dataclass(frozen=True, slots=True)
class Side:
    """The real events of a period, or its exercises."""

    events: int
    pairs: list[PairFigures]
    unacknowledged: list[Unacknowledged]
    unacknowledged_total: int


@dataclass(frozen=True, slots=True)
class CoordinationReport:
    since_ms: int
    until_ms: int
    streams: list[str]
    real: Side
    exercise: Side
    #: The period held more events than a report reads; the figures cover the first.
    truncated: bool


def measured_streams(policy: Policy) -> list[str]:
    return [s.id for s in policy.streams if policy.target_for(s.id) is not None]


def build_report(
    policy: Policy, facts: CoordinationFacts, *, since_ms: int, until_ms: int, now_ms: int
) -> CoordinationReport:
    streams = measured_streams(policy)
    events, truncated = facts.published(since_ms, until_ms, streams)
    drills = facts.drills(e.incident_id for e in events if e.incident_id)
    real, exercise = split_exercises(events, drills)
    receivers = Receivers(policy)
    return CoordinationReport(
        since_ms=since_ms,
        until_ms=until_ms,
        streams=streams,
        real=side(policy, real, deliveries(real, facts, receivers), now_ms),
        exercise=side(policy, exercise, deliveries(exercise, facts, receivers), now_ms),
        truncated=truncated,
    )


def split_exercises(
    events: Iterable[Published], drills: set[str]
) -> tuple[list[Published], list[Published]]:
    real: list[Published] = []
    exercise: list[Published] = []
    for event in events:
        is_drill = event.exercise or (event.incident_id is not None and event.incident_id in drills)
        (exercise if is_drill else real).append(event)
    return real, exercise


def side(
    policy: Policy, events: Sequence[Published], found: Sequence[Delivery], now_ms: int
) -> Side:
    missing = [d for d in found if d.expected and d.ack_ms is None]
    return Side(
        events=len(events),
        pairs=pair_figures(policy, found, now_ms),
        unacknowledged=[_overdue(policy, d, now_ms) for d in missing[:LISTED_MAX]],
        unacknowledged_total=len(missing),
    )


def pair_figures(policy: Policy, found: Iterable[Delivery], now_ms: int) -> list[PairFigures]:
    groups: dict[tuple[str, str, str], list[Delivery]] = defaultdict(list)
    for delivery in found:
        groups[(delivery.event.agency, delivery.agency, delivery.event.stream)].append(delivery)
    figures = []
    for (publisher, reader, stream), group in sorted(groups.items()):
        target = policy.target_for(stream)
        first_read = target.first_read if target else None
        acknowledged = target.acknowledged if target else None
        figures.append(
            PairFigures(
                publisher=publisher,
                reader=reader,
                stream=stream,
                figures=Figures.of(group),
                target=target,
                unread_late=sum(d.read_ms is None and _past(d, now_ms, first_read) for d in group),
                unacked_late=sum(
                    d.ack_ms is None and _past(d, now_ms, acknowledged) for d in group
                ),
            )
        )
    return figures


def _past(delivery: Delivery, now_ms: int, limit: timedelta | None) -> bool:
    """Published longer ago than ``limit`` (with no limit, never)."""
    if limit is None:
        return False
    return now_ms - delivery.event.published_ms > limit.total_seconds() * 1000


def _overdue(policy: Policy, delivery: Delivery, now_ms: int) -> Unacknowledged:
    target = policy.target_for(delivery.event.stream)
    return Unacknowledged(
        delivery, _past(delivery, now_ms, target.acknowledged if target else None)
    )
