"""Failed token requests counted in the database, shared by every gateway replica.

Only failures write (a try refused by the back-off costs no secret check and writes
nothing), so a flood of wrong secrets writes about as many rows as tries are let
through. Rows older than the longest memory of a failure are pruned as new ones come.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Engine, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from hub.store.models import LoginFailure

_FAILURES = cast(Table, LoginFailure.__table__)
#: One prune per this many failures keeps the table small without a timer.
_PRUNE_EVERY = 500


class DatabaseFailures:
    """Implements ``FailureStore`` over the ``login_failures`` table."""

    blocking = True

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._added = 0

    def get(self, key: str) -> tuple[int, float] | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(_FAILURES.c.count, _FAILURES.c.last_ms).where(_FAILURES.c.key == key)
            ).first()
        return None if row is None else (int(row[0]), int(row[1]) / 1000)

    def add(self, key: str, now: float, forget_s: float) -> None:
        now_ms = int(now * 1000)
        stale_ms = now_ms - int(forget_s * 1000)
        with self._engine.begin() as connection:
            for _ in range(3):
                # A remembered failure counts one more; a forgotten one starts again at 1.
                counted = connection.execute(
                    update(_FAILURES)
                    .where(_FAILURES.c.key == key, _FAILURES.c.last_ms >= stale_ms)
                    .values(count=_FAILURES.c.count + 1, last_ms=now_ms)
                ).rowcount
                if counted:
                    break
                restarted = connection.execute(
                    update(_FAILURES).where(_FAILURES.c.key == key).values(count=1, last_ms=now_ms)
                ).rowcount
                if restarted:
                    break
                try:
                    with connection.begin_nested():
                        connection.execute(
                            insert(_FAILURES), {"key": key, "count": 1, "last_ms": now_ms}
                        )
                    break
                except IntegrityError:
                    continue  # another replica counted this key's first failure: count on
            self._added += 1
            if self._added % _PRUNE_EVERY == 0:
                connection.execute(delete(_FAILURES).where(_FAILURES.c.last_ms < stale_ms))

    def forget(self, key: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(_FAILURES).where(_FAILURES.c.key == key))
