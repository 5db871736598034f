"""The stream catalogue and paged event reads, filtered by the caller's agency's grants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from hub.errors import BadRequest, BrokerUnavailable, Forbidden, NotFound, StoreUnavailable
from hub.gateway.auditing import audit
from hub.gateway.auth.tokens import Caller
from hub.gateway.deps import RuntimeDep, StreamReader
from hub.gateway.events import page_json, read_page
from hub.gateway.runtime import Runtime
from hub.gateway.views import StreamList, StreamView
from hub.policy.decision import decide, readable_streams
from hub.policy.model import STREAM_ID, Stream

router = APIRouter(prefix="/v1/streams", tags=["streams"])

StreamId = Annotated[
    str, Path(pattern=STREAM_ID, description="agency.stream, e.g. meteorology.warning")
]


@router.get("", name="streams.list", response_model=StreamList)
def list_streams(request: Request, caller: StreamReader, runtime: RuntimeDep) -> StreamList:
    """The streams the caller's agency may read, with owner, steward and schema."""
    ids = set(readable_streams(runtime.policy, agency=caller.agency))
    views = [StreamView.of(s, runtime.policy) for s in runtime.policy.streams if s.id in ids]
    audit(
        request,
        allowed=True,
        reason=f"{len(views)} readable streams",
        status=200,
        caller=caller,
        records=len(views),
    )
    return StreamList(agency=caller.agency, streams=views)


@router.get("/{stream}", name="streams.get", response_model=StreamView)
def get_stream(
    request: Request, stream: StreamId, caller: StreamReader, runtime: RuntimeDep
) -> StreamView:
    """One catalogue entry, if the caller's agency may read the stream."""
    entry, reason = _authorize(request, runtime, caller, stream)
    audit(request, allowed=True, reason=reason, status=200, caller=caller, records=1)
    return StreamView.of(entry, runtime.policy)


@router.get(
    "/{stream}/events",
    name="events.read",
    responses={
        200: {"description": "A page of decoded events, oldest first, with a `next` cursor"}
    },
)
def read_events(
    request: Request,
    stream: StreamId,
    caller: StreamReader,
    runtime: RuntimeDep,
    limit: Annotated[int | None, Query(ge=1, description="events per page")] = None,
    cursor: Annotated[
        str | None, Query(max_length=4096, description="`next` of the previous page")
    ] = None,
) -> Response:
    """Decoded events, oldest first; pass the returned `next` as `cursor` to continue."""
    entry, reason = _authorize(request, runtime, caller, stream)
    page_max = runtime.settings.gateway.page_max
    try:
        if limit is not None and limit > page_max:
            raise BadRequest(f"limit must be at most {page_max}")
        page = read_page(
            runtime, entry, cursor=cursor, limit=limit or runtime.settings.gateway.page_default
        )
    except (BadRequest, BrokerUnavailable, StoreUnavailable) as exc:
        # Allowed, yet nothing served: the row says so, with the status the caller saw.
        status = 422 if isinstance(exc, BadRequest) else 503
        audit(
            request,
            allowed=True,
            reason=f"{reason}; not served: {exc.message}",
            status=status,
            caller=caller,
        )
        raise
    audit(request, allowed=True, reason=reason, status=200, caller=caller, records=page["count"])
    return Response(page_json(page), media_type="application/json")


def _authorize(
    request: Request, runtime: Runtime, caller: Caller, stream: str
) -> tuple[Stream, str]:
    entry = runtime.policy.stream(stream)
    if entry is None:
        audit(
            request,
            allowed=False,
            reason=f"stream {stream} is not in the catalogue",
            status=404,
            caller=caller,
        )
        raise NotFound(f"stream {stream} is not in the catalogue")
    decision = decide(runtime.policy, agency=caller.agency, stream=stream, action="read")
    if not decision.allowed:
        audit(request, allowed=False, reason=decision.reason, status=403, caller=caller)
        raise Forbidden(decision.reason)
    return entry, decision.reason
