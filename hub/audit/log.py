"""The audit log: one row per gateway decision, allowed or denied.

Writing the row is part of serving the request: if it cannot be written the gateway
answers 503 and returns no data, so nothing is ever read unaudited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import AuditUnavailable
from hub.store.models import AuditRow

log = logging.getLogger(__name__)

ALLOW = "allow"
DENY = "deny"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    request_id: str
    action: str
    decision: str
    reason: str
    status: int
    client_id: str | None = None
    agency: str | None = None
    stream: str | None = None
    records: int = 0
    trace_id: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class AuditQuery:
    after_id: int = 0
    limit: int = 100
    agency: str | None = None
    client_id: str | None = None
    stream: str | None = None
    decision: str | None = None


class AuditLog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, entry: AuditEntry) -> int:
        try:
            with self._sessions.begin() as session:
                row = AuditRow(
                    at=entry.at,
                    request_id=entry.request_id,
                    client_id=entry.client_id,
                    agency=entry.agency,
                    action=entry.action,
                    stream=entry.stream,
                    decision=entry.decision,
                    reason=entry.reason,
                    records=entry.records,
                    status=entry.status,
                    trace_id=entry.trace_id,
                )
                session.add(row)
                session.flush()
                return row.id
        except SQLAlchemyError as exc:
            log.error("audit write failed for request %s: %s", entry.request_id, type(exc).__name__)
            raise AuditUnavailable("the audit log cannot be written; request refused") from exc

    def query(self, query: AuditQuery) -> list[AuditRow]:
        statement = select(AuditRow).where(AuditRow.id > query.after_id)
        if query.agency:
            statement = statement.where(AuditRow.agency == query.agency)
        if query.client_id:
            statement = statement.where(AuditRow.client_id == query.client_id)
        if query.stream:
            statement = statement.where(AuditRow.stream == query.stream)
        if query.decision:
            statement = statement.where(AuditRow.decision == query.decision)
        statement = statement.order_by(AuditRow.id).limit(query.limit)
        try:
            with self._sessions() as session:
                return list(session.scalars(statement))
        except SQLAlchemyError as exc:
            raise AuditUnavailable("the audit log cannot be read right now") from exc
