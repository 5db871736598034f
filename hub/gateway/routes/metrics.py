"""``GET /metrics``: the process's metrics in Prometheus' text format, for the city's scraper.

Not an agency's read, so like the health checks it is left out of the audit log (its
name is in :data:`~hub.gateway.routes.discovery.PUBLIC_ROUTES`): a scrape every few
seconds would otherwise fill it. What it shows is counts by route template, action,
outcome and stream, never an id, a client or a token.

Who may scrape is a setting, not a grant. With ``telemetry.metrics_token`` set, a
scraper sends it as a bearer token (anything else is a 401). Without one the metrics are
open in dev and test, and in prod they are not there (404, as for a path that does not
exist): deny by default. With ``telemetry.prometheus`` off they are not there anywhere.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from starlette.responses import Response

from hub.config import Settings
from hub.errors import AuthenticationFailed, NotFound
from hub.gateway.deps import SettingsDep
from hub.telemetry import PROMETHEUS_TEXT, prometheus_text

router = APIRouter(tags=["operations"])

#: The route's name: not audited (see discovery.PUBLIC_ROUTES).
ROUTE = "metrics"


@router.get("/metrics", name=ROUTE, include_in_schema=False)
def metrics(request: Request, settings: SettingsDep) -> Response:
    """A plain ``def``: collecting runs the gauges' callbacks, which may read files."""
    _may_scrape(settings, request.headers.get("authorization"))
    return Response(prometheus_text(), media_type=PROMETHEUS_TEXT)


def _may_scrape(settings: Settings, authorization: str | None) -> None:
    telemetry = settings.telemetry
    if not telemetry.prometheus:
        raise NotFound("Not Found")
    token = telemetry.metrics_token
    if token is None:
        if settings.env == "prod":
            raise NotFound("Not Found")
        return
    if not authorization:
        raise AuthenticationFailed("no scrape token was sent", token_sent=False)
    scheme, _, sent = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not sent.strip():
        raise AuthenticationFailed("the Authorization header is not a bearer token")
    # Constant time: how much of a guess matched must not show in how long it took.
    if not hmac.compare_digest(sent.strip().encode(), token.get_secret_value().encode()):
        raise AuthenticationFailed("that is not this gateway's scrape token")
