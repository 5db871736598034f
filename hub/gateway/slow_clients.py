"""Bounded waits on the client: a request body must arrive within a time, and each piece
of the answer must be taken within a time, so a slow or stalled client (by accident or
on purpose, "slowloris") holds a connection for seconds, not forever.

The body is read whole here, before any route runs, with a deadline and a size cap; the
route then reads it from memory. A body too slow is answered 408, one larger than any
route takes 413, both as problem JSON and both audited (this sits inside the audit
middleware). An answer the client stops reading is abandoned after ``send_timeout_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.gateway.auditing import trail_in
from hub.gateway.problem_types import send_problem

log = logging.getLogger(__name__)
#: Larger than the largest body any route takes (a publish batch: 16 MiB).
BODY_CAP = 17 * 1024 * 1024


class SlowClients:
    def __init__(self, app: ASGIApp, *, body_timeout_s: float, send_timeout_s: float) -> None:
        self.app = app
        self._body_s = body_timeout_s
        self._send_s = send_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self._body_s):
                body, more = await _read_body(receive)
        except TimeoutError:
            await self._refuse(
                scope, send, "request-timeout", f"no whole body in {self._body_s:g} s"
            )
            return
        except ClientGone:
            # Nobody is left to answer; the audit row still says what happened.
            trail = trail_in(scope)
            if trail is not None:
                trail.deny("the client closed the connection before its body arrived whole")
            return
        if more:
            await self._refuse(scope, send, "payload-too-large", "the request body is too large")
            return
        try:
            await self.app(scope, _replay(body, receive), self._bounded(send))
        except ClientTooSlow as exc:
            # The row was written when the answer started; the connection just closes.
            log.warning("%s %s: %s; the answer is abandoned", scope["method"], scope["path"], exc)

    def _bounded(self, send: Send) -> Send:
        async def bounded(message: Message) -> None:
            try:
                async with asyncio.timeout(self._send_s):
                    await send(message)
            except TimeoutError:
                raise ClientTooSlow(f"the client took no data for {self._send_s:g} s") from None

        return bounded

    async def _refuse(self, scope: Scope, send: Send, slug: str, detail: str) -> None:
        trail = trail_in(scope)
        if trail is not None:
            trail.deny(detail)
        with contextlib.suppress(OSError):
            await send_problem(send, scope, slug, detail)


class ClientTooSlow(Exception):
    """The answer was abandoned: the connection closes and nothing more is sent."""


class ClientGone(Exception):
    """The client disconnected while its request body was still arriving."""


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The body, and whether it went past :data:`BODY_CAP` (then what was read so far)."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        parts.append(chunk)
        size += len(chunk)
        if size > BODY_CAP:
            return b"", True
        if not message.get("more_body", False):
            return b"".join(parts), False


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body in one message, then whatever the client does next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
