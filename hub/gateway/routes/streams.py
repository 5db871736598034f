"""The stream catalogue and paged event reads, filtered by the caller's agency's grants."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from hub.gateway.access import describe_access
from hub.gateway.deps import (
    CatalogueReader,
    DecisionDep,
    EmergenciesDep,
    EventsDep,
    PlansDep,
    PolicyDep,
    RegistryDep,
    SchemasDep,
    TrailDep,
)
from hub.gateway.history_params import HistoryFilterDep
from hub.gateway.page_response import (
    PAGE_RESPONSES,
    CursorParam,
    LimitParam,
    page_response,
)
from hub.gateway.views import StreamList, StreamView
from hub.policy.decision import readable_streams

router = APIRouter(prefix="/v1/streams", tags=["streams"])


@router.get("", name="streams.list", response_model=StreamList)
def list_streams(
    caller: CatalogueReader, policy: PolicyDep, emergencies: EmergenciesDep, trail: TrailDep
) -> StreamList:
    """The streams the caller's agency may read, with owner, steward and schema.

    During an emergency this includes what its emergency grants open.
    """
    readable = readable_streams(policy, agency=caller.agency, emergencies=emergencies.in_force())
    views = [StreamView.of(s, policy) for s in readable]
    trail.served(len(views), f"{len(views)} readable streams")
    return StreamList(agency=caller.agency, streams=views)


@router.get("/{stream}", name="streams.get", response_model=StreamView)
def get_stream(
    access: DecisionDep,
    registry: RegistryDep,
    schemas: SchemasDep,
    plans: PlansDep,
    trail: TrailDep,
) -> StreamView:
    """One catalogue entry, if the caller may read the stream, and what the caller sees
    of it: the grant and purpose, the row filter, and the fields that come masked."""
    trail.served(1)
    seen = describe_access(access, registry=registry, schemas=schemas, plans=plans)
    return StreamView.of(access.stream, access.policy, access=seen)


@router.get(
    "/{stream}/events",
    name="events.read",
    responses=PAGE_RESPONSES,
)
def read_events(
    request: Request,
    access: DecisionDep,
    where: HistoryFilterDep,
    pages: EventsDep,
    trail: TrailDep,
    limit: LimitParam = None,
    cursor: CursorParam = None,
) -> Response:
    """The stream's events from the archive in order of arrival, filtered and masked as
    the caller's grant says; pass the returned `next` as `cursor` to go on, and again
    later for what has arrived since (`more` is false once caught up)."""
    page = pages.stream_page(access, where, cursor=cursor, limit=limit)
    return page_response(request, page, {"stream": access.stream.id}, trail)
