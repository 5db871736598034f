"""Bodies of the acknowledgement routes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from hub.coordination.acks import NOTE_MAX, Ack
from hub.coordination.receipts import Receipt


def _time(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


class AckRequest(BaseModel):
    model_config = {"extra": "forbid"}

    status: Literal["received", "acting", "done"] = Field(
        description="received: it has arrived; acting: the agency is responding; done"
    )
    note: str = Field(default="", max_length=NOTE_MAX, description="what the agency is doing")


class AckView(BaseModel):
    id: int
    event_id: str
    stream: str
    agency: str
    client_id: str
    status: str
    note: str
    at: datetime

    @classmethod
    def of(cls, ack: Ack) -> AckView:
        return cls(
            id=ack.id,
            event_id=ack.event_id,
            stream=ack.stream,
            agency=ack.agency,
            client_id=ack.client_id,
            status=ack.status,
            note=ack.note,
            at=_time(ack.at_ms),
        )


class AgencyAcks(BaseModel):
    agency: str
    first_served_at: datetime | None = Field(description="when the hub first served it")
    served_via: str | None = Field(description="page, timeline or live")
    acks: list[AckView]


class EventAcks(BaseModel):
    event_id: str
    stream: str
    agencies: list[AgencyAcks]

    @classmethod
    def of(cls, event_id: str, stream: str, receipts: list[Receipt], acks: list[Ack]) -> EventAcks:
        names = dict.fromkeys([r.agency for r in receipts] + [a.agency for a in acks])
        first = {r.agency: r for r in receipts}
        return cls(
            event_id=event_id,
            stream=stream,
            agencies=[
                AgencyAcks(
                    agency=name,
                    first_served_at=_time(first[name].first_served_ms) if name in first else None,
                    served_via=first[name].via if name in first else None,
                    acks=[AckView.of(a) for a in acks if a.agency == name],
                )
                for name in names
            ],
        )
