"""OAuth2 token endpoint (client credentials) and the metadata clients discover it by."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hub.gateway.auditing import audit
from hub.gateway.auth.basic import parse_basic
from hub.gateway.auth.server import FormRequest
from hub.gateway.bodies import BodyTooLarge, read_limited
from hub.gateway.deps import RuntimeDep
from hub.gateway.problems import problem_body

router = APIRouter(tags=["oauth"])

MAX_FORM_BYTES = 8 * 1024
FORM = "application/x-www-form-urlencoded"


@router.post("/oauth/token", name="token.issue")
async def issue_token(request: Request, runtime: RuntimeDep) -> Response:
    """Exchange a client id and secret (HTTP Basic, or form fields) for an access token."""
    if not request.headers.get("content-type", "").startswith(FORM):
        return await _refuse(request, 400, f"the body must be {FORM}")
    try:
        body = await read_limited(request, MAX_FORM_BYTES)
    except BodyTooLarge:
        return await _refuse(request, 413, "the token request is too large")
    try:
        items = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        return await _refuse(request, 400, "the body is not a valid form")
    oauth_request = FormRequest(
        uri=f"{runtime.settings.auth.issuer.rstrip('/')}/oauth/token",
        headers=request.headers,  # type: ignore[arg-type]
        form=items,
    )
    result = await run_in_threadpool(runtime.issuer.issue, oauth_request)
    client = oauth_request.client
    granted = result.status == 200
    reason = (
        f"issued token with scope {result.body.get('scope', '')}".strip()
        if granted
        else f"{result.body.get('error')}: {result.body.get('error_description', '')}".strip(": ")
    )
    await run_in_threadpool(
        audit,
        request,
        allowed=granted,
        reason=reason,
        status=result.status,
        client_id=client.client_id if client else _claimed_client(request, items),
        action="token.issue",
    )
    payload: dict[str, Any] = dict(result.body)
    if not granted:
        # OAuth clients read error/error_description; problem fields ride along (RFC 9457).
        slug = "unauthenticated" if result.status == 401 else "bad-request"
        detail = str(result.body.get("error_description") or result.body.get("error"))
        payload.update(problem_body(slug, detail=detail), status=result.status)
    return Response(orjson.dumps(payload), status_code=result.status, headers=dict(result.headers))


async def _refuse(request: Request, status: int, description: str) -> Response:
    """A request the grant flow never saw: audited, answered as OAuth invalid_request."""
    await run_in_threadpool(
        audit,
        request,
        allowed=False,
        reason=f"invalid_request: {description}",
        status=status,
        client_id=_claimed_client(request, []),
        action="token.issue",
    )
    body: dict[str, Any] = {"error": "invalid_request", "error_description": description}
    slug = "payload-too-large" if status == 413 else "bad-request"
    body.update(problem_body(slug, detail=description), status=status)
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _claimed_client(request: Request, form: list[tuple[str, str]]) -> str | None:
    """The client id a failed request claimed to be: for the audit row, never trusted."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            return parse_basic(header[6:])[0][:64]
        except ValueError:
            return None
    claimed = dict(form).get("client_id")
    return claimed[:64] if claimed else None
