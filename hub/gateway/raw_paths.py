"""Route the registry API on the path as it was sent, so that ``%2F`` stays inside a subject.

Subjects may hold ``/`` (``google/protobuf/timestamp.proto``); clients send it as ``%2F``.
The server decodes the path before routing, after which an encoded slash cannot be told
from a separator: ``/subjects/a%2Fversions`` would reach the register route for subject
``a``. Under ``/registry`` the router sees the raw path instead, and the subject
dependency decodes the one segment it captured.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class RawPathRouting:
    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self._prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path")
        if scope["type"] == "http" and raw is not None and self._under_prefix(scope["path"]):
            # In place, not a copy: the audit middleware outside reads the route that
            # routing records in this same scope.
            scope["path"] = raw.decode("latin-1").split("?", 1)[0]
        await self.app(scope, receive, send)

    def _under_prefix(self, path: str) -> bool:
        return path == self._prefix or path.startswith(f"{self._prefix}/")
