"""The audit rows an assessment quotes: requests refused on an incident's streams, and
reads an emergency grant allowed, with the auditors' verdicts on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Select, or_, select

from hub.store.models import AuditRow, ReviewRow

#: An assessment lists at most this many rows of each kind.
ROWS_MAX = 500
_COLUMNS: tuple[Any, ...] = (
    AuditRow.seq,
    AuditRow.at,
    AuditRow.client_id,
    AuditRow.agency,
    AuditRow.action,
    AuditRow.stream,
    AuditRow.reason,
    AuditRow.records,
    AuditRow.emergency_id,
    AuditRow.grant_id,
    ReviewRow.verdict,
    ReviewRow.reviewer,
)


@dataclass(frozen=True, slots=True)
class Access:
    seq: int
    at: datetime
    client_id: str | None
    agency: str | None
    action: str
    stream: str | None
    reason: str
    records: int
    emergency_id: str | None
    grant_id: str | None
    verdict: str | None = None
    reviewer: str | None = None


class IncidentAccesses:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def denied(
        self, incident_id: str, streams: Sequence[str], since: datetime, until: datetime
    ) -> list[Access]:
        """Refusals on the incident's streams in its window, and of its timeline."""
        about = or_(AuditRow.stream.in_(list(streams)), AuditRow.resource == incident_id)
        query = (
            select(*_COLUMNS)
            .outerjoin(ReviewRow, ReviewRow.audit_id == AuditRow.id)
            .where(AuditRow.decision == "deny", about)
            .where(AuditRow.at >= since, AuditRow.at < until)
        )
        return self._rows(query)

    def by_emergency(
        self, streams: Sequence[str], since: datetime, until: datetime
    ) -> list[Access]:
        """Reads of the incident's streams in its window that only an emergency allowed."""
        query = (
            select(*_COLUMNS)
            .outerjoin(ReviewRow, ReviewRow.audit_id == AuditRow.id)
            .where(AuditRow.decision == "allow", AuditRow.emergency_id.is_not(None))
            .where(AuditRow.stream.in_(list(streams)))
            .where(AuditRow.at >= since, AuditRow.at < until)
        )
        return self._rows(query)

    def _rows(self, query: Select[Any]) -> list[Access]:
        query = query.order_by(AuditRow.seq).limit(ROWS_MAX)
        with self._engine.connect() as connection:
            found = []
            for row in connection.execute(query):
                at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
                found.append(
                    Access(
                        seq=row.seq,
                        at=at,
                        client_id=row.client_id,
                        agency=row.agency,
                        action=row.action,
                        stream=row.stream,
                        reason=row.reason,
                        records=row.records,
                        emergency_id=row.emergency_id,
                        grant_id=row.grant_id,
                        verdict=row.verdict,
                        reviewer=row.reviewer,
                    )
                )
            return found
