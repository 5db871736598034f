"""The gateway's app factory: routers, middleware, problem handlers and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hub import __version__
from hub.config import Settings
from hub.gateway import problems
from hub.gateway.middleware import RequestContext
from hub.gateway.routes import audit, discovery, oauth, streams
from hub.gateway.runtime import Runtime, build_runtime
from hub.registry.api import router as registry_router
from hub.telemetry import configure


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the app; it builds its runtime at start-up unless a test hands one in."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure(settings.telemetry)
        owned = runtime is None
        app.state.runtime = runtime or build_runtime(settings)
        try:
            yield
        finally:
            if owned:
                app.state.runtime.close()

    app = FastAPI(
        title="Linkage gateway",
        version=__version__,
        summary="Inter-departmental emergency data sharing: streams, events and audit",
        lifespan=lifespan,
    )
    problems.install(app)
    app.add_middleware(RequestContext)
    for module in (discovery, oauth, streams, audit):
        app.include_router(module.router)
    app.include_router(registry_router)
    return app
