"""Public, unauthenticated documents: service index, JWKS, OAuth metadata, problem types.

They hold no agency's data, so they are the only routes the audit log leaves out
(:data:`PUBLIC_ROUTES`); a load balancer's health checks would otherwise flood it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hub.errors import NotFound
from hub.gateway.auth.clients import AUTH_METHODS
from hub.gateway.auth.keys import ALGORITHM
from hub.gateway.deps import JwksDep, SettingsDep
from hub.gateway.problem_types import PROBLEM_TYPES
from hub.identity import SCOPES

router = APIRouter(tags=["discovery"])

#: Route names that are not audited: these, and FastAPI's own API documentation pages.
PUBLIC_ROUTES = frozenset(
    {
        "index",
        "health",
        "jwks",
        "oauth.metadata",
        "problem.describe",
        "openapi",
        "swagger_ui_html",
        "swagger_ui_redirect",
        "redoc_html",
    }
)


@router.get("/", name="index")
def index(settings: SettingsDep) -> dict[str, Any]:
    return {
        "service": "Linkage gateway",
        "issuer": settings.auth.issuer,
        "links": {
            "token": "/oauth/token",
            "jwks": "/.well-known/jwks.json",
            "oauth_metadata": "/.well-known/oauth-authorization-server",
            "streams": "/v1/streams",
            "audit": "/v1/audit",
            "docs": "/docs",
        },
    }


@router.get("/healthz", name="health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/.well-known/jwks.json", name="jwks")
def jwks(keys: JwksDep) -> dict[str, Any]:
    return keys


@router.get("/.well-known/oauth-authorization-server", name="oauth.metadata")
def oauth_metadata(settings: SettingsDep) -> dict[str, Any]:
    """RFC 8414 metadata, so clients can find the token endpoint and keys by themselves."""
    issuer = settings.auth.issuer.rstrip("/")
    return {
        "issuer": settings.auth.issuer,
        "token_endpoint": f"{issuer}/oauth/token",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "scopes_supported": sorted(SCOPES),
        "response_types_supported": [],
        "access_token_signing_alg_values_supported": [ALGORITHM],
    }


@router.get("/problems/{slug}", name="problem.describe")
def describe_problem(slug: str) -> dict[str, Any]:
    kind = PROBLEM_TYPES.get(slug)
    if kind is None:
        raise NotFound(f"no problem type {slug!r}")
    return {
        "type": f"/problems/{slug}",
        "title": kind.title,
        "status": kind.status,
        "description": kind.description,
    }
