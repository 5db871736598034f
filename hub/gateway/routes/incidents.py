"""An incident's timeline: the events of every stream the caller may read that carry
the incident's id, merged by when they happened, each with its stream."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from hub.gateway.deps import EventsDep, TrailDep
from hub.gateway.event_access import IncidentAccessDep
from hub.gateway.history_params import HistoryFilterDep
from hub.gateway.page_response import PAGE_RESPONSES, CursorParam, LimitParam, page_response

router = APIRouter(prefix="/v1/incidents", tags=["incidents"])


@router.get("/{incident_id}/timeline", name="incidents.timeline", responses=PAGE_RESPONSES)
def timeline(
    request: Request,
    access: IncidentAccessDep,
    where: HistoryFilterDep,
    pages: EventsDep,
    trail: TrailDep,
    limit: LimitParam = None,
    cursor: CursorParam = None,
) -> Response:
    """Oldest first, with the same filters, masks and cursor as a stream's page; the
    streams the caller may not read (for this purpose) are simply not in it."""
    page = pages.timeline(
        access.incident,
        access.streams,
        where,
        cursor=cursor,
        limit=limit,
        caller_agency=access.caller.agency,
        purpose=access.purpose,
    )
    head = {"incident": access.incident, "streams": sorted(access.streams)}
    return page_response(request, page, head, trail)
