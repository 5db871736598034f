"""What the coordination pages measure, read from the store: the archived events (their
envelope, never their payload), the first time each was served to each agency, and
each agency's acknowledgements. Nothing here decides what counts; that is
:mod:`hub.coordination.deliveries`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, Literal

from sqlalchemy import Engine, Integer, Select, cast, func, select

from hub.store.models import ArchivedEvent, EventAck, ReadReceipt

_E = ArchivedEvent.__table__
_R = ReadReceipt.__table__
_A = EventAck.__table__
#: Ids per ``IN (...)``: well under every database's limit on bound parameters.
_CHUNK = 500
#: At most this many events in one report; the page says so when a period holds more.
EVENTS_MAX = 20_000
_LEVEL = {1: "I", 2: "II", 3: "III", 4: "IV"}


class _Every(Enum):
    CATEGORY = "every category"


#: :meth:`CoordinationFacts.incidents` of every category (None asks for the unclassified).
ANY_CATEGORY: Final = _Every.CATEGORY


@dataclass(frozen=True, slots=True)
class Published:
    """One archived event as the coordination pages see it."""

    event_id: str
    stream: str
    agency: str
    published_ms: int
    incident_id: str | None
    #: None for a routine event, which names no kind of emergency.
    category: str | None
    code: str | None
    severity: str | None
    district: str | None
    sensitivity: str
    exercise: bool

    def as_record(self) -> dict[str, Any]:
        """The envelope a grant's row filter judges (see :mod:`hub.policy.filters`)."""
        return {
            "envelope": {
                "area": {"district_code": self.district} if self.district else None,
                "severity": self.severity,
                "classification": {"category": self.category} if self.category else None,
                "sensitivity": self.sensitivity,
            }
        }


@dataclass(frozen=True, slots=True)
class IncidentSummary:
    incident_id: str
    #: None when none of its events says (only events sent past the SDK and the
    #: gateway can name an incident without a classification).
    category: str | None
    first_ms: int
    last_ms: int
    events: int
    agencies: int
    exercise: bool


_COLUMNS = (
    _E.c.event_id,
    _E.c.stream,
    _E.c.source_agency,
    _E.c.published_ms,
    _E.c.incident_id,
    _E.c.category,
    _E.c.classification_code,
    _E.c.severity,
    _E.c.district,
    _E.c.sensitivity,
    _E.c.exercise,
)


class CoordinationFacts:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def published(
        self, since_ms: int, until_ms: int, streams: Sequence[str]
    ) -> tuple[list[Published], bool]:
        """The events of ``streams`` published in the period, oldest first, and whether
        there were more than :data:`EVENTS_MAX` (then only the first are returned)."""
        if not streams:
            return [], False
        query = (
            select(*_COLUMNS)
            .where(_E.c.stream.in_(list(streams)))
            .where(_E.c.published_ms >= since_ms, _E.c.published_ms < until_ms)
            .order_by(_E.c.published_ms, _E.c.id)
            .limit(EVENTS_MAX + 1)
        )
        events = self._events(query)
        return events[:EVENTS_MAX], len(events) > EVENTS_MAX

    def of_incident(self, incident_id: str) -> list[Published]:
        query = (
            select(*_COLUMNS)
            .where(_E.c.incident_id == incident_id)
            .order_by(_E.c.published_ms, _E.c.id)
            .limit(EVENTS_MAX)
        )
        return self._events(query)

    def incidents(
        self,
        *,
        until_ms: int | None = None,
        category: str | Literal[_Every.CATEGORY] | None = ANY_CATEGORY,
        limit: int = 50,
    ) -> list[IncidentSummary]:
        """Incidents, latest first: those that began before ``until_ms`` when given, and
        of ``category`` when given (None: those with no category)."""
        first = func.min(_E.c.published_ms)
        query: Select[Any] = (
            select(
                _E.c.incident_id,
                func.min(_E.c.category),
                first,
                func.max(_E.c.published_ms),
                func.count(),
                func.count(func.distinct(_E.c.source_agency)),
                func.max(cast(_E.c.exercise, Integer)),
            )
            .where(_E.c.incident_id.is_not(None))
            .group_by(_E.c.incident_id)
            .order_by(first.desc())
            .limit(limit)
        )
        if until_ms is not None:
            query = query.having(first < until_ms)
        if category is None:
            query = query.having(func.min(_E.c.category).is_(None))
        elif isinstance(category, str):
            query = query.having(func.min(_E.c.category) == category)
        with self._engine.connect() as connection:
            return [
                IncidentSummary(r[0], r[1], int(r[2]), int(r[3]), r[4], r[5], bool(r[6]))
                for r in connection.execute(query)
            ]

    def drills(self, incident_ids: Iterable[str]) -> set[str]:
        """Those of ``incident_ids`` that are exercises: any of their events (a declared
        drill, an exercise alert) says so."""
        found: set[str] = set()
        for chunk in _chunks(sorted(set(incident_ids))):
            query = (
                select(_E.c.incident_id)
                .where(_E.c.incident_id.in_(chunk), _E.c.exercise.is_(True))
                .distinct()
            )
            with self._engine.connect() as connection:
                found.update(r[0] for r in connection.execute(query))
        return found

    def first_reads(self, event_ids: Sequence[str]) -> dict[tuple[str, str], int]:
        """(event, agency) to the first time the event was served to the agency."""
        found: dict[tuple[str, str], int] = {}
        for chunk in _chunks(event_ids):
            query = select(_R.c.event_id, _R.c.agency, _R.c.first_served_ms).where(
                _R.c.event_id.in_(chunk)
            )
            with self._engine.connect() as connection:
                for event_id, agency, at in connection.execute(query):
                    found[(event_id, agency)] = int(at)
        return found

    def acknowledgements(self, event_ids: Sequence[str]) -> dict[tuple[str, str], dict[str, int]]:
        """(event, agency) to the first time of each status the agency acknowledged."""
        found: dict[tuple[str, str], dict[str, int]] = {}
        for chunk in _chunks(event_ids):
            query = (
                select(_A.c.event_id, _A.c.agency, _A.c.status, func.min(_A.c.at_ms))
                .where(_A.c.event_id.in_(chunk))
                .group_by(_A.c.event_id, _A.c.agency, _A.c.status)
            )
            with self._engine.connect() as connection:
                for event_id, agency, status, at in connection.execute(query):
                    found.setdefault((event_id, agency), {})[status] = int(at)
        return found

    def _events(self, query: Select[Any]) -> list[Published]:
        with self._engine.connect() as connection:
            return [
                Published(
                    event_id=r.event_id,
                    stream=r.stream,
                    agency=r.source_agency,
                    published_ms=int(r.published_ms),
                    incident_id=r.incident_id,
                    category=r.category,
                    code=r.classification_code,
                    severity=_LEVEL.get(r.severity) if r.severity else None,
                    district=r.district,
                    sensitivity=r.sensitivity,
                    exercise=bool(r.exercise),
                )
                for r in connection.execute(query)
            ]


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch
