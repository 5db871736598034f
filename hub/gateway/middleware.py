"""Request id, one OpenTelemetry span and the request metrics per request, as plain ASGI
(no per-request task)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.gateway.auditing import CLIENT_CLOSED
from hub.gateway.problem_types import send_problem
from hub.gateway.request_metrics import RequestMetrics
from hub.telemetry import tracer

log = logging.getLogger(__name__)

REQUEST_ID = "x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._tracer = tracer("hub.gateway")
        self._metrics = RequestMetrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        method = scope["method"]
        arrived = time.perf_counter()
        # What is counted if no answer ever starts (the client left first).
        status = CLIENT_CLOSED
        with self._tracer.start_as_current_span(
            f"{method} {scope['path']}", kind=SpanKind.SERVER
        ) as span:
            span.set_attribute("http.request.method", method)
            span.set_attribute("linkage.request_id", request_id)

            started = False

            async def send_with_id(message: Message) -> None:
                nonlocal started, status
                if message["type"] == "http.response.start":
                    started = True
                    status = int(message["status"])
                    headers = list(message.get("headers", []))
                    headers.append((REQUEST_ID.encode(), request_id.encode()))
                    message["headers"] = headers
                    span.set_attribute("http.response.status_code", message["status"])
                    if message["status"] >= 500:
                        span.set_status(trace.StatusCode.ERROR)
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                # Last line of defence: log it here, answer a problem, never a traceback.
                log.exception("unhandled error on %s %s", method, scope["path"])
                span.set_status(trace.StatusCode.ERROR)
                if started:
                    raise
                await send_problem(
                    send_with_id,
                    scope,
                    "internal-error",
                    "the gateway failed to handle this request",
                )
            finally:
                route = scope.get("route")
                template = getattr(route, "path", None)
                if template:
                    # Name spans by route template, not raw path, to keep cardinality low.
                    span.update_name(f"{method} {template}")
                    span.set_attribute("http.route", template)
                self._metrics.answered(
                    template=template,
                    method=method,
                    status=status,
                    seconds=time.perf_counter() - arrived,
                )


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID.encode():
            text = value.decode("latin-1")
            return text if _SAFE_ID.match(text) else None
    return None
