"""The gateway's metrics, each recorded once per request by the middleware that sees it.

:class:`RequestMetrics` belongs to :class:`~hub.gateway.middleware.RequestContext`, the
outermost layer, so every request counts, whichever way it ends (a 404 of no route, a
problem the handlers answered, the 500 of an exception). :class:`DecisionMetrics`
belongs to the audit middleware and counts what the request's one audit row says, so
the metrics and the log agree on what was allowed and refused.

Every label is from a small, fixed set: the route's template (never the path, which
holds stream, subject and event ids), the method, the status, the route's name, and a
stream only when it is in the catalogue. Nothing of the caller (client, agency, token)
is a label: an agency's activity is the audit log's to show, to those who may see it.
"""

from __future__ import annotations

from collections.abc import Callable

from hub.audit.entry import ALLOW, AuditEntry
from hub.telemetry import meter

ROUTE = "http.route"
METHOD = "http.request.method"
STATUS = "http.response.status_code"
ACTION = "linkage.action"
OUTCOME = "linkage.outcome"
STREAM = "linkage.stream"
#: The template of a request that matched no route.
UNROUTED = "unrouted"
#: Any other method is counted as this (OpenTelemetry's convention), not by its name.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Seconds. A page from the archive takes milliseconds; a live feed counts its whole life.
SECONDS_BUCKETS = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
    3600.0,
)


class RequestMetrics:
    def __init__(self) -> None:
        gateway = meter("hub.gateway")
        self._requests = gateway.create_counter(
            "linkage.gateway.requests",
            unit="{request}",
            description="Requests answered, by route template, method and status",
        )
        self._duration = gateway.create_histogram(
            "linkage.gateway.request.duration",
            unit="s",
            description="Time from a request's arrival to the end of its answer",
            explicit_bucket_boundaries_advisory=SECONDS_BUCKETS,
        )

    def answered(self, *, template: str | None, method: str, status: int, seconds: float) -> None:
        attributes: dict[str, str | int] = {
            ROUTE: template or UNROUTED,
            METHOD: method if method in KNOWN_METHODS else "_OTHER",
            STATUS: status,
        }
        self._requests.add(1, attributes)
        self._duration.record(seconds, attributes)


class DecisionMetrics:
    """``catalogued`` says whether a stream id is in the catalogue in force: a stream
    the caller made up (a 404) is not a label."""

    def __init__(self, *, catalogued: Callable[[str], bool]) -> None:
        self._catalogued = catalogued
        self._decisions = meter("hub.gateway").create_counter(
            "linkage.policy.decisions",
            unit="{decision}",
            description="Access decisions, one per audited request, by action and outcome",
        )

    def decided(self, entry: AuditEntry) -> None:
        attributes = {
            ACTION: entry.action,
            OUTCOME: "allowed" if entry.decision == ALLOW else "denied",
        }
        if entry.stream is not None and self._catalogued(entry.stream):
            attributes[STREAM] = entry.stream
        self._decisions.add(1, attributes)
