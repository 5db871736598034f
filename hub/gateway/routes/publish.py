"""Publishing over HTTP: one event, or a batch of up to 500, to the agency's own stream."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hub.errors import BadRequest
from hub.gateway.bodies import read_limited
from hub.gateway.deps import KafkaWorkDep, PublisherDep, PublishingDep, TrailDep
from hub.gateway.problem_types import PROBLEM_JSON
from hub.publishing.service import Outcome

router = APIRouter(prefix="/v1/streams", tags=["publishing"])

EVENT_BYTES = 1024 * 1024
BATCH_MAX = 500
BATCH_BYTES = 16 * 1024 * 1024

_EVENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["envelope"],
                    "properties": {"envelope": {"type": "object"}},
                    "description": "The event as an element's `event` of a page; "
                    "`envelope.event_id` may be left out, `published_at` is the hub's",
                }
            }
        },
    }
}
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {PROBLEM_JSON: {}}}
    for status, text in (
        (409, "The event id was published to another stream"),
        (413, "The body is too large"),
        (422, "The event does not match the stream's schema (`field` names where)"),
        (503, "Kafka could not take the event; nothing was published, retry"),
    )
}


class _Publisher:
    """The caller's stream and what publishes to it: through the Kafka bulkhead, since a
    publish waits on the broker's acknowledgement."""

    def __init__(
        self, access: PublisherDep, publishing: PublishingDep, kafka_work: KafkaWorkDep
    ) -> None:
        self._access = access
        self._publishing = publishing
        self._kafka_work = kafka_work

    async def publish(self, events: list[dict[str, Any]]) -> list[Outcome]:
        access = self._access
        return await self._kafka_work.run(
            self._publishing.publish, access.stream, events, access.caller.client_id
        )


PublishTo = Annotated[_Publisher, Depends()]


def _coordinates(outcome: Outcome) -> dict[str, Any]:
    landed = outcome.landed
    return {
        "event_id": landed.event_id,
        "stream": landed.stream,
        "partition": landed.partition,
        "offset": landed.offset,
        "created": outcome.created,
    }


def _answer(body: Any, status_code: int = 200) -> Response:
    """orjson: a batch's answer is 500 coordinates, and this is the publish hot path."""
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")


async def _json(request: Request, limit: int) -> Any:
    try:
        return orjson.loads(await read_limited(request, limit))
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the request body is not JSON: {exc}") from None


@router.post(
    "/{stream}/events",
    name="events.publish",
    status_code=201,
    openapi_extra=_EVENT_BODY,
    responses={
        200: {"description": "This event id was published before: its first coordinates"},
        201: {"description": "Published: where the event landed"},
        **_PROBLEMS,
    },
)
async def publish(request: Request, to: PublishTo, trail: TrailDep) -> Response:
    """Publish one event to a stream your agency owns, validated against its schema."""
    event = await _json(request, EVENT_BYTES)
    if not isinstance(event, dict):
        raise BadRequest("the request body must be one event, a JSON object")
    (outcome,) = await to.publish([event])
    trail.served(1, "published" if outcome.created else "already published")
    return _answer(_coordinates(outcome), 201 if outcome.created else 200)


@router.post(
    "/{stream}/events/batch",
    name="events.publish_batch",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["events"],
                        "properties": {
                            "events": {
                                "type": "array",
                                "maxItems": BATCH_MAX,
                                "items": {"type": "object"},
                            }
                        },
                    }
                }
            },
        }
    },
    responses={
        200: {"description": "Each event's coordinates, in order; `created` false for repeats"},
        **_PROBLEMS,
    },
)
async def publish_batch(request: Request, to: PublishTo, trail: TrailDep) -> Response:
    """Up to 500 events at once; all are checked first, and if any does not match the
    schema nothing is published (422 lists each problem with its index)."""
    body = await _json(request, BATCH_BYTES)
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise BadRequest('the body must be {"events": [event, ...]}')
    if not 1 <= len(events) <= BATCH_MAX:
        raise BadRequest(f"a batch holds 1 to {BATCH_MAX} events")
    outcomes = await to.publish(events)
    created = sum(o.created for o in outcomes)
    trail.served(len(outcomes), f"{created} published, {len(outcomes) - created} already")
    return _answer({"results": [_coordinates(o) for o in outcomes]})
