"""One audit row per request, written by construction: a trail and the middleware that writes it.

Every request that is not a public discovery document gets an :class:`AuditTrail` before
routing. Dependencies fill it in as they run (who the caller is, what the policy
decided), the error handlers say why nothing was served, and :class:`AuditMiddleware`
writes exactly one row from it when the answer starts, whatever path the request took:
a validation error, a refusal, an unexpected exception. Routes never call the audit log.

Two rules follow from writing the row before the first byte of the answer:

- if the row cannot be written, the answer is replaced by a 503 and nothing is served;
- an answer of 2xx or 3xx from a route that recorded no decision is a bug, and is
  replaced by a 500: deny by default holds even for a route that forgot its guard
  (the router's own trailing-slash redirects match no route and serve nothing).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.audit.entry import ALLOW, DENY, AuditEntry
from hub.audit.writer import AuditWriter
from hub.errors import AuditUnavailable
from hub.gateway.problem_types import send_problem
from hub.gateway.request_metrics import DecisionMetrics
from hub.identity import Caller
from hub.telemetry import current_trace_id

log = logging.getLogger(__name__)

_STATE_KEY = "audit_trail"
UNROUTED = "unrouted"


@dataclass
class AuditTrail:
    """What this request's audit row will say; filled in while the request is served."""

    caller: Caller | None = None
    claimed_client: str | None = None
    #: The agency of a claimed client that is registered (a failed token request), so an
    #: auditor filtering by agency finds the attempts made in its name.
    claimed_agency: str | None = None
    stream: str | None = None
    allowed: bool | None = None
    reason: str = ""
    records: int = 0
    note: str = ""
    failure: str = ""
    purpose: str | None = None
    grant_id: str | None = None
    policy_version: str | None = None
    masked: tuple[str, ...] = ()
    emergency_id: str | None = None
    review_required: bool = False
    #: What the request acted on besides a stream, when the route names it itself.
    resource: str | None = None
    #: Events served from a stream (records of other kinds, a catalogue entry say, are not).
    events: int = 0
    #: A live feed: its first row is written when it starts, a second (``.end``) with what
    #: it served when it ends, however it ends.
    streaming: bool = False
    end_reason: str = ""

    def allow(self, reason: str) -> None:
        self.allowed, self.reason = True, reason

    def deny(self, reason: str) -> None:
        self.allowed, self.reason = False, reason

    def served(self, records: int, note: str = "") -> None:
        """How many records the answer holds, and optionally what was done."""
        self.records, self.note = records, note

    def served_events(self, records: int, masked: tuple[str, ...]) -> None:
        """A page of a stream's events: the records, and every field served masked."""
        self.records = self.events = records
        self.masked = masked

    def failed(self, why: str) -> None:
        """Why nothing was served; the error handlers call this, routes need not."""
        self.failure = why

    def entry(
        self,
        *,
        request_id: str,
        action: str,
        status: int,
        stream: str | None,
        resource: str | None = None,
    ) -> AuditEntry:
        served = status < 400
        if self.allowed:
            reason = self.reason
            if served and self.note:
                reason = f"{reason}; {self.note}"
            if not served:
                reason = f"{reason}; not served: {self.failure or _phrase(status)}"
        else:
            reason = self.reason or self.failure or f"no decision was made ({_phrase(status)})"
        caller = self.caller
        return AuditEntry(
            request_id=request_id,
            action=action,
            decision=ALLOW if self.allowed else DENY,
            reason=reason,
            status=status,
            client_id=caller.client_id if caller else self.claimed_client,
            agency=caller.agency if caller else self.claimed_agency,
            stream=self.stream or stream,
            resource=self.resource or resource,
            records=self.records if served else 0,
            trace_id=current_trace_id(),
            purpose=self.purpose,
            grant_id=self.grant_id,
            policy_version=self.policy_version,
            masked=self.masked if served else (),
            emergency_id=self.emergency_id,
            # Only a read that served events through an emergency grant needs a review: an
            # empty page, or a look at the stream's catalogue entry, shows nobody's data.
            review_required=self.review_required and served and self.events > 0,
        )


def trail_of(request: Request) -> AuditTrail:
    trail = trail_in(request.scope)
    if trail is None:
        raise RuntimeError("the request has no audit trail: AuditMiddleware is not installed")
    return trail


def trail_in(scope: Scope) -> AuditTrail | None:
    """The request's trail, for middleware inside :class:`AuditMiddleware`."""
    trail = scope.get("state", {}).get(_STATE_KEY)
    return trail if isinstance(trail, AuditTrail) else None


#: The status recorded for a request whose client left before any answer began (the code
#: nginx logs for it; no answer with it is ever sent).
CLIENT_CLOSED = 499


