"""The gateway's app factory: routers, middleware, problem handlers and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from hub import __version__
from hub.config import Settings
from hub.gateway import error_handlers, openapi_document
from hub.gateway.auditing import AuditMiddleware
from hub.gateway.middleware import RequestContext
from hub.gateway.policy_reload import PolicyReloader
from hub.gateway.problem_types import REGISTRY_PREFIX
from hub.gateway.raw_paths import RawPathRouting
from hub.gateway.request_metrics import DecisionMetrics
from hub.gateway.routes import (
    acks,
    audit,
    audit_chain,
    audit_export,
    console,
    discovery,
    emergencies,
    incidents,
    live,
    metrics,
    oauth,
    publish,
    registry,
    reviews,
    streams,
)
from hub.gateway.services import GatewayServices, build_services
from hub.gateway.slow_clients import SlowClients
from hub.policy.model import Policy
from hub.telemetry import configure

#: What create_app returns, for callers that need not know the web framework's name.
GatewayApp = FastAPI


def create_app(
    settings: Settings, *, engine: Engine | None = None, policy: Policy | None = None
) -> FastAPI:
    """Build the app; its services (database, Kafka readers, keys) start with its lifespan.

    A process that has opened the database and loaded the policy already hands them in.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Here rather than in a command: whatever serves the gateway (a command, hub dev,
        # a test) has the Prometheus reader that /metrics shows.
        configure(settings.telemetry)
        services = build_services(settings, engine=engine, policy=policy)
        app.state.services = services
        reloader = PolicyReloader(
            services.policies,
            var_dir=settings.var_dir,
            port=settings.gateway.port,
            watch_s=settings.policy.watch_s,
        )
        reloader.start()
        try:
            yield
        finally:
            reloader.stop()
            services.close()

    app = FastAPI(
        title="Linkage gateway",
        version=__version__,
        summary="Inter-departmental emergency data sharing: streams, events and audit",
        lifespan=lifespan,
        # Served by the discovery routes instead, as routes like every other.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    error_handlers.install(app)
    openapi_document.install(app, settings)
    app.add_middleware(RawPathRouting, prefix=REGISTRY_PREFIX)
    app.add_middleware(
        SlowClients,
        body_timeout_s=settings.gateway.body_timeout_s,
        send_timeout_s=settings.gateway.send_timeout_s,
    )
    # Added last, so outermost: the request id and span exist before the audit row is made.
    app.add_middleware(
        AuditMiddleware,
        public=discovery.PUBLIC_ROUTES,
        sink=lambda: _services(app).audit,
        decisions=DecisionMetrics(
            catalogued=lambda stream: _services(app).policies.current.stream(stream) is not None
        ),
    )
    app.add_middleware(RequestContext)
    routers = (
        discovery,
        metrics,
        oauth,
        streams,
        live,
        publish,
        incidents,
        acks,
        audit,
        audit_export,
        audit_chain,
        reviews,
        emergencies,
    )
    for router in (*(m.router for m in routers), *registry.ROUTERS, *console.ROUTERS):
        app.include_router(router)
    app.mount(
        "/console/static",
        StaticFiles(packages=[("hub.gateway.console", "static")]),
        name=discovery.CONSOLE_STATIC,
    )
    return app


def _services(app: FastAPI) -> GatewayServices:
    services: GatewayServices = app.state.services
    return services
