"""Signing in and out. Every attempt is audited (the sign-in page itself is not: it
serves nothing); a wrong password, a locked or disabled account all look alike."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hub.gateway.console.access import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    ConsoleMember,
    ConsoleSignIn,
)
from hub.gateway.console.render import page
from hub.gateway.deps import ServicesDep, TrailDep
from hub.identity import Caller

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)
#: The sign-in form: public, like the API's documents.
FORM_ROUTE = "console.login"


def _secure(services: ServicesDep) -> bool:
    """Secure cookies outside dev and test, which run on plain http on loopback."""
    return services.settings.env == "prod"


def _form(
    request: Request, services: ServicesDep, *, next_path: str, failed: str | None, status: int
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html",
        session=None,
        http_status=status,
        login_csrf=token,
        next=next_path,
        failed=failed,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=_secure(services),
        path="/console/login",
    )
    return response


@router.get("/login", name=FORM_ROUTE)
async def login_form(
    request: Request, services: ServicesDep, next: str = Query("/console", max_length=512)
) -> HTMLResponse:
    return _form(request, services, next_path=next, failed=None, status=200)


@router.post("/login", name="console.signin")
async def sign_in(
    request: Request, attempt: ConsoleSignIn, services: ServicesDep, trail: TrailDep
) -> Response:
    outcome = await run_in_threadpool(services.users.sign_in, attempt.username, attempt.password)
    if outcome.user is None:
        trail.deny(outcome.reason)
        return _form(request, services, next_path=attempt.next, failed="signin.failed", status=401)
    user = outcome.user
    token = await run_in_threadpool(services.console_sessions.open, user.username)
    trail.caller = Caller(f"console:{user.username}", user.agency, user.scopes, "session:new")
    trail.allow(outcome.reason)
    response = RedirectResponse(attempt.next, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(services),
        path="/console",
        max_age=services.settings.console.max_hours * 3600,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/console/login")
    return response


@router.post("/logout", name="console.signout")
async def sign_out(request: Request, member: ConsoleMember, services: ServicesDep) -> Response:
    await run_in_threadpool(services.console_sessions.close, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response
