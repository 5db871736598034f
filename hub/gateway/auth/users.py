"""People who sign in to the console, with passwords hashed memory-hard and lockout.

Created by operators with `hub users create`. A role grants the console pages as
scopes, so a person's requests are decided and audited like a client's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import BadRequest, NotFound
from hub.gateway.auth.secrets import PASSWORD_N, hash_secret, new_secret, verify_secret
from hub.identity import AUDIT_READ, AUDIT_REVIEW, COORDINATION_READ
from hub.store.models import ConsoleUserRow

Role = Literal["auditor", "duty-officer"]
ROLES: dict[str, frozenset[str]] = {
    # Auditors read and judge the log, and see coordination as evidence.
    "auditor": frozenset({AUDIT_READ, AUDIT_REVIEW, COORDINATION_READ}),
    # Duty officers watch coordination: who shares, who reads, how fast.
    "duty-officer": frozenset({COORDINATION_READ}),
}
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
PASSWORD_MIN = 12


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    username: str
    display_name: str
    role: str
    agency: str
    disabled: bool
    locked_until: datetime | None

    @property
    def scopes(self) -> frozenset[str]:
        return ROLES.get(self.role, frozenset())


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in attempt; ``reason`` is what the audit row says."""

    user: ConsoleUser | None
    reason: str


def user_of(row: ConsoleUserRow) -> ConsoleUser:
    locked = row.locked_until
    if locked is not None and locked.tzinfo is None:
        locked = locked.replace(tzinfo=UTC)
    return ConsoleUser(row.username, row.display_name, row.role, row.agency, row.disabled, locked)


class UserStore:
    def __init__(
        self, sessions: sessionmaker[Session], *, lockout_failures: int, lockout_minutes: int
    ) -> None:
        self._sessions = sessions
        self._limit = lockout_failures
        self._lock_for = timedelta(minutes=lockout_minutes)

    def create(
        self,
        *,
        username: str,
        role: str,
        agency: str,
        display_name: str = "",
        password: str | None = None,
    ) -> tuple[ConsoleUser, str]:
        """A new person; returns the user and the password (generated if none given)."""
        if not USERNAME.match(username):
            raise BadRequest("a username is 2-64 of a-z, 0-9, '.', '_' and '-'")
        if role not in ROLES:
            raise BadRequest(f"a role is one of: {', '.join(ROLES)}")
        password = password or new_secret()
        if len(password) < PASSWORD_MIN:
            raise BadRequest(f"a password is at least {PASSWORD_MIN} characters")
        with self._sessions.begin() as session:
            if session.get(ConsoleUserRow, username) is not None:
                raise BadRequest(f"user {username} already exists")
            row = ConsoleUserRow(
                username=username,
                display_name=display_name,
                role=role,
                agency=agency,
                password_hash=hash_secret(password, n=PASSWORD_N),
                failures=0,
                disabled=False,
            )
            session.add(row)
            session.flush()
            return user_of(row), password

    def ensure(self, *, username: str, role: str, agency: str, display_name: str) -> str | None:
        """For `hub dev`: the demo person, with a fresh password each run."""
        with self._sessions.begin() as session:
            row = session.get(ConsoleUserRow, username)
            if row is not None:
                password = new_secret()
                row.password_hash = hash_secret(password, n=PASSWORD_N)
                row.failures, row.locked_until, row.disabled = 0, None, False
                return password
        return self.create(username=username, role=role, agency=agency, display_name=display_name)[
            1
        ]

    def list(self) -> list[ConsoleUser]:
        with self._sessions() as session:
            rows = session.scalars(select(ConsoleUserRow).order_by(ConsoleUserRow.username))
            return [user_of(row) for row in rows]

    def get(self, username: str) -> ConsoleUser | None:
        with self._sessions() as session:
            row = session.get(ConsoleUserRow, username)
            return user_of(row) if row else None

    def set_state(
        self, username: str, *, disabled: bool | None = None, unlock: bool = False
    ) -> ConsoleUser:
        with self._sessions.begin() as session:
            row = session.get(ConsoleUserRow, username)
            if row is None:
                raise NotFound(f"no user {username}")
            if disabled is not None:
                row.disabled = disabled
            if unlock:
                row.failures, row.locked_until = 0, None
            return user_of(row)

    def sign_in(self, username: str, password: str, *, now: datetime | None = None) -> SignIn:
        """Check a password; count failures and lock at the limit. The same words for an
        unknown user and a wrong password, so the form tells nobody who exists."""
        now = now or datetime.now(UTC)
        with self._sessions.begin() as session:
            row = session.get(ConsoleUserRow, username, with_for_update=True)
            if row is None:
                hash_secret(password, n=PASSWORD_N)  # the same time as a real check
                return SignIn(None, "wrong username or password (no such user)")
            user = user_of(row)
            if row.disabled:
                return SignIn(None, "the account is disabled")
            if user.locked_until is not None and user.locked_until > now:
                return SignIn(None, f"the account is locked until {user.locked_until:%H:%M} UTC")
            if not verify_secret(password, row.password_hash):
                row.failures += 1
                if row.failures >= self._limit:
                    row.failures, row.locked_until = 0, now + self._lock_for
                    return SignIn(None, f"wrong password; locked after {self._limit} in a row")
                return SignIn(None, f"wrong password ({row.failures} of {self._limit})")
            row.failures, row.locked_until = 0, None
            return SignIn(user_of(row), f"signed in as {row.role}")
