"""Declaring, closing and listing emergencies; the ones in force, for every decision.

Every gateway decision asks which emergencies are in force, so the answer is kept for
a second; a declaration or a close made here replaces it at once, so a closed
emergency's grants switch off with the answer to the close.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import Conflict, NotFound
from hub.identity import Caller
from hub.policy.emergency import DeclaredEmergency
from hub.store.models import EmergencyRow

_IN_FORCE_TTL_S = 1.0


@dataclass(frozen=True, slots=True)
class Declaration:
    category: str
    level: str
    districts: tuple[str, ...]
    title: str
    reason: str
    duration: timedelta


@dataclass(frozen=True, slots=True)
class EmergencyRecord:
    """An emergency as the API shows it."""

    emergency: DeclaredEmergency
    title: str
    reason: str
    declared_by: str
    agency: str
    closed_by: str | None

    def state(self, now: datetime) -> str:
        e = self.emergency
        if e.closed_at is not None:
            return "closed"
        return "active" if e.in_force(now) else "expired"


class EmergencyService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._cached: tuple[float, tuple[DeclaredEmergency, ...]] | None = None
        # Bumped by every declaration and close: an answer read before one is never kept.
        self._generation = 0
        self._lock = threading.Lock()

    def declare(self, declaration: Declaration, *, by: Caller) -> EmergencyRecord:
        now = datetime.now(UTC)
        row = EmergencyRow(
            id=str(uuid.uuid4()),
            category=declaration.category,
            level=declaration.level,
            districts=orjson.dumps(list(declaration.districts)).decode(),
            title=declaration.title,
            reason=declaration.reason,
            declared_by=by.client_id,
            agency=by.agency,
            declared_at=now,
            expires_at=now + declaration.duration,
        )
        with self._sessions.begin() as session:
            session.add(row)
        self._forget()
        return _record(row)

    def close(self, emergency_id: str, *, by: Caller) -> EmergencyRecord:
        with self._sessions.begin() as session:
            row = session.get(EmergencyRow, emergency_id)
            if row is None:
                raise NotFound(f"no emergency {emergency_id}")
            if row.closed_at is not None:
                raise Conflict(f"emergency {emergency_id} was closed at {_iso(row.closed_at)}")
            row.closed_at = datetime.now(UTC)
            row.closed_by = by.client_id
            record = _record(row)
        self._forget()
        return record

    def get(self, emergency_id: str) -> EmergencyRecord:
        with self._sessions() as session:
            row = session.get(EmergencyRow, emergency_id)
            if row is None:
                raise NotFound(f"no emergency {emergency_id}")
            return _record(row)

    def list(self, *, limit: int = 100) -> list[EmergencyRecord]:
        """Newest first."""
        statement = select(EmergencyRow).order_by(EmergencyRow.declared_at.desc()).limit(limit)
        with self._sessions() as session:
            return [_record(row) for row in session.scalars(statement)]

    def cached_in_force(self) -> tuple[DeclaredEmergency, ...] | None:
        """The emergencies in force if known from the last second, else None (ask
        :meth:`in_force`, which reads the database)."""
        cached = self._cached
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        return None

    def in_force(self) -> tuple[DeclaredEmergency, ...]:
        """The emergencies that have not been closed and have not expired."""
        cached = self.cached_in_force()
        if cached is not None:
            return cached
        generation = self._generation
        now = datetime.now(UTC)
        statement = select(EmergencyRow).where(
            EmergencyRow.closed_at.is_(None), EmergencyRow.expires_at > now
        )
        with self._sessions() as session:
            found = tuple(_record(row).emergency for row in session.scalars(statement))
        with self._lock:
            if generation == self._generation:
                self._cached = (time.monotonic() + _IN_FORCE_TTL_S, found)
        # Expiry is judged again by every decision, so a cached emergency that expires
        # within the second is already out of force.
        return tuple(e for e in found if e.in_force(datetime.now(UTC)))

    def _forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._cached = None


def _utc(value: datetime) -> datetime:
    # SQLite hands times back without their zone; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    return _utc(value).isoformat()


def _record(row: EmergencyRow) -> EmergencyRecord:
    return EmergencyRecord(
        emergency=DeclaredEmergency(
            id=row.id,
            category=row.category,
            level=row.level,
            districts=tuple(orjson.loads(row.districts)),
            declared_at=_utc(row.declared_at),
            expires_at=_utc(row.expires_at),
            closed_at=_utc(row.closed_at) if row.closed_at else None,
        ),
        title=row.title,
        reason=row.reason,
        declared_by=row.declared_by,
        agency=row.agency,
        closed_by=row.closed_by,
    )
