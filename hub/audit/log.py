"""The audit log: one row per gateway decision, allowed or denied.

Writing the row is part of serving the request: if it cannot be written the gateway
answers 503 and returns no data, so nothing is ever read unaudited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import DataError, SQLAlchemyError
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
    purpose: str | None = None
    grant_id: str | None = None
    policy_version: str | None = None
    masked: tuple[str, ...] = ()
    emergency_id: str | None = None
    review_required: bool = False
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class AuditQuery:
    after_id: int = 0
    limit: int = 100
    agency: str | None = None
    client_id: str | None = None
    stream: str | None = None
    decision: str | None = None
    review_required: bool | None = None


#: The longest reason kept; the rest of a very long one says nothing an auditor needs.
REASON_MAX = 2000


def _fit(value: str | None, column: str) -> str | None:
    """A value as its column can hold it.

    Much of a row is what the caller sent (a stream id in the path, the client id a
    refused request claimed); PostgreSQL refuses a NUL byte or a string longer than its
    column, and a row that cannot be written refuses the request. So the row keeps
    what fits, and marks a NUL, rather than losing the request's trace.
    """
    if value is None:
        return None
    length = getattr(AuditRow.__table__.c[column].type, "length", None) or REASON_MAX
    return value.replace("\x00", "\ufffd")[:length]


class AuditLog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, entry: AuditEntry) -> int:
        try:
            with self._sessions.begin() as session:
                row = AuditRow(
                    at=entry.at,
                    request_id=_fit(entry.request_id, "request_id"),
                    client_id=_fit(entry.client_id, "client_id"),
                    agency=_fit(entry.agency, "agency"),
                    action=_fit(entry.action, "action"),
                    stream=_fit(entry.stream, "stream"),
                    decision=entry.decision,
                    reason=_fit(entry.reason, "reason"),
                    records=entry.records,
                    status=entry.status,
                    trace_id=entry.trace_id,
                    purpose=_fit(entry.purpose, "purpose"),
                    grant_id=_fit(entry.grant_id, "grant_id"),
                    policy_version=_fit(entry.policy_version, "policy_version"),
                    masked=_fit(",".join(entry.masked), "masked") if entry.masked else None,
                    emergency_id=_fit(entry.emergency_id, "emergency_id"),
                    review_required=entry.review_required,
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
        if query.review_required is not None:
            statement = statement.where(AuditRow.review_required.is_(query.review_required))
        statement = statement.order_by(AuditRow.id).limit(query.limit)
        try:
            with self._sessions() as session:
                return list(session.scalars(statement))
        except DataError:
            raise  # a filter value the database refuses (a NUL byte): the caller's 422
        except SQLAlchemyError as exc:
            raise AuditUnavailable("the audit log cannot be read right now") from exc
