"""Reading the audit log: rows by filter, in seq order.

Rows are written only by :class:`hub.audit.writer.AuditWriter`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import DataError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import AuditUnavailable
from hub.store.models import AuditRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which rows: every filter given must hold. ``after`` and ``upto`` bound the seq."""

    after: int | None = None
    upto: int | None = None
    #: Only rows with a smaller seq; with ``newest_first``, pages run back in time.
    before: int | None = None
    newest_first: bool = False
    limit: int = 100
    agency: str | None = None
    client_id: str | None = None
    stream: str | None = None
    action: str | None = None
    decision: str | None = None
    purpose: str | None = None
    emergency_id: str | None = None
    request_id: str | None = None
    review_required: bool | None = None
    since: datetime | None = None
    until: datetime | None = None


_EQUAL = ("agency", "client_id", "stream", "action", "decision", "purpose", "request_id")


class AuditLog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def query(self, query: AuditQuery) -> list[AuditRow]:
        order = AuditRow.seq.desc() if query.newest_first else AuditRow.seq
        statement = _select(query).order_by(order).limit(query.limit)
        try:
            with self._sessions() as session:
                return list(session.scalars(statement))
        except DataError:
            raise  # a filter value the database refuses (a NUL byte): the caller's 422
        except SQLAlchemyError as exc:
            raise AuditUnavailable("the audit log cannot be read right now") from exc

    def count(self, query: AuditQuery) -> int:
        statement = select(func.count()).select_from(_select(query).subquery())
        try:
            with self._sessions() as session:
                return int(session.execute(statement).scalar_one())
        except DataError:
            raise
        except SQLAlchemyError as exc:
            raise AuditUnavailable("the audit log cannot be read right now") from exc

    def grouped(
        self, query: AuditQuery, by: Sequence[str]
    ) -> list[tuple[tuple[Any, ...], int, int]]:
        """Rows matching ``query`` counted by the columns ``by``: (values, rows, records)."""
        filtered = _select(query).subquery()
        keys = [filtered.c[name] for name in by]
        statement = (
            select(*keys, func.count(), func.coalesce(func.sum(filtered.c.records), 0))
            .group_by(*keys)
            .order_by(func.count().desc())
        )
        try:
            with self._sessions() as session:
                return [
                    (tuple(row[: len(by)]), int(row[len(by)]), int(row[len(by) + 1]))
                    for row in session.execute(statement)
                ]
        except DataError:
            raise
        except SQLAlchemyError as exc:
            raise AuditUnavailable("the audit log cannot be read right now") from exc

    def last_seq(self) -> int | None:
        with self._sessions() as session:
            last = session.execute(select(func.max(AuditRow.seq))).scalar()
        return None if last is None else int(last)


def _select(query: AuditQuery) -> Select[Any]:
    statement = select(AuditRow)
    if query.after is not None:
        statement = statement.where(AuditRow.seq > query.after)
    if query.upto is not None:
        statement = statement.where(AuditRow.seq <= query.upto)
    if query.before is not None:
        statement = statement.where(AuditRow.seq < query.before)
    for name in _EQUAL:
        value = getattr(query, name)
        if value:
            statement = statement.where(getattr(AuditRow, name) == value)
    if query.emergency_id:
        # A read opened by several emergencies names them all, comma-separated.
        statement = statement.where(
            or_(
                AuditRow.emergency_id == query.emergency_id,
                AuditRow.emergency_id.like(f"%{_escaped(query.emergency_id)}%", escape="\\"),
            )
        )
    if query.review_required is not None:
        statement = statement.where(AuditRow.review_required.is_(query.review_required))
    if query.since is not None:
        statement = statement.where(AuditRow.at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditRow.at < query.until)
    return statement


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
