"""Acknowledgements: an agency that may read an event says it has received it, is
acting on it, or is done; each is kept (a later one does not replace an earlier one),
so the time from publish to "acting" can be measured."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import Engine, insert, select

from hub.store.models import EventAck

AckStatus = Literal["received", "acting", "done"]
ACK_STATUSES: tuple[str, ...] = get_args(AckStatus)
NOTE_MAX = 2_000

_T = EventAck.__table__


@dataclass(frozen=True, slots=True)
class Ack:
    id: int
    event_id: str
    stream: str
    agency: str
    client_id: str
    status: str
    note: str
    at_ms: int


class AckBook:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self, *, event_id: str, stream: str, agency: str, client_id: str, status: str, note: str
    ) -> Ack:
        at_ms = int(time.time() * 1000)
        values = {
            "event_id": event_id,
            "stream": stream,
            "agency": agency,
            "client_id": client_id,
            "status": status,
            "note": note,
            "at_ms": at_ms,
        }
        with self._engine.begin() as connection:
            statement = insert(EventAck).values(**values).returning(EventAck.id)
            new_id = connection.execute(statement).scalar_one()
        return Ack(int(new_id), event_id, stream, agency, client_id, status, note, at_ms)

    def one(self, event_id: str, ack_id: int) -> Ack | None:
        found = [a for a in self.of_event(event_id) if a.id == ack_id]
        return found[0] if found else None

    def of_event(self, event_id: str) -> list[Ack]:
        query = select(_T).where(_T.c.event_id == event_id).order_by(_T.c.at_ms, _T.c.id)
        with self._engine.connect() as connection:
            return [
                Ack(r.id, r.event_id, r.stream, r.agency, r.client_id, r.status, r.note, r.at_ms)
                for r in connection.execute(query)
            ]
