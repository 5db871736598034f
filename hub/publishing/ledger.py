"""Which event ids were published over HTTP, and where they landed.

A publish first claims its event id (a row without coordinates); a second request with
the same id finds the claim and waits for the first's coordinates instead of sending
again. A claim left by a process that died is taken over after ``stale_s``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine, Table, delete, select, update
from sqlalchemy.exc import IntegrityError

from hub.store.models import PublishedEvent

_T = cast(Table, PublishedEvent.__table__)


@dataclass(frozen=True, slots=True)
class Landed:
    event_id: str
    stream: str
    partition: int
    offset: int


class PublishLedger:
    def __init__(self, engine: Engine, *, stale_s: float = 60.0) -> None:
        self._engine = engine
        self._stale_ms = int(stale_s * 1000)

    def claim(self, event_id: str, stream: str, client_id: str) -> bool:
        """True if this request publishes ``event_id``; False if another has claimed it."""
        now = int(time.time() * 1000)
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    _T.insert().values(
                        event_id=event_id, stream=stream, client_id=client_id, claimed_ms=now
                    )
                )
            return True
        except IntegrityError:
            pass
        # Take over a claim whose publisher never came back.
        with self._engine.begin() as connection:
            taken = connection.execute(
                update(_T)
                .where(
                    _T.c.event_id == event_id,
                    _T.c.offset.is_(None),
                    _T.c.claimed_ms < now - self._stale_ms,
                )
                .values(claimed_ms=now, client_id=client_id, stream=stream)
            )
            return bool(taken.rowcount)

    def landed(self, event_id: str) -> Landed | str | None:
        """Where ``event_id`` landed; the stream it was claimed for while in flight; None
        if nobody published it over HTTP."""
        with self._engine.connect() as connection:
            row = connection.execute(select(_T).where(_T.c.event_id == event_id)).first()
        if row is None:
            return None
        if row.offset is None:
            return str(row.stream)
        return Landed(row.event_id, row.stream, row.partition, row.offset)

    def record(self, landed: list[Landed]) -> None:
        with self._engine.begin() as connection:
            for one in landed:
                connection.execute(
                    update(_T)
                    .where(_T.c.event_id == one.event_id)
                    .values(partition=one.partition, offset=one.offset)
                )

    def release(self, event_ids: list[str]) -> None:
        """Give up claims whose publish failed, so that a retry may publish them."""
        with self._engine.begin() as connection:
            connection.execute(
                delete(_T).where(_T.c.event_id.in_(event_ids), _T.c.offset.is_(None))
            )
