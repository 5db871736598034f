"""Every bad input gets a clear 4xx problem; broken dependencies a 503; never a traceback."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with gateway_stack(tmp_path_factory.mktemp("hub")) as running:
        yield running


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert "Traceback" not in response.text
    return body


def test_unknown_routes_and_methods_are_problems(stack: Stack) -> None:
    assert _problem(stack.http.get("/v2/nothing"), 404)["title"] == "Not found"
    assert _problem(stack.http.delete("/v1/streams"), 405)["title"] == "Method not allowed"


def test_problem_types_are_documented_at_their_uri(stack: Stack) -> None:
    body = stack.http.get("/problems/forbidden").json()
    assert body["status"] == 403 and "grant" in body["description"]
    _problem(stack.http.get("/problems/no-such-problem"), 404)


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("limit=0", "query.limit: Input should be greater than or equal to 1"),
        ("limit=abc", "query.limit: Input should be a valid integer"),
        ("limit=5000", "limit must be at most 1000"),
        ("cursor=%25%25", "cursor is not valid for this stream"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(stack: Stack, query: str, detail: str) -> None:
    response = stack.http.get(
        f"/v1/streams/meteorology.warning/events?{query}", headers=stack.bearer("health-dispatch")
    )
    assert detail in _problem(response, 422)["detail"]


def test_a_malformed_stream_id_is_422_and_an_unknown_one_404(stack: Stack) -> None:
    headers = stack.bearer("health-dispatch")
    _problem(stack.http.get("/v1/streams/NOT_VALID/events", headers=headers), 422)
    body = _problem(stack.http.get("/v1/streams/health.nothing/events", headers=headers), 404)
    assert body["detail"] == "stream health.nothing is not in the catalogue"


def test_a_cursor_from_another_stream_is_refused(stack: Stack) -> None:
    headers = stack.bearer("health-dispatch")
    cursor = stack.http.get("/v1/streams/emergency.incident-report/events", headers=headers).json()[
        "next"
    ]
    response = stack.http.get(
        "/v1/streams/meteorology.warning/events", params={"cursor": cursor}, headers=headers
    )
    _problem(response, 422)


def test_the_catalogue_shows_only_what_the_agency_may_read(stack: Stack) -> None:
    health = stack.http.get("/v1/streams", headers=stack.bearer("health-dispatch")).json()
    readable = {s["id"] for s in health["streams"]}
    assert {
        "meteorology.warning",
        "emergency.incident-report",
        "health.hospital-capacity",
    } <= readable
    assert "public-security.police-incident" not in readable
    entry = stack.http.get(
        "/v1/streams/meteorology.warning", headers=stack.bearer("health-dispatch")
    ).json()
    assert (
        entry["owner"] == "meteorology"
        and entry["steward"]
        and entry["subject"] == "meteorology.warning.v1-value"
    )
    commerce = stack.http.get("/v1/streams", headers=stack.bearer("commerce-supplies")).json()
    assert {s["owner"] for s in commerce["streams"]} == {"commerce"}, (
        "only its own streams, no grants"
    )
    _problem(
        stack.http.get(
            "/v1/streams/meteorology.warning", headers=stack.bearer("commerce-supplies")
        ),
        403,
    )


@pytest.mark.parametrize(
    ("auth", "form", "status", "error"),
    [
        (
            ("health-dispatch", "wrong-secret"),
            {"grant_type": "client_credentials"},
            401,
            "invalid_client",
        ),
        (("nobody", "x"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (None, {"grant_type": "client_credentials"}, 401, "invalid_client"),
        ("ok", {"grant_type": "password"}, 400, "unsupported_grant_type"),
        ("ok", {"grant_type": "client_credentials", "scope": "audit:read"}, 400, "invalid_scope"),
        ("ok", {"grant_type": "client_credentials", "scope": "root"}, 400, "invalid_scope"),
    ],
    ids=[
        "wrong-secret",
        "unknown-client",
        "no-credentials",
        "wrong-grant",
        "scope-not-allowed",
        "unknown-scope",
    ],
)
def test_token_errors_follow_oauth_and_are_audited(
    stack: Stack, auth, form, status: int, error: str
) -> None:
    if auth == "ok":
        issued = stack.credentials["health-dispatch"]
        auth = (issued.client_id, issued.client_secret)
    response = stack.http.post(
        "/oauth/token", data=form, auth=auth, headers={"X-Request-ID": f"tok-{error}-{status}"}
    )
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert body["status"] == status and body["type"].startswith("/problems/")
    assert "access_token" not in body
    if status == 401 and auth is not None:
        assert response.headers["www-authenticate"].startswith("Basic")
    rows = [r for r in stack.audit_rows() if r["request_id"] == f"tok-{error}-{status}"]
    assert rows and rows[-1]["decision"] == "deny" and rows[-1]["action"] == "token.issue"


def test_an_oversized_token_request_is_refused(stack: Stack) -> None:
    response = stack.http.post(
        "/oauth/token", data={"grant_type": "client_credentials", "pad": "x" * 10_000}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"


def test_a_token_request_that_is_not_a_form_is_refused(stack: Stack) -> None:
    response = stack.http.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_client_secret_post_also_works_and_tokens_are_rfc9068(stack: Stack) -> None:
    issued = stack.credentials["health-dispatch"]
    response = stack.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": issued.client_id,
            "client_secret": issued.client_secret,
        },
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    token = response.json()
    assert (token["token_type"], token["scope"], token["expires_in"]) == (
        "Bearer",
        "streams:read",
        900,
    )
    header_b64, claims_b64, _ = token["access_token"].split(".")
    import json

    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
    claims = json.loads(base64.urlsafe_b64decode(claims_b64 + "=="))
    assert header["typ"] == "at+jwt" and header["alg"] == "RS256" and header["kid"]
    assert {
        "iss",
        "aud",
        "sub",
        "client_id",
        "agency",
        "scope",
        "exp",
        "iat",
        "jti",
    } <= claims.keys()
    assert (claims["sub"], claims["agency"], claims["aud"]) == (
        "health-dispatch",
        "health",
        "linkage",
    )
    jwks = stack.http.get("/.well-known/jwks.json").json()
    assert [k["kid"] for k in jwks["keys"]] == [header["kid"]]
    assert "d" not in jwks["keys"][0], "the private exponent never leaves the key file"
    metadata = stack.http.get("/.well-known/oauth-authorization-server").json()
    assert metadata["token_endpoint"].endswith("/oauth/token")


def test_an_unwritable_audit_log_refuses_the_read_with_503(stack: Stack) -> None:
    headers = stack.bearer("health-dispatch")
    engine = stack.http.app.state.runtime.engine
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log RENAME TO audit_log_away"))
    try:
        response = stack.http.get("/v1/streams/meteorology.warning/events", headers=headers)
        body = _problem(response, 503)
        assert body["title"] == "Audit log unavailable"
        assert "events" not in body
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_log_away RENAME TO audit_log"))
    assert (
        stack.http.get("/v1/streams/meteorology.warning/events", headers=headers).status_code == 200
    )


def test_an_unexpected_failure_is_a_500_problem_without_internals(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internal detail")

    # A bug in our own code, not a Kafka fault: the reader stays real.
    monkeypatch.setattr("hub.gateway.routes.streams.read_page", explode)
    response = stack.http.get(
        "/v1/streams/meteorology.warning/events",
        headers={**stack.bearer("health-dispatch"), "X-Request-ID": "boom-1"},
    )
    body = _problem(response, 500)
    assert "secret internal detail" not in response.text
    assert body["request_id"] == "boom-1" and response.headers["x-request-id"] == "boom-1"
