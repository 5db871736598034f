"""Console sessions: a random token in an HttpOnly cookie, its hash in the database.

Each session has its own CSRF token, which every form carries and every POST checks.
A session ends when signed out, after ``idle`` without a request, or after ``longest``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from hub.gateway.auth.users import ConsoleUser, user_of
from hub.store.models import ConsoleSessionRow, ConsoleUserRow


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    user: ConsoleUser
    csrf: str
    #: A short name for the session (a prefix of its hash), for audit rows.
    label: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class SessionStore:
    def __init__(
        self, sessions: sessionmaker[Session], *, idle: timedelta, longest: timedelta
    ) -> None:
        self._sessions = sessions
        self._idle = idle
        self._longest = longest

    def open(self, username: str) -> str:
        """A new session for ``username``; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            session.add(
                ConsoleSessionRow(
                    token_hash=_hash(token),
                    username=username,
                    csrf=secrets.token_urlsafe(32),
                    created_at=now,
                    last_seen=now,
                )
            )
        return token

    def find(self, token: str | None) -> ConsoleSession | None:
        """The live session of ``token``, its idle time restarted; None if there is none."""
        if not token or len(token) > 128:
            return None
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            row = session.get(ConsoleSessionRow, _hash(token))
            if row is None:
                return None
            expired = (
                now - _utc(row.last_seen) > self._idle or now - _utc(row.created_at) > self._longest
            )
            user_row = session.get(ConsoleUserRow, row.username)
            if expired or user_row is None or user_row.disabled:
                session.delete(row)
                return None
            row.last_seen = now
            return ConsoleSession(user_of(user_row), row.csrf, row.token_hash[:12])

    def close(self, token: str | None) -> None:
        if token:
            with self._sessions.begin() as session:
                session.execute(
                    delete(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == _hash(token))
                )


def same(expected: str, given: str | None) -> bool:
    """A constant-time comparison of CSRF tokens."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
