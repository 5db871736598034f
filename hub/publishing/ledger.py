"""Which event ids were published over HTTP, and where they landed.

A publish first claims its event ids (rows without coordinates, marked with the
request's own claim token); a second request with one of those ids finds the claim and
waits for the first's coordinates instead of sending again. A claim left by a process
that died is taken over after ``stale_s``. A batch costs a multi-row insert and a count to
claim (more only when some ids were claimed before) and one multi-row upsert to record
(see hub.store.bulk for why not a statement per event).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine, Table, delete, func, select, update

from hub.store.bulk import MultiRowInsert
from hub.store.models import PublishedEvent

_T = cast(Table, PublishedEvent.__table__)
_ROW = ("event_id", "stream", "client_id", "claim", "claimed_ms", "partition", "offset")


@dataclass(frozen=True, slots=True)
class Landed:
    event_id: str
    stream: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class InFlight:
    """Claimed by a publish that has not landed yet."""

    stream: str


class PublishLedger:
    def __init__(self, engine: Engine, *, stale_s: float = 60.0) -> None:
        self._engine = engine
        self._stale_ms = int(stale_s * 1000)
        self._claim = MultiRowInsert(
            engine,
            _T,
            ("event_id", "stream", "client_id", "claim", "claimed_ms"),
            conflict=("event_id",),
        )
        # A landed event's row exists (its claim): the insert only ever updates it.
        self._landed = MultiRowInsert(
            engine, _T, _ROW, conflict=("event_id",), update=("partition", "offset")
        )

    def claim(self, event_ids: Sequence[str], stream: str, client_id: str) -> set[str]:
        """Claim ``event_ids``; returns those this request now publishes (the others
        another request claimed first)."""
        if not event_ids:
            return set()
        token = uuid.uuid4().hex
        now = int(time.time() * 1000)
        ours = (_T.c.event_id.in_(event_ids), _T.c.claim == token)
        with self._engine.begin() as connection:
            self._claim.execute(connection, [(e, stream, client_id, token, now) for e in event_ids])
            # One row back in the usual case (every id new), not one per id.
            count = connection.execute(select(func.count()).where(*ours)).scalar_one()
            if count == len(event_ids):
                return set(event_ids)
            mine = {row.event_id for row in connection.execute(select(_T.c.event_id).where(*ours))}
            others = [e for e in event_ids if e not in mine]
            # Take over the claims of publishers that never came back.
            taken = connection.execute(
                update(_T)
                .where(
                    _T.c.event_id.in_(others),
                    _T.c.offset.is_(None),
                    _T.c.claimed_ms < now - self._stale_ms,
                )
                .values(claim=token, claimed_ms=now, client_id=client_id, stream=stream)
                .returning(_T.c.event_id)
            )
            return mine | {row.event_id for row in taken}

    def landed(self, event_ids: Sequence[str]) -> dict[str, Landed | InFlight]:
        """Where each of ``event_ids`` that was published over HTTP landed, or its claim."""
        if not event_ids:
            return {}
        with self._engine.connect() as connection:
            rows = connection.execute(select(_T).where(_T.c.event_id.in_(event_ids)))
            return {
                row.event_id: InFlight(row.stream)
                if row.offset is None
                else Landed(row.event_id, row.stream, row.partition, row.offset)
                for row in rows
            }

    def record(self, landed: Sequence[Landed]) -> None:
        if not landed:
            return
        with self._engine.begin() as connection:
            self._landed.execute(
                connection,
                [
                    (one.event_id, one.stream, "", "", 0, one.partition, one.offset)
                    for one in landed
                ],
            )

    def release(self, event_ids: Sequence[str]) -> None:
        """Give up claims whose publish failed, so that a retry may publish them."""
        with self._engine.begin() as connection:
            connection.execute(
                delete(_T).where(_T.c.event_id.in_(event_ids), _T.c.offset.is_(None))
            )
