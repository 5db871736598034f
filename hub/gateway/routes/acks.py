"""Acknowledgements and read receipts of one event."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Path
from starlette.responses import Response

from hub.coordination.cap_ack import cap_ack, is_cap_warning
from hub.errors import NotFound
from hub.gateway.ack_views import AckRequest, AckView, EventAcks
from hub.gateway.deps import AcksDep, EventsDep, ReceiptsDep, SettingsDep, TrailDep
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


CAP_XML = "application/cap+xml"


@router.get(
    "/{event_id}/acks/{ack_id}/cap",
    name="events.ack_cap",
    response_class=Response,
    responses={200: {"description": "The acknowledgement as CAP 1.2", "content": {CAP_XML: {}}}},
)
def ack_as_cap(
    row: AckViewer,
    ack_id: Annotated[int, Path(ge=1, le=2**62, description="an acknowledgement's id")],
    acks: AcksDep,
    pages: EventsDep,
    settings: SettingsDep,
    trail: TrailDep,
) -> Response:
    """An acknowledgement of a warning as an OASIS CAP 1.2 alert with msgType Ack that
    references the warning; for events that are not CAP warnings, 404."""
    ack = acks.one(row.event_id, ack_id)
    if ack is None:
        raise NotFound(f"no acknowledgement {ack_id} of event {row.event_id}")
    _schema, event = pages.decode(row.payload)
    if not is_cap_warning(event):
        raise NotFound(f"event {row.event_id} is not a CAP warning")
    domain = urlsplit(settings.auth.issuer).hostname or "linkage"
    trail.served(1, f"acknowledgement {ack_id} as CAP")
    return Response(cap_ack(ack, event, sender_domain=domain), media_type=CAP_XML)


@router.get("/{event_id}/acks", name="events.acks", response_model=EventAcks)
def list_acks(row: AckViewer, acks: AcksDep, receipts: ReceiptsDep, trail: TrailDep) -> EventAcks:
    """Each agency that was served the event: when first, and what it acknowledged."""
    view = EventAcks.of(
        row.event_id, row.stream, receipts.of_event(row.event_id), acks.of_event(row.event_id)
    )
    trail.served(len(view.agencies))
    return view
