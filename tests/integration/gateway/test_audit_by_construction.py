"""Every request writes exactly one audit row, whatever route and whatever path it takes.

The walk below calls every route of the app three ways (no credentials, credentials,
malformed input) and counts the rows each request left. A route added later is walked
too: it needs sample path values here, and an access dependency, or this fails.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from sqlalchemy import select, text

from hub.gateway.console.access import CONSOLE_ACCESS
from hub.gateway.deps import ACCESS_DEPENDENCIES, RegistryReader
from hub.gateway.event_access import EVENT_ACCESS
from hub.gateway.routes.discovery import PUBLIC_ROUTES
from hub.store.models import AuditRow
from tests.utils.stack import Stack, gateway_stack, stack_on

pytestmark = pytest.mark.kafka

WALK_SUBJECT = "meteorology.walk.v1-value"
SCHEMA = json.dumps({"type": "record", "name": "Walk", "namespace": "linkage.test", "fields": []})
#: A good value for every path parameter the routes use.
SAMPLE = {
    "stream": "meteorology.warning",
    "subject": WALK_SUBJECT,
    "version": "1",
    "schema_id": "1",
    "namespace": "-",
    "name": "meteorology.warning.v1",
    "slug": "forbidden",
    "audit_id": "1",
    "emergency_id": "00000000-0000-4000-8000-000000000000",
    "incident_id": "INC-2026-0001",
    "event_id": "00000000-0000-4000-8000-000000000001",
    "ack_id": "1",
}
#: A bad value for each, where one exists.
MALFORMED = {
    "stream": "NOT VALID",
    "version": "not-a-version",
    "schema_id": "0",
    "audit_id": "0",
    "emergency_id": "not-an-id",
    "incident_id": "no spaces allowed",
    "event_id": "not-an-event",
    "ack_id": "0",
}
_ids = itertools.count()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with stack_on(request, tmp_path_factory, "walk") as running:
        issued = running.credentials["meteorology-feed"]
        registered = running.http.post(
            f"/registry/subjects/{WALK_SUBJECT}/versions",
            auth=(issued.client_id, issued.client_secret),
            json={"schema": SCHEMA},
        )
        assert registered.status_code == 200, registered.text
        yield running


def rows_of(stack: Stack, request_id: str) -> list[AuditRow]:
    with stack.services.sessions() as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.request_id == request_id)))


def audited_routes(stack: Stack) -> list[tuple[RouteContext, str]]:
    """Every (route, method) but the public documents, routers flattened, prefixes kept."""
    routes = iter_route_contexts(stack.http.app.routes)  # type: ignore[attr-defined]
    return [
        (route, method)
        for route in routes
        if route.name not in PUBLIC_ROUTES
        for method in sorted(route.methods or ())
    ]


def _path(route: RouteContext, bad: str | None = None) -> str:
    values = dict(SAMPLE)
    if bad is not None:
        values[bad] = MALFORMED[bad]
    names = route.param_convertors.keys()
    missing = [n for n in names if n not in values]
    assert not missing, f"add a sample value for {missing} of {route.path} to SAMPLE"
    assert route.path_format is not None
    return route.path_format.format(**{n: values[n] for n in names})


_console: dict[int, dict[str, str]] = {}


def _console_session(stack: Stack, *, fresh: bool = False) -> dict[str, str]:
    """An auditor signed in to the console: the session cookie and its CSRF token (a
    fresh one for signing out, which ends the session)."""
    key = id(stack)
    if key not in _console or fresh:
        user = f"walker{next(_ids)}"
        _, password = stack.services.users.create(username=user, role="auditor", agency="audit")
        form = stack.http.get("/console/login")
        login_csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        signed = stack.http.post(
            "/console/login",
            data={"username": user, "password": password, "csrf": login_csrf},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        session = signed.cookies["linkage_session"]
        # The walk sends cookies itself: none may linger in the client for other calls.
        stack.http.cookies.clear()
        page = stack.http.get("/console/chain", headers={"Cookie": f"linkage_session={session}"})
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        if fresh:
            return {"session": session, "csrf": csrf}
        _console[key] = {"session": session, "csrf": csrf}
    return _console[key]


def _credentials(stack: Stack, path: str) -> dict[str, Any]:
    if path.startswith("/console"):
        signed = _console_session(stack, fresh=path.endswith("/logout"))
        return {
            "headers": {"Cookie": f"linkage_session={signed['session']}"},
            "data": {"csrf": signed["csrf"], "verdict": "justified"},
        }
    if path.startswith("/registry"):
        issued = stack.credentials["meteorology-feed"]
        return {"auth": (issued.client_id, issued.client_secret)}
    if path.startswith("/oauth"):
        issued = stack.credentials["health-dispatch"]
        return {"auth": (issued.client_id, issued.client_secret)}
    if path.startswith(("/v1/audit", "/v1/reviews")):
        client = "audit-office"
    elif path.startswith("/v1/emergencies"):
        client = "emergency-console"
    else:
        client = "health-dispatch"
    return {"headers": stack.bearer(client)}


def _body(path: str, stack: Stack | None = None) -> dict[str, Any]:
    if path.startswith("/console"):
        return {}  # the form, with its CSRF token, comes with the credentials
    if path.startswith("/oauth"):
        return {"data": {"grant_type": "client_credentials"}}
    if path == "/v1/emergencies":
        declaration = {
            "category": "NATURAL_DISASTER",
            "level": "IV",
            "title": "walk",
            "reason": "walk",
        }
        return {"json": {**declaration, "districts": ["440311"]}}
    if path.startswith("/v1/reviews"):
        return {"json": {"verdict": "justified"}}
    return {"json": {"schema": SCHEMA, "compatibility": "BACKWARD"}}


def _call(stack: Stack, method: str, path: str, **kwargs: Any) -> tuple[int, list[AuditRow]]:
    request_id = f"walk-{next(_ids)}"
    headers = {**kwargs.pop("headers", {}), "X-Request-ID": request_id}
    kwargs.setdefault("follow_redirects", False)
    response = stack.http.request(method, path, headers=headers, **kwargs)
    assert response.status_code != 500, f"{method} {path}: {response.text}"
    assert response.headers["x-request-id"] == request_id
    return response.status_code, rows_of(stack, request_id)


def test_every_route_writes_one_row_per_request_allowed_denied_or_malformed(
    stack: Stack,
) -> None:
    walked = audited_routes(stack)
    assert len(walked) > 30, "the walk found the routes"
    for route, method in walked:
        path = _path(route)
        body = _body(path, stack) if method in ("POST", "PUT") else {}
        # 1. no credentials at all
        status, rows = _call(stack, method, path, **body)
        assert len(rows) == 1, f"{method} {path} without credentials: {len(rows)} rows"
        (row,) = rows
        assert (row.status, row.action) == (status, route.name)
        open_route = route.name in ("registry.root", "token.issue")
        if path.startswith("/console"):
            # A browser with no session is sent to sign in; a sign-in that is no form, or
            # lacks its form's CSRF cookie, is refused.
            expected = {403, 422} if route.name == "console.signin" else {303}
            assert status in expected and row.decision == "deny", f"{method} {path}"
        elif not open_route:
            assert (status, row.decision) == (401, "deny"), f"{method} {path}"
        # 2. with the credentials of a client that may use the route
        allowed = _credentials(stack, path)
        if method not in ("POST", "PUT"):
            allowed.pop("data", None)
        live = route.name == "events.live"
        if live:
            # A feed whose `until` has passed ends at once, with its second row.
            allowed["params"] = {"until": "2000-01-01T00:00:00Z"}
        status, rows = _call(stack, method, path, **allowed, **body)
        assert len(rows) == (2 if live else 1), f"{method} {path} with credentials: {len(rows)}"
        if live:
            assert [r.action for r in rows] == ["events.live", "events.live.end"]
        assert rows[0].status == status
        if status < 400:
            assert rows[0].decision == "allow", f"{method} {path} served without an allow"
        # 3. malformed input: a bad path value where there is one, else a bad body
        bad = next((n for n in route.param_convertors if n in MALFORMED), None)
        bad_path = _path(route, bad) if bad else path
        junk: dict[str, Any] = {
            "content": b"{nope",
            "headers": {"Content-Type": "application/json"},
        }
        creds = _credentials(stack, path)
        creds.pop("data", None)
        if "headers" in creds:
            junk["headers"] = {**creds.pop("headers"), **junk["headers"]}
        status, rows = _call(stack, method, f"{bad_path}?limit=abc&after=-1", **creds, **junk)
        assert len(rows) == 1, f"{method} {bad_path} malformed: {len(rows)} rows"
        assert rows[0].status == status


def test_requests_that_match_no_route_are_audited_too(stack: Stack) -> None:
    for method, path, expected in [("GET", "/v2/nothing", 404), ("DELETE", "/v1/streams", 405)]:
        status, rows = _call(stack, method, path)
        assert status == expected
        (row,) = rows
        assert (row.decision, row.status) == ("deny", expected)
    (row,) = _call(stack, "GET", "/v2/nothing")[1]
    assert row.action == "unrouted"


@pytest.mark.parametrize(
    ("method", "path", "extra"),
    [
        ("GET", "/v1/streams/" + "a" * 300 + "/events", {}),
        ("GET", "/v1/streams/%00/events", {}),
        ("GET", "/v1/streams/", {"follow_redirects": False}),
        ("GET", "/registry", {"follow_redirects": False}),
        (
            "POST",
            "/oauth/token",
            {"auth": ("nul\x00id", "x"), "data": {"grant_type": "client_credentials"}},
        ),
        ("GET", "/registry/subjects/" + "s" * 300 + "/versions", {"basic": True}),
        (
            "PUT",
            "/registry/config/meteorology.a%00",
            {"basic": True, "json": {"compatibility": "FULL"}},
        ),
        ("GET", "/v1/audit?agency=%00", {"bearer": "audit-office"}),
    ],
    ids=[
        "long-stream",
        "nul-stream",
        "trailing-slash",
        "registry-no-slash",
        "nul-client",
        "long-subject",
        "nul-subject",
        "nul-query",
    ],
)
def test_hostile_values_are_refused_and_still_audited(
    stack: Stack, method: str, path: str, extra: dict[str, Any]
) -> None:
    """What the caller sent ends up in the row; a value the column cannot hold must
    not cost the request its row (and so its answer)."""
    kwargs = dict(extra)
    if kwargs.pop("basic", False):
        kwargs.update(_credentials(stack, "/registry"))
    if "bearer" in kwargs:
        kwargs["headers"] = stack.bearer(kwargs.pop("bearer"))
    status, rows = _call(stack, method, path, **kwargs)
    assert status < 500, f"{method} {path[:60]} answered {status}"
    (row,) = rows
    assert row.status == status
    assert "\x00" not in (row.stream or "") + (row.client_id or "") + row.reason


def test_public_documents_are_not_audited(stack: Stack) -> None:
    for path in ("/", "/healthz", "/.well-known/jwks.json", "/problems/forbidden", "/openapi.json"):
        status, rows = _call(stack, "GET", path)
        assert (status, rows) == (200, [])


def test_every_audited_route_depends_on_exactly_one_access_decision(stack: Stack) -> None:
    def calls(dependant: Any) -> Iterator[Any]:
        for sub in dependant.dependencies:
            yield sub.call
            yield from calls(sub)

    for route, _method in audited_routes(stack):
        if route.name == "token.issue":
            continue  # its decision is Authlib's grant, recorded by the route itself
        assert isinstance(route.original_route, APIRoute)
        deciders: tuple[Any, ...] = (*ACCESS_DEPENDENCIES, *CONSOLE_ACCESS, *EVENT_ACCESS)
        used = [c for c in set(calls(route.original_route.dependant)) if c in deciders]
        assert len(used) == 1, f"{route.name} depends on {used}"


def test_a_route_that_forgets_its_decision_serves_nothing(tmp_path) -> None:
    with gateway_stack(tmp_path) as fresh:
        app = fresh.http.app

        @app.get("/v1/forgot", name="forgot")  # type: ignore[attr-defined]
        def forgot() -> dict[str, str]:
            return {"secret": "served without a decision"}

        @app.get("/v1/remembered", name="remembered")  # type: ignore[attr-defined]
        def remembered(caller: RegistryReader) -> dict[str, str]:
            return {"ok": "yes"}

        response = fresh.http.get("/v1/forgot", headers={"X-Request-ID": "forgot-1"})
        assert response.status_code == 500 and "secret" not in response.text
        (row,) = rows_of(fresh, "forgot-1")
        assert (row.decision, row.status) == ("deny", 500)
        assert "without a policy decision" in row.reason
        # If the row cannot be written either, the answer is one 503, nothing else.
        engine = fresh.services.engine
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_log RENAME TO audit_log_away"))
        try:
            down = fresh.http.get("/v1/forgot")
            assert down.status_code == 503 and "secret" not in down.text
            assert down.json()["title"] == "Audit log unavailable"
        finally:
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE audit_log_away RENAME TO audit_log"))
        issued = fresh.credentials["health-dispatch"]
        ok = fresh.http.get(
            "/v1/remembered",
            auth=(issued.client_id, issued.client_secret),
            headers={"X-Request-ID": "remembered-1"},
        )
        assert ok.status_code == 200
        (row,) = rows_of(fresh, "remembered-1")
        assert row.decision == "allow"
