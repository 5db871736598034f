"""Acknowledgements and read receipts of one event."""

from __future__ import annotations

from fastapi import APIRouter

from hub.gateway.ack_views import AckRequest, AckView, EventAcks
from hub.gateway.deps import AcksDep, ReceiptsDep, TrailDep
from hub.gateway.event_access import AckViewer, EventReader

router = APIRouter(prefix="/v1/events", tags=["acknowledgements"])


@router.post("/{event_id}/ack", name="events.ack", status_code=201, response_model=AckView)
def acknowledge(body: AckRequest, access: EventReader, acks: AcksDep, trail: TrailDep) -> AckView:
    """Say the agency has received the event, is acting on it, or is done; each is kept."""
    caller, row = access.access.caller, access.row
    ack = acks.add(
        event_id=row.event_id,
        stream=row.stream,
        agency=caller.agency,
        client_id=caller.client_id,
        status=body.status,
        note=body.note,
    )
    trail.served(1, f"acknowledged {body.status}")
    return AckView.of(ack)


@router.get("/{event_id}/acks", name="events.acks", response_model=EventAcks)
def list_acks(row: AckViewer, acks: AcksDep, receipts: ReceiptsDep, trail: TrailDep) -> EventAcks:
    """Each agency that was served the event: when first, and what it acknowledged."""
    view = EventAcks.of(
        row.event_id, row.stream, receipts.of_event(row.event_id), acks.of_event(row.event_id)
    )
    trail.served(len(view.agencies))
    return view
