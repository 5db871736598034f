"""The OpenAPI document as the gateway really answers: every error as RFC 9457 problem
JSON, the statuses any route can give (an unauthenticated call, a refusal, an unknown
resource, a bad parameter, a client over its rate, an outage), and the bearer scheme.

FastAPI documents what each route declares; what the middleware, the access
dependencies and the error handlers add to every route is added here once, by
construction, rather than remembered in each route's decorator.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from hub.gateway.problem_types import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `type` opens at /problems/<slug>",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
    },
    "additionalProperties": True,
}

#: What any route may answer besides its own successes.
EVERY_ROUTE = {
    "400": "The request cannot be read (a body that is not JSON, say)",
    "401": "No valid credentials (see WWW-Authenticate)",
    "403": "The policy or the token's scopes do not allow this",
    "404": "No such resource, or one the caller may not know of",
    "405": "The resource does not take this method",
    "409": "The resource is not in a state that allows this",
    "413": "The body is too large",
    "415": "The body's content type is not one this route reads",
    "422": "A parameter or the body is not valid; `errors` or `field` say which",
    "429": "The client is over its rate (see Retry-After)",
    "500": "The gateway failed; quote the request id",
    "503": "Kafka, the database or the audit log is unavailable; retry",
}
_METHODS = ("get", "put", "post", "delete", "patch")


def install(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def build(app: FastAPI) -> dict[str, Any]:
    found = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    components = found.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components.setdefault("securitySchemes", {})["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT (RFC 9068), from POST /oauth/token",
    }
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for name, path in found.get("paths", {}).items():
        for method in _METHODS:
            operation = path.get(method)
            if operation is None:
                continue
            if name.startswith("/v1/"):
                operation.setdefault("security", [{"bearer": []}])
            responses = operation.setdefault("responses", {})
            for status, description in EVERY_ROUTE.items():
                entry = responses.setdefault(status, {"description": description})
                # FastAPI's own 422 body is replaced: the handlers answer problem JSON.
                entry["content"] = problem
    return found
