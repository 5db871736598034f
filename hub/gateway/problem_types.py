"""The catalogue of problem types (RFC 9457) and how a problem body is built.

Domain errors carry a slug (``HubError.code``); this module maps each slug to a status
and a title. Each type is described at ``/problems/<slug>``, so that the ``type`` URI
leads somewhere useful; :mod:`hub.gateway.error_handlers` turns exceptions into these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope, Send

PROBLEM_JSON = "application/problem+json"
#: Where the Schema Registry API lives: its routers and its error bodies (Confluent fields).
REGISTRY_PREFIX = "/registry"


@dataclass(frozen=True, slots=True)
class ProblemType:
    status: int
    title: str
    description: str


PROBLEM_TYPES: dict[str, ProblemType] = {
    "unauthenticated": ProblemType(
        401,
        "Authentication required",
        "The request has no valid bearer token. Get one from POST /oauth/token with the "
        "client's id and secret; the WWW-Authenticate header says what was wrong.",
    ),
    "forbidden": ProblemType(
        403,
        "Access denied",
        "The caller is authenticated, but policy does not let its agency do this, or "
        "its token lacks the scope. The detail names the missing grant or scope.",
    ),
    "not-found": ProblemType(404, "Not found", "The stream, schema or resource does not exist."),
    "conflict": ProblemType(
        409,
        "Conflict",
        "The resource is not in a state that allows this (an emergency already closed, a "
        "read already reviewed); the detail says which.",
    ),
    "method-not-allowed": ProblemType(
        405, "Method not allowed", "The resource exists but not with this HTTP method."
    ),
    "bad-request": ProblemType(
        422, "Invalid request", "A parameter cannot be honoured; the detail says which."
    ),
    "validation-error": ProblemType(
        422,
        "Invalid request",
        "One or more parameters failed validation; `errors` lists each with its location.",
    ),
    "invalid-schema": ProblemType(422, "Invalid schema", "The Avro schema does not parse."),
    "record-rejected": ProblemType(
        422, "Record rejected", "The record does not match its schema; the detail names the field."
    ),
    "payload-too-large": ProblemType(413, "Request too large", "The request body is too large."),
    "request-timeout": ProblemType(
        408,
        "Request timeout",
        "The request body did not arrive in time; send it whole, promptly, and retry.",
    ),
    "too-many-requests": ProblemType(
        429,
        "Too many requests",
        "The client sent more requests than its rate allows; retry after the seconds "
        "the Retry-After header names.",
    ),
    "incompatible-schema": ProblemType(
        409,
        "Incompatible schema",
        "The schema breaks the subject's compatibility rule against an earlier version; "
        "`message` names each field and rule. Make the change compatible (add fields with "
        "defaults) or publish it as a new major version of the stream.",
    ),
    "registry-error": ProblemType(
        404,
        "Schema registry error",
        "See `error_code` and `message` (Confluent Schema Registry codes).",
    ),
    "unsupported-media-type": ProblemType(
        415,
        "Unsupported media type",
        "The request body has a content type this endpoint does not read.",
    ),
    "broker-unavailable": ProblemType(
        503, "Event bus unavailable", "Kafka cannot be reached; retry later."
    ),
    "store-unavailable": ProblemType(
        503, "Database unavailable", "The hub's database cannot be reached; retry later."
    ),
    "audit-unavailable": ProblemType(
        503,
        "Audit log unavailable",
        "The audit log cannot be written, so the gateway refuses to serve anything; retry later.",
    ),
    "internal-error": ProblemType(
        500,
        "Internal error",
        "Something failed inside the gateway. The request id identifies it in the logs.",
    ),
}

STATUS_SLUGS = {
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
}


def problem_body(
    slug: str, *, detail: str, instance: str | None = None, **extra: Any
) -> dict[str, Any]:
    kind = PROBLEM_TYPES.get(slug, PROBLEM_TYPES["internal-error"])
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_payload(
    slug: str,
    *,
    detail: str,
    instance: str | None = None,
    request_id: str | None = None,
    status: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The body of a problem answer, with the request id to quote."""
    if request_id:
        extra.setdefault("request_id", request_id)
    body = problem_body(slug, detail=detail, instance=instance, **extra)
    if status is not None:
        body["status"] = status
    if instance and instance.startswith(REGISTRY_PREFIX):
        # Schema Registry clients read these two fields; the problem fields ride along.
        body.setdefault("error_code", body["status"])
        body.setdefault("message", detail)
    return body


def problem_response(
    slug: str,
    *,
    detail: str,
    request: Request | None = None,
    headers: dict[str, str] | None = None,
    status: int | None = None,
    **extra: Any,
) -> Response:
    body = problem_payload(
        slug,
        detail=detail,
        instance=request.url.path if request is not None else None,
        request_id=_request_id(request),
        status=status,
        **extra,
    )
    if request is not None and _console_page(request):
        from hub.gateway.console.errors import error_page

        return error_page(request, body, headers)
    return Response(
        orjson.dumps(body), status_code=body["status"], media_type=PROBLEM_JSON, headers=headers
    )


def _console_page(request: Request) -> bool:
    """A person's browser at the console gets the problem as a page, not as JSON."""
    path = request.url.path
    wants_html = "text/html" in request.headers.get("accept", "")
    return (path == "/console" or path.startswith("/console/")) and wants_html


def _request_id(request: Request | None) -> str | None:
    if request is None:
        return None
    return getattr(request.state, "request_id", None)


def bearer_challenge(reason: str | None) -> dict[str, str]:
    """RFC 6750 §3: no error code when no token was sent at all."""
    if reason is None:
        return {"WWW-Authenticate": 'Bearer realm="linkage"'}
    safe = reason.replace('"', "'")
    return {
        "WWW-Authenticate": f'Bearer realm="linkage", error="invalid_token", error_description="{safe}"'
    }


async def send_problem(send: Send, scope: Scope, slug: str, detail: str) -> None:
    """Answer at the ASGI level, where middleware has no Request: same body, same type."""
    body = problem_payload(
        slug,
        detail=detail,
        instance=scope.get("path"),
        request_id=scope.get("state", {}).get("request_id"),
    )
    data = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": body["status"],
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
