"""Who is at the console: the session behind the cookie, its role, and its forms' CSRF.

These are access dependencies like the API's: each records the decision on the
request's audit trail, so a person's page view is one audited decision as a client's
request is. A browser that is not signed in is refused and sent to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl, quote

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from hub.errors import BadRequest, Forbidden, HubError
from hub.gateway.auditing import AuditTrail
from hub.gateway.auth.sessions import ConsoleSession, same
from hub.gateway.bodies import read_limited
from hub.gateway.deps import ServicesDep, TrailDep
from hub.identity import AUDIT_READ, AUDIT_REVIEW, COORDINATION_READ, Caller

SESSION_COOKIE = "linkage_session"
#: The sign-in form's own CSRF token: a cookie and a hidden field that must agree.
LOGIN_COOKIE = "linkage_login"
FORM_LIMIT = 16 * 1024


class SignInRequired(HubError):
    """Not signed in: the browser is sent to the sign-in page, and back afterwards."""

    code = "sign-in-required"

    def __init__(self, back_to: str) -> None:
        super().__init__("sign in to the console first")
        self.location = f"/console/login?next={quote(back_to, safe='/')}"


@dataclass(frozen=True, slots=True)
class ConsoleRequest:
    session: ConsoleSession
    form: dict[str, str]


async def read_form(request: Request) -> dict[str, str]:
    if request.method != "POST":
        return {}
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise BadRequest("a console form is sent as application/x-www-form-urlencoded")
    body = await read_limited(request, FORM_LIMIT)
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("the form is not valid UTF-8 form data") from None


async def _signed_in(request: Request, services: ServicesDep, trail: AuditTrail) -> ConsoleSession:
    token = request.cookies.get(SESSION_COOKIE)
    session: ConsoleSession | None = await run_in_threadpool(services.console_sessions.find, token)
    if session is None:
        trail.deny("not signed in to the console")
        raise SignInRequired(request.url.path)
    user = session.user
    trail.caller = Caller(
        client_id=f"console:{user.username}",
        agency=user.agency,
        scopes=user.scopes,
        token_id=f"session:{session.label}",
    )
    return session


def _access(scope: str | None, name: str) -> Callable[..., Awaitable[ConsoleRequest]]:
    async def dependency(
        request: Request, services: ServicesDep, trail: TrailDep
    ) -> ConsoleRequest:
        session = await _signed_in(request, services, trail)
        user = session.user
        if scope is not None and scope not in user.scopes:
            reason = f"the console role {user.role} does not grant {scope}"
            trail.deny(reason)
            raise Forbidden(reason)
        form = await read_form(request)
        if request.method == "POST" and not same(session.csrf, form.get("csrf")):
            reason = "a console form was sent without its CSRF token"
            trail.deny(reason)
            raise Forbidden(reason)
        trail.allow(f"console {user.role} {user.username}" + (f": {scope}" if scope else ""))
        return ConsoleRequest(session, form)

    dependency.__name__ = name
    return dependency


console_member = _access(None, "console_member")
console_auditor = _access(AUDIT_READ, "console_auditor")
console_reviewer = _access(AUDIT_REVIEW, "console_reviewer")
console_coordination = _access(COORDINATION_READ, "console_coordination")

ConsoleMember = Annotated[ConsoleRequest, Depends(console_member)]
ConsoleAuditor = Annotated[ConsoleRequest, Depends(console_auditor)]
ConsoleReviewer = Annotated[ConsoleRequest, Depends(console_reviewer)]
ConsoleCoordination = Annotated[ConsoleRequest, Depends(console_coordination)]


@dataclass(frozen=True, slots=True)
class SignInForm:
    username: str
    password: str
    next: str


async def console_signin(request: Request, trail: TrailDep) -> SignInForm:
    """The sign-in form, once its CSRF pair agrees; the route then records the outcome."""
    form = await read_form(request)
    username = form.get("username", "").strip()[:64]
    trail.claimed_client = f"console:{username}" if username else None
    if not same(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")):
        reason = "the sign-in form was sent without its CSRF token"
        trail.deny(reason)
        raise Forbidden(reason)
    back_to = form.get("next", "")
    inside = back_to == "/console" or back_to.startswith("/console/")
    if not inside or "//" in back_to or "\\" in back_to or ".." in back_to:
        back_to = "/console"  # only ever back into the console, on this host
    return SignInForm(username, form.get("password", ""), back_to)


ConsoleSignIn = Annotated[SignInForm, Depends(console_signin)]
CONSOLE_ACCESS = (
    console_member,
    console_auditor,
    console_reviewer,
    console_coordination,
    console_signin,
)
