"""Public, unauthenticated documents: service index, JWKS, OAuth metadata, problem types.

They hold no agency's data, so they are the routes the audit log leaves out
(:data:`PUBLIC_ROUTES`), with the scrape of ``/metrics``; a load balancer's health
checks and a Prometheus scraper would otherwise flood it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.responses import HTMLResponse, JSONResponse

from hub.errors import NotFound
from hub.gateway.auth.clients import AUTH_METHODS
from hub.gateway.auth.keys import ALGORITHM
from hub.gateway.deps import AuditKeysDep, JwksDep, ReadinessDep, SettingsDep
from hub.gateway.problem_types import PROBLEM_TYPES
from hub.gateway.routes.metrics import ROUTE as METRICS
from hub.identity import SCOPES

router = APIRouter(tags=["discovery"])

#: The route names that are not audited: every route of this module, and the scrape.
CONSOLE_STATIC = "console.static"
PUBLIC_ROUTES = frozenset(
    {
        "index",
        "health",
        "ready",
        "jwks",
        "audit.keys",
        "oauth.metadata",
        "problem.describe",
        "openapi",
        "docs",
        "docs.oauth2-redirect",
        "redoc",
        # The console's sign-in form and its stylesheet serve nothing of anyone's.
        "console.login",
        CONSOLE_STATIC,
        # Counts by route and stream, for the city's monitoring; no agency's data.
        METRICS,
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
            "audit_keys": "/.well-known/audit-keys.json",
            "audit_checkpoints": "/v1/audit/checkpoints",
            "openapi": OPENAPI_URL,
            **({"docs": "/docs"} if settings.gateway.docs else {}),
        },
    }


@router.get("/healthz", name="health")
async def health() -> dict[str, str]:
    """Liveness: the process serves. On the event loop, asking nothing of any
    dependency or worker thread, so it answers whatever they are doing."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    name="ready",
    responses={503: {"description": "A dependency is down; `dependencies` says which"}},
)
async def ready(readiness: ReadinessDep) -> JSONResponse:
    """Readiness: the database, Kafka and the audit writer each answer within 2 s."""
    states = await readiness.report()
    ok = all(state == "ok" for state in states.values())
    body = {"status": "ready" if ok else "not ready", "dependencies": states}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/.well-known/jwks.json", name="jwks")
def jwks(keys: JwksDep) -> dict[str, Any]:
    return keys


@router.get("/.well-known/audit-keys.json", name="audit.keys")
def audit_keys(keys: AuditKeysDep) -> dict[str, Any]:
    """The Ed25519 keys that sign audit checkpoints (JWK Set, with each key's C2SP
    verifier key): what witnesses and auditors check checkpoints with."""
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


# The API documentation is served here rather than by FastAPI itself, so that these
# are routes like every other and the audit middleware knows them by name.
OPENAPI_URL = "/openapi.json"
TITLE = "Linkage gateway"


@router.get(OPENAPI_URL, name="openapi", include_in_schema=False)
def openapi(request: Request) -> dict[str, Any]:
    document: dict[str, Any] = request.app.openapi()
    return document


def _docs_on(settings: SettingsDep) -> None:
    """Production may switch the interactive docs off (HUB_GATEWAY_DOCS=false)."""
    if not settings.gateway.docs:
        raise NotFound("the interactive API docs are switched off here; /openapi.json is not")


DocsOn = Annotated[None, Depends(_docs_on)]


@router.get("/docs", name="docs", include_in_schema=False)
def docs(_: DocsOn) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title=f"{TITLE} - API docs",
        oauth2_redirect_url="/docs/oauth2-redirect",
    )


@router.get("/docs/oauth2-redirect", name="docs.oauth2-redirect", include_in_schema=False)
def docs_oauth2_redirect(_: DocsOn) -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc", name="redoc", include_in_schema=False)
def redoc(_: DocsOn) -> HTMLResponse:
    return get_redoc_html(openapi_url=OPENAPI_URL, title=f"{TITLE} - API docs")
