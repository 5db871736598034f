"""The stream catalogue and paged event reads, filtered by the caller's agency's grants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from hub.gateway.deps import CatalogueReader, DecisionDep, EventsDep, PolicyDep, TrailDep
from hub.gateway.events import page_json
from hub.gateway.views import StreamList, StreamView
from hub.policy.decision import readable_streams

router = APIRouter(prefix="/v1/streams", tags=["streams"])


@router.get("", name="streams.list", response_model=StreamList)
def list_streams(caller: CatalogueReader, policy: PolicyDep, trail: TrailDep) -> StreamList:
    """The streams the caller's agency may read, with owner, steward and schema."""
    views = [StreamView.of(s, policy) for s in readable_streams(policy, agency=caller.agency)]
    trail.served(len(views), f"{len(views)} readable streams")
    return StreamList(agency=caller.agency, streams=views)


@router.get("/{stream}", name="streams.get", response_model=StreamView)
def get_stream(access: DecisionDep, policy: PolicyDep, trail: TrailDep) -> StreamView:
    """One catalogue entry, if the caller's agency may read the stream."""
    trail.served(1)
    return StreamView.of(access.stream, policy)


@router.get(
    "/{stream}/events",
    name="events.read",
    responses={
        200: {"description": "A page of decoded events, oldest first, with a `next` cursor"}
    },
)
def read_events(
    access: DecisionDep,
    pages: EventsDep,
    trail: TrailDep,
    limit: Annotated[int | None, Query(ge=1, description="events per page")] = None,
    cursor: Annotated[
        str | None, Query(max_length=4096, description="`next` of the previous page")
    ] = None,
) -> Response:
    """Decoded events, oldest first; pass the returned `next` as `cursor` to continue."""
    page = pages.read(access.stream, cursor=cursor, limit=limit)
    trail.served(page["count"])
    return Response(page_json(page), media_type="application/json")
