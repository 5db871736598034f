"""OAuth2 token endpoint (client credentials): the one route whose decision is the answer.

Authlib's grant flow decides whether the client gets a token; the route records that
decision on the request's audit trail, so the audit row says who asked and what for.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hub.gateway.auditing import AuditTrail
from hub.gateway.auth.basic import parse_basic
from hub.gateway.auth.server import FormRequest
from hub.gateway.auth.throttle import TokenThrottle
from hub.gateway.bodies import BodyTooLarge, read_limited
from hub.gateway.bulkheads import LoopSemaphore
from hub.gateway.deps import IssuerDep, SettingsDep, TrailDep
from hub.gateway.problem_types import problem_body

router = APIRouter(tags=["oauth"])
T = TypeVar("T")

MAX_FORM_BYTES = 8 * 1024
#: Secret checks (scrypt: CPU and memory by design) running at once in this process, at
#: most one per core of a small machine: a flood of them waits on the event loop instead
#: of taking every worker thread and core.
_SECRET_CHECKS = LoopSemaphore(2)
FORM = "application/x-www-form-urlencoded"
#: Back-off lookups in the database (replicas sharing it) running at once: a flood of
#: tries waits on the event loop rather than taking the worker threads.
_SHARED_LOOKUPS = LoopSemaphore(4)


async def _asked(throttle: TokenThrottle, call: Callable[..., T], *args: Any) -> T:
    """A throttle call: at once from memory, or in a worker thread from the database."""
    if not throttle.blocking:
        return call(*args)
    async with _SHARED_LOOKUPS.here():
        return await run_in_threadpool(call, *args)


@router.post("/oauth/token", name="token.issue")
async def issue_token(
    request: Request, settings: SettingsDep, issuer: IssuerDep, trail: TrailDep
) -> Response:
    """Exchange a client id and secret (HTTP Basic, or form fields) for an access token."""
    trail.claimed_client = _claimed_client(request, [])
    if not request.headers.get("content-type", "").startswith(FORM):
        return _refuse(trail, 400, f"the body must be {FORM}")
    try:
        body = await read_limited(request, MAX_FORM_BYTES)
    except BodyTooLarge:
        return _refuse(trail, 413, "the token request is too large")
    try:
        items = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        return _refuse(trail, 400, "the body is not a valid form")
    claimed = _claimed_client(request, items)
    trail.claimed_client = claimed
    if claimed:
        trail.claimed_agency = await run_in_threadpool(issuer.agency_of, claimed)
    mixed = _two_methods(request, items)
    if mixed:
        return _refuse(trail, 400, mixed)
    address = request.client.host if request.client else "unknown"
    throttle = issuer.throttle
    wait_s = await _asked(throttle, throttle.wait_s, address, claimed)
    if wait_s > 0:
        return _throttled(trail, wait_s)
    oauth_request = FormRequest(
        uri=f"{settings.auth.issuer.rstrip('/')}/oauth/token",
        headers=request.headers,  # type: ignore[arg-type]
        form=items,
    )
    async with _SECRET_CHECKS.here():
        # Asked again once it is this request's turn: tries queued behind a flood's
        # failures must wait too, not all be checked.
        wait_s = await _asked(throttle, throttle.wait_s, address, claimed)
        if wait_s > 0:
            return _throttled(trail, wait_s)
        result = await run_in_threadpool(issuer.issue, oauth_request)
    client = oauth_request.client
    if result.status == 200 and client is not None:
        await _asked(throttle, throttle.succeeded, address, client.client_id)
        trail.allow(f"issued token with scope {result.body.get('scope', '')}".strip())
        trail.served(1)
    else:
        if result.body.get("error") == "invalid_client":
            await _asked(throttle, throttle.failed, address, claimed)
        trail.deny(
            f"{result.body.get('error')}: {result.body.get('error_description', '')}".strip(": ")
        )
    payload: dict[str, Any] = dict(result.body)
    if result.status != 200:
        # OAuth clients read error/error_description; problem fields ride along (RFC 9457).
        slug = "unauthenticated" if result.status == 401 else "bad-request"
        detail = str(result.body.get("error_description") or result.body.get("error"))
        payload.update(problem_body(slug, detail=detail), status=result.status)
    return Response(orjson.dumps(payload), status_code=result.status, headers=dict(result.headers))


def _two_methods(request: Request, form: list[tuple[str, str]]) -> str | None:
    """RFC 6749 section 2.3: a client uses one authentication method per request. With
    Basic, the form may repeat the same ``client_id`` but carry no secret."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    fields = dict(form)
    if "client_secret" in fields:
        return "use one authentication method: HTTP Basic or the form's client_secret"
    try:
        basic_id = parse_basic(header[6:])[0]
    except ValueError:
        return None  # a malformed header fails authentication on its own
    if "client_id" in fields and fields["client_id"] != basic_id:
        return "the form's client_id is not the client authenticated by HTTP Basic"
    return None


def _throttled(trail: AuditTrail, wait_s: float) -> Response:
    retry = max(1, math.ceil(wait_s))
    description = f"too many failed attempts; retry in {retry} s"
    trail.deny(f"slow_down: {description}")
    body: dict[str, Any] = {"error": "slow_down", "error_description": description}
    body.update(problem_body("too-many-requests", detail=description), status=429)
    return Response(
        orjson.dumps(body),
        status_code=429,
        media_type="application/json",
        headers={"Retry-After": str(retry)},
    )


def _refuse(trail: AuditTrail, status: int, description: str) -> Response:
    """A request the grant flow never saw: answered as OAuth invalid_request."""
    trail.deny(f"invalid_request: {description}")
    body: dict[str, Any] = {"error": "invalid_request", "error_description": description}
    slug = "payload-too-large" if status == 413 else "bad-request"
    body.update(problem_body(slug, detail=description), status=status)
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _claimed_client(request: Request, form: list[tuple[str, str]]) -> str | None:
    """The client id a request claims to be: for the audit row, never trusted."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            return parse_basic(header[6:])[0][:64]
        except ValueError:
            return None
    claimed = dict(form).get("client_id")
    return claimed[:64] if claimed else None
