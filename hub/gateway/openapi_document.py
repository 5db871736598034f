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

from hub.config import Settings
from hub.gateway.problem_types import PROBLEM_JSON
from hub.identity import SCOPES

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
    "408": "The request body did not arrive in time",
    "409": "The resource is not in a state that allows this",
    "413": "The body is too large",
    "415": "The body's content type is not one this route reads",
    "422": "A parameter or the body is not valid; `errors` or `field` say which",
    "429": "The client is over its rate (see Retry-After)",
    "500": "The gateway failed; quote the request id",
    "503": "Kafka, the database or the audit log is unavailable; retry",
}
_METHODS = ("get", "put", "post", "delete", "patch")
REGISTRY_MEDIA = "application/vnd.schemaregistry.v1+json"
FORM = "application/x-www-form-urlencoded"
#: RFC 6749 section 5.2: a token error is plain JSON with ``error``; the hub adds the
#: problem fields beside it, but the media type stays what OAuth clients expect.
TOKEN_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "string",
            "enum": [
                "invalid_request",
                "invalid_client",
                "invalid_grant",
                "unauthorized_client",
                "unsupported_grant_type",
                "invalid_scope",
                # 429: too many failed attempts from this address or for this client
                # (the code is RFC 8628's; RFC 6749 has none for waiting).
                "slow_down",
            ],
        },
        "error_description": {"type": "string"},
    },
    "additionalProperties": True,
}
_SCOPE_NAME = "(" + "|".join(sorted(SCOPES)) + ")"
TOKEN_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "scope": {"type": "string", "pattern": f"^{_SCOPE_NAME}( {_SCOPE_NAME})*$"},
        "client_id": {"type": "string", "description": "when not sent as HTTP Basic"},
        "client_secret": {"type": "string", "description": "when not sent as HTTP Basic"},
    },
}
TOKEN_ANSWER: dict[str, Any] = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in"],
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string"},
        "expires_in": {"type": "integer"},
        "scope": {"type": "string"},
    },
}


def install(app: FastAPI, settings: Settings) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app, settings)
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def build(app: FastAPI, settings: Settings) -> dict[str, Any]:
    found = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    components = found.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schemes = components.setdefault("securitySchemes", {})
    schemes["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT (RFC 9068), from POST /oauth/token",
    }
    # Where those bearer tokens come from, so clients (and fuzzers) know the token URL.
    schemes["oauth2"] = {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": dict(SCOPES)}},
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
            if name.startswith("/registry"):
                _registry_media(responses)
    _token_endpoint(found["paths"]["/oauth/token"]["post"])
    declaration = components["schemas"]["DeclarationRequest"]["properties"]["duration_hours"]
    # The longest emergency is a setting: the document states this gateway's.
    for option in declaration.get("anyOf", [declaration]):
        if option.get("type") == "integer":
            option["maximum"] = settings.policy.emergency_max_hours
    return found


def _registry_media(responses: dict[str, Any]) -> None:
    """Confluent's clients get the registry's own media type on every success."""
    for status, entry in responses.items():
        content = entry.get("content", {})
        if status.startswith("2") and "application/json" in content:
            content[REGISTRY_MEDIA] = content.pop("application/json")


def _token_endpoint(operation: dict[str, Any]) -> None:
    """The token endpoint reads a form and answers OAuth's JSON (RFC 6749), not FastAPI's."""
    operation["requestBody"] = {"required": True, "content": {FORM: {"schema": TOKEN_FORM}}}
    responses = operation["responses"]
    responses["200"] = {
        "description": "An access token (RFC 9068 JWT)",
        "content": {"application/json": {"schema": TOKEN_ANSWER}},
    }
    for status in ("400", "401", "413", "429"):
        responses[status]["content"] = {"application/json": {"schema": TOKEN_ERROR}}
