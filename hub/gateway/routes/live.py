"""A stream's live feed as Server-Sent Events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from starlette.responses import StreamingResponse

from hub.gateway.deps import EmergenciesDep, LiveDep, PoliciesDep, SubscriptionDep, TrailDep
from hub.gateway.history_params import HistoryFilterDep
from hub.gateway.live_stream import LiveRequest
from hub.policy.decision import decide

router = APIRouter(prefix="/v1/streams", tags=["streams"])

EVENT_STREAM = "text/event-stream"


@router.get(
    "/{stream}/live",
    name="events.live",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-Sent Events: `event: event` with a page element as `data`, "
            "an `id` to resume with, heartbeats, and `event: end` with the reason it ended",
            "content": {EVENT_STREAM: {}},
        }
    },
)
async def live(
    access: SubscriptionDep,
    where: HistoryFilterDep,
    live: LiveDep,
    policies: PoliciesDep,
    emergencies: EmergenciesDep,
    trail: TrailDep,
    last_event_id: Annotated[
        str | None,
        Header(alias="Last-Event-ID", max_length=4096, description="resume after this event"),
    ] = None,
) -> StreamingResponse:
    """New events as they arrive, with the filters of a history page; with
    `Last-Event-ID` it resumes after that event, from the archive if need be."""
    request = LiveRequest(access, where, last_event_id)
    since = live.resume_from(request)
    granted = access.decision.grant_id

    def recheck() -> str | None:
        now = decide(
            policies.current,
            agency=access.caller.agency,
            stream=access.stream,
            action="subscribe",
            purpose=access.decision.purpose,
            emergencies=emergencies.in_force(),  # cached for a second
        )
        if not now.allowed:
            return f"access ended: {now.reason}"
        if now.grant_id != granted:
            return "the policy changed what this feed may show; reconnect"
        return None

    trail.streaming = True
    return StreamingResponse(
        live.events(request, since, trail, recheck),
        media_type=EVENT_STREAM,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
