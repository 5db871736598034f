"""Every error leaves the gateway as RFC 9457 problem JSON; none as a stack trace.

Each handler also tells the request's audit trail why nothing was served, so the one
audit row written for the request says it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from hub import errors
from hub.gateway.auditing import trail_of
from hub.gateway.console.access import SignInRequired
from hub.gateway.problem_types import (
    PROBLEM_TYPES,
    STATUS_SLUGS,
    bearer_challenge,
    problem_response,
)
from hub.registry.errors import RegistryError

log = logging.getLogger(__name__)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into a problem response."""
    app.add_exception_handler(errors.HubError, _hub_error)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(SQLAlchemyError, _store_error)
    # Anything else is answered by RequestContext, inside which the request id is known.


async def _hub_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.HubError)
    trail_of(request).failed(exc.message)
    headers = None
    if isinstance(exc, errors.AuthenticationFailed):
        headers = bearer_challenge(exc.message if exc.token_sent else None)
    if isinstance(exc, errors.TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after_s)}
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
    detail = exc.message
    if slug == "internal-error":
        # A fault of the hub's own set-up (a missing key file, say): the operator reads
        # it in the log; the caller is told only that it is not theirs.
        log.error("unmapped hub error on %s: %s", request.url.path, exc)
        detail = "the hub could not complete the request; its operators have the details"
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.RecordRejected):
        extra["field"] = exc.path
        if problems := getattr(exc, "problems", None):
            extra["errors"] = problems  # every event of a batch that failed, by index
    return problem_response(slug, detail=detail, request=request, headers=headers, **extra)


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    trail_of(request).failed(exc.message)
    return RedirectResponse(exc.location, status_code=303)


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
    trail_of(request).failed(f"database error: {type(exc).__name__}")
    return problem_response(
        "store-unavailable",
        detail="the hub's database cannot be reached; retry later",
        request=request,
    )


async def _unstorable(request: Request, exc: Exception) -> Response:
    """The database refused a value the request carried (too long, a NUL byte): the
    request's fault, so a 422 rather than a 503 the client would retry for ever."""
    log.warning("value refused by the database on %s %s", request.method, request.url.path)
    detail = "a value in the request cannot be stored (too long, or holding a NUL byte)"
    trail_of(request).failed(detail)
    return problem_response("bad-request", detail=detail, request=request)


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
    trail_of(request).failed(detail)
    return problem_response("validation-error", detail=detail, request=request, errors=problems)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    slug = STATUS_SLUGS.get(exc.status_code, "bad-request")
    trail_of(request).failed(str(exc.detail))
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed(request))
    return problem_response(
        slug,
        detail=str(exc.detail),
        request=request,
        headers=headers,
        status=exc.status_code,
    )


def _allowed(request: Request) -> list[str]:
    """Every method of every route on this path: Starlette names only the first route's,
    and some paths have a route per method (GET and POST of a stream's events)."""
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for route in request.app.routes:
        regex, known = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and known and regex.match(path):
            methods |= set(known)
    return sorted(methods)
