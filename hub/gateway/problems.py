"""Every error leaves the gateway as RFC 9457 problem JSON; none as a stack trace.

Domain errors carry a slug (``HubError.code``); this module maps each slug to a status
and a title, and serves a short description of each problem type at
``/problems/<slug>`` so that the ``type`` URI leads somewhere useful.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from hub import errors
from hub.registry.errors import RegistryError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
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

_STATUS_SLUGS = {
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


def problem_response(
    slug: str,
    *,
    detail: str,
    request: Request | None = None,
    headers: dict[str, str] | None = None,
    status: int | None = None,
    **extra: Any,
) -> Response:
    instance = request.url.path if request is not None else None
    request_id = _request_id(request)
    if request_id:
        extra.setdefault("request_id", request_id)
    body = problem_body(slug, detail=detail, instance=instance, **extra)
    if status is not None:
        body["status"] = status
    if instance and instance.startswith(REGISTRY_PREFIX):
        # Schema Registry clients read these two fields; the problem fields ride along.
        body.setdefault("error_code", body["status"])
        body.setdefault("message", detail)
    return Response(
        orjson.dumps(body), status_code=body["status"], media_type=PROBLEM_JSON, headers=headers
    )


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


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into a problem response."""
    app.add_exception_handler(errors.HubError, _hub_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, _store_error)
    # Anything else is answered by RequestContext, inside which the request id is known.


async def _hub_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.HubError)
    headers = None
    if isinstance(exc, errors.AuthenticationFailed):
        headers = bearer_challenge(exc.message if exc.token_sent else None)
    if isinstance(exc, RegistryError):
        return problem_response(
            _registry_slug(exc),
            detail=exc.message,
            request=request,
            status=exc.status,
            error_code=exc.error_code,
            message=exc.message,
        )
    slug = exc.code if exc.code in PROBLEM_TYPES else "internal-error"
    if slug == "internal-error":
        log.error("unmapped hub error on %s: %s", request.url.path, exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.RecordRejected):
        extra["field"] = exc.path
    return problem_response(slug, detail=exc.message, request=request, headers=headers, **extra)


def _registry_slug(exc: RegistryError) -> str:
    if exc.status == 404:
        return "not-found"
    if exc.status == 409:
        return "incompatible-schema"
    if exc.status == 415:
        return "unsupported-media-type"
    return "invalid-schema" if exc.error_code in (42201, 42209) else "bad-request"


async def _store_error(request: Request, exc: Exception) -> Response:
    log.error("database error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return problem_response(
        "store-unavailable",
        detail="the hub's database cannot be reached; retry later",
        request=request,
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "location": ".".join(str(part) for part in error.get("loc", ())),
            "message": str(error.get("msg", "")),
        }
        for error in exc.errors()
    ]
    detail = "; ".join(f"{p['location']}: {p['message']}" for p in problems) or "invalid request"
    return problem_response("validation-error", detail=detail, request=request, errors=problems)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    slug = _STATUS_SLUGS.get(exc.status_code, "bad-request")
    return problem_response(
        slug,
        detail=str(exc.detail),
        request=request,
        headers=dict(exc.headers or {}),
        status=exc.status_code,
    )
