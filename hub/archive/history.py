"""History read back from the archive: by stream in order of arrival, or by incident in
time order, narrowed by time, place, severity and classification in SQL.

Pages are keyed (the last row's key, never an offset), so a page costs what it returns
whatever the archive's size, and a page resumes exactly where the last one stopped even
while new events arrive. What the policy keeps out is judged by the gateway afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select

from hub.archive.index import Box, EventIndex
from hub.store.models import ArchivedEvent

_T = ArchivedEvent.__table__
_COLUMNS = (
    _T.c.id,
    _T.c.stream,
    _T.c.partition,
    _T.c.offset,
    _T.c.event_id,
    _T.c.occurred_ms,
    _T.c.payload,
    _T.c.traceparent,
)


class ArchivedRow(NamedTuple):
    """What a page needs of a row; a tuple, since a page makes many."""

    id: int
    stream: str
    partition: int
    offset: int
    event_id: str
    occurred_ms: int
    payload: bytes
    #: The span that published the event (its ``traceparent``), for a read to link to.
    traceparent: str | None


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """The narrowing a caller asked for; every field is optional and they all must hold."""

    since_ms: int | None = None
    until_ms: int | None = None
    incident: str | None = None
    districts: tuple[str, ...] = ()
    #: The archive's severity rank (1 = level I): "at least II" is a rank of 2 or less.
    severity_rank_at_most: int | None = None
    categories: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    bbox: Box | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.since_ms is not None:
            found.append(_T.c.occurred_ms >= self.since_ms)
        if self.until_ms is not None:
            found.append(_T.c.occurred_ms < self.until_ms)
        if self.incident is not None:
            found.append(_T.c.incident_id == self.incident)
        if self.districts:
            found.append(_T.c.district.in_(self.districts))
        if self.severity_rank_at_most is not None:
            found.append(_T.c.severity <= self.severity_rank_at_most)
        kinds = []
        if self.categories:
            kinds.append(_T.c.category.in_(self.categories))
        if self.codes:
            kinds.append(_T.c.classification_code.in_(self.codes))
        if kinds:
            found.append(or_(*kinds))
        if self.bbox is not None:
            box = self.bbox
            found += [
                _T.c.min_lat <= box.max_lat,
                _T.c.max_lat >= box.min_lat,
                _T.c.min_lon <= box.max_lon,
                _T.c.max_lon >= box.min_lon,
            ]
        return found

    def matches(self, index: EventIndex) -> bool:
        """The same conditions as :meth:`conditions`, for an event not yet archived (the
        live feed judges each record as it comes)."""
        if self.since_ms is not None and index.occurred_ms < self.since_ms:
            return False
        if self.until_ms is not None and index.occurred_ms >= self.until_ms:
            return False
        if self.incident is not None and index.incident_id != self.incident:
            return False
        if self.districts and index.district not in self.districts:
            return False
        if self.severity_rank_at_most is not None and (
            index.severity is None or index.severity > self.severity_rank_at_most
        ):
            return False
        if (self.categories or self.codes) and not (
            index.category in self.categories or index.classification_code in self.codes
        ):
            return False
        return self.bbox is None or (index.box is not None and index.box.overlaps(self.bbox))

    def key(self) -> dict[str, Any]:
        """The filter as plain data, for a cursor to be bound to."""
        return {
            "s": self.since_ms,
            "u": self.until_ms,
            "i": self.incident,
            "d": list(self.districts),
            "v": self.severity_rank_at_most,
            "c": list(self.categories),
            "k": list(self.codes),
            "b": [self.bbox.min_lat, self.bbox.min_lon, self.bbox.max_lat, self.bbox.max_lon]
            if self.bbox
            else None,
        }


class History:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def by_stream(
        self, stream: str, where: HistoryFilter, *, after: int | None, limit: int
    ) -> list[ArchivedRow]:
        """Events of ``stream`` in order of arrival, after the row ``after``."""
        query = select(*_COLUMNS).where(_T.c.stream == stream, *where.conditions())
        if after is not None:
            query = query.where(_T.c.id > after)
        if where.since_ms is not None:
            floor = self._first_since(stream, where)
            if floor is None:
                return []
            query = query.where(_T.c.id >= floor)
        return self._rows(query.order_by(_T.c.id).limit(limit))

    def _first_since(self, stream: str, where: HistoryFilter) -> int | None:
        """The first row (in arrival order) that happened at or after ``since``.

        Pages run in arrival order along ``(stream, ..., id)``; with ``since`` alone that
        walk would pass every older row first, so a query for "since 06:00" would cost
        more the longer the archive. Every row the page may hold has an id at least this
        one's, and finding it reads only the rows since then, by time.
        """
        conditions = [_T.c.stream == stream, _T.c.occurred_ms >= where.since_ms]
        if where.districts:
            conditions.append(_T.c.district.in_(where.districts))
        with self._engine.connect() as connection:
            found = connection.execute(select(func.min(_T.c.id)).where(*conditions)).scalar()
        return None if found is None else int(found)

    def by_incident(
        self,
        incident: str,
        streams: Sequence[str],
        where: HistoryFilter,
        *,
        after: tuple[int, int] | None,
        limit: int,
    ) -> list[ArchivedRow]:
        """The incident's events of ``streams``, by when they happened (ties by arrival)."""
        query = select(*_COLUMNS).where(
            _T.c.incident_id == incident, _T.c.stream.in_(streams), *where.conditions()
        )
        if after is not None:
            occurred, row = after
            query = query.where(
                or_(
                    _T.c.occurred_ms > occurred,
                    and_(_T.c.occurred_ms == occurred, _T.c.id > row),
                )
            )
        return self._rows(query.order_by(_T.c.occurred_ms, _T.c.id).limit(limit))

    def after_positions(
        self,
        topic: str,
        where: HistoryFilter,
        positions: dict[int, int],
        upto: dict[int, int],
        *,
        limit: int,
    ) -> list[ArchivedRow]:
        """The topic's rows from ``positions`` (partition -> next offset) up to, not
        including, ``upto``, in order of arrival: what a live feed missed."""
        ranges = [
            and_(_T.c.partition == p, _T.c.offset >= start, _T.c.offset < upto.get(p, start))
            for p, start in positions.items()
            if upto.get(p, start) > start
        ]
        if not ranges:
            return []
        query = select(*_COLUMNS).where(_T.c.topic == topic, or_(*ranges), *where.conditions())
        return self._rows(query.order_by(_T.c.id).limit(limit))

    def events(self, event_ids: Sequence[str]) -> dict[str, ArchivedRow]:
        """The archived rows of ``event_ids`` that exist, by event id."""
        if not event_ids:
            return {}
        rows = self._rows(select(*_COLUMNS).where(_T.c.event_id.in_(event_ids)))
        return {row.event_id: row for row in rows}

    def event(self, event_id: str) -> ArchivedRow | None:
        query = select(*_COLUMNS).where(_T.c.event_id == event_id)
        found = self._rows(query)
        return found[0] if found else None

    def _rows(self, query: Any) -> list[ArchivedRow]:
        with self._engine.connect() as connection:
            return [ArchivedRow(*row) for row in connection.execute(query)]
