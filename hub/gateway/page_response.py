"""A page of events as an HTTP answer: JSON or GeoJSON by ``Accept``, with an ETag.

The stream page and the incident timeline answer the same way, so it is written once.
``If-None-Match`` with the page's ETag answers 304 with no body (and serves nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Query
from starlette.requests import Request
from starlette.responses import Response

from hub.gateway.auditing import AuditTrail
from hub.gateway.cursor import MAX_CURSOR
from hub.gateway.events import Page, page_json
from hub.gateway.geojson import feature_collection

GEOJSON = "application/geo+json"

LimitParam = Annotated[int | None, Query(ge=1, description="events per page")]
CursorParam = Annotated[
    str | None, Query(max_length=MAX_CURSOR, description="`next` of the previous page")
]

PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A page of decoded events and a `next` cursor",
        "content": {"application/json": {}, GEOJSON: {}},
        "headers": {"ETag": {"description": "names this page", "schema": {"type": "string"}}},
    },
    304: {"description": "The page is the one named by `If-None-Match`"},
}


def wants_geojson(request: Request) -> bool:
    return GEOJSON in request.headers.get("accept", "")


def page_response(
    request: Request, page: Page, head: Mapping[str, Any], trail: AuditTrail
) -> Response:
    if wants_geojson(request):
        body = page_json(
            feature_collection(page.shown, {**head, "next": page.next, "more": page.more})
        )
        media = GEOJSON
    else:
        body = page.body(head)
        media = "application/json"
    tag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    headers = {"ETag": tag, "Vary": "Accept"}
    seen = _tags(request.headers.get("if-none-match"))
    if tag in seen or "*" in seen:
        trail.served(0, "not modified")
        return Response(status_code=304, headers=headers)
    trail.served_events(page.served, tuple(sorted(page.masked)))
    return Response(body, media_type=media, headers=headers)


def _tags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {t.strip().removeprefix("W/") for t in header.split(",")}
