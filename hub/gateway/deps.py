"""Dependency aliases, so that route signatures read as domain language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from hub.errors import AuthenticationFailed, Forbidden
from hub.gateway.auditing import audit
from hub.gateway.auth.tokens import Caller
from hub.gateway.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def authenticated_caller(request: Request, runtime: RuntimeDep) -> Caller:
    """The verified caller; a missing or bad token is audited and answered with 401."""
    header = request.headers.get("authorization")
    if not header:
        _refuse(request, AuthenticationFailed("no bearer token was sent", token_sent=False))
    assert header is not None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        _refuse(request, AuthenticationFailed("the Authorization header is not a bearer token"))
    try:
        caller = runtime.verifier.verify(token.strip())
    except AuthenticationFailed as exc:
        _refuse(request, exc)
    request.state.caller = caller
    return caller


def _refuse(request: Request, exc: AuthenticationFailed) -> None:
    audit(request, allowed=False, reason=exc.message, status=401)
    raise exc


CallerDep = Annotated[Caller, Depends(authenticated_caller)]


def require_scope(scope: str) -> Callable[[Request, Caller], Caller]:
    """A dependency that lets through only callers whose token holds ``scope``."""

    def dependency(request: Request, caller: CallerDep) -> Caller:
        if scope not in caller.scopes:
            reason = f"token lacks scope {scope}"
            audit(request, allowed=False, reason=reason, status=403, caller=caller)
            raise Forbidden(reason)
        return caller

    return dependency


StreamReader = Annotated[Caller, Depends(require_scope("streams:read"))]
AuditReader = Annotated[Caller, Depends(require_scope("audit:read"))]