def _phrase(status: int) -> str:
    if status == CLIENT_CLOSED:
        return f"{status} client closed the connection"
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class AuditMiddleware:
    """Writes the request's one audit row when the answer starts (plain ASGI, no extra task).

    ``public`` names the routes that serve public documents only (health, keys, docs);
    they are not audited. Every other request is, including ones that match no route,
    and its row's decision is counted in ``decisions``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        public: frozenset[str],
        sink: Any,
        decisions: DecisionMetrics | None = None,
    ) -> None:
        self.app = app
        self._public = public
        # A callable, since the writer is built by the lifespan after the middleware exists.
        self._sink = sink
        self._decisions = decisions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trail = AuditTrail()
        scope.setdefault("state", {})[_STATE_KEY] = trail
        written = False
        replaced = False

        async def send_audited(message: Message) -> None:
            nonlocal written, replaced
            if replaced:
                return  # the answer was replaced: nothing of the original leaves
            if message["type"] == "http.response.start" and not written:
                written = True
                if self._is_public(scope):
                    await send(message)
                    return
                status = int(message["status"])
                # A redirect the router makes (a trailing slash) matched no route: it
                # serves nothing, and is audited like any unrouted request.
                routed = scope.get("route") is not None
                # Deny by default: a route that answered without a decision, or served a
                # 2xx after a refusal, is answered with a 500. A refusal may redirect
                # (the console sends a browser that is not signed in to the sign-in page).
                undecided = trail.allowed is None or (trail.allowed is False and status < 300)
                if routed and status < 400 and undecided:
                    log.error("route %s answered %d without a decision", _action(scope), status)
                    trail.failed("the route answered without a policy decision")
                    replaced = True
                    if await self._write_or_refuse(scope, trail, 500, send):
                        await send_problem(send, scope, "internal-error", "no decision was made")
                    return
                if not await self._write_or_refuse(scope, trail, status, send):
                    replaced = True
                    return
            await send(message)

        try:
            await self.app(scope, receive, send_audited)
            if not written and not self._is_public(scope):
                # No answer was started (the client left first): the row is still owed.
                written = True
                with contextlib.suppress(AuditUnavailable):
                    await self._write(scope, trail, CLIENT_CLOSED)
        except Exception as exc:
            if not written and not self._is_public(scope):
                written = True
                trail.failed(f"failed: {type(exc).__name__}")
                # Already failing: if even the row fails, the 500 that follows serves nothing.
                with contextlib.suppress(AuditUnavailable):
                    await self._write(scope, trail, 500)
            raise
        finally:
            if trail.streaming and written and not replaced:
                await self._write_end(scope, trail)

    def _is_public(self, scope: Scope) -> bool:
        route = scope.get("route")
        return route is not None and getattr(route, "name", None) in self._public

    async def _write_or_refuse(
        self, scope: Scope, trail: AuditTrail, status: int, send: Send
    ) -> bool:
        """Write the row; if it cannot be written, answer 503 instead and return False."""
        try:
            await self._write(scope, trail, status)
        except AuditUnavailable as exc:
            await send_problem(send, scope, "audit-unavailable", exc.message)
            return False
        return True

    async def _write_end(self, scope: Scope, trail: AuditTrail) -> None:
        """The second row of a live feed: how many events it served, and why it ended."""
        params = dict(scope.get("path_params") or {})
        entry = trail.entry(
            request_id=str(scope.get("state", {}).get("request_id", "-")),
            action=f"{_action(scope)}.end",
            status=200,
            stream=params.pop("stream", None),
        )
        if trail.end_reason:
            entry = replace(entry, reason=f"{entry.reason}; ended: {trail.end_reason}")
        try:
            await self._sink().append(entry)
        except AuditUnavailable:
            log.error("the end of a live feed could not be audited (%d events)", trail.events)

    async def _write(self, scope: Scope, trail: AuditTrail, status: int) -> None:
        params = dict(scope.get("path_params") or {})
        stream = params.pop("stream", None)
        entry = trail.entry(
            request_id=str(scope.get("state", {}).get("request_id", "-")),
            action=_action(scope),
            status=status,
            stream=stream,
            # Whatever else the path named (a subject and version, a review's row).
            resource="&".join(f"{k}={v}" for k, v in sorted(params.items())) or None,
        )
        if self._decisions is not None:
            self._decisions.decided(entry)
        sink: AuditWriter = self._sink()
        await sink.append(entry)


def _action(scope: Scope) -> str:
    route = scope.get("route")
    name = getattr(route, "name", None)
    return str(name) if name else UNROUTED
