"""Every bad input gets a clear 4xx problem; broken dependencies a 503; never a traceback."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from hub.errors import ConfigError
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
        ("cursor=%25%25", "the cursor is not valid for this request"),
        ("severity_at_least=V", "query.severity_at_least"),
        ("bbox=1,2,3", "query.bbox"),
        ("bbox=10,50,5,60", "west <= east"),
        ("district=44031", "query.district.0: String should match pattern"),
        ("since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", "until must be later"),
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
    assert entry["classification"] == "required"
    routine = {s["id"]: s["classification"] for s in health["streams"]}
    assert routine["health.hospital-capacity"] == "optional", "events may carry no category"
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
        "streams:publish streams:read",
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
    engine = stack.services.engine
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


@pytest.mark.parametrize(
    "failure",
    [
        RuntimeError("secret internal detail"),
        # A fault of the hub's set-up is the operator's to read in the log, not the caller's.
        ConfigError("secret internal detail: no hash key at /srv/keys/x.key"),
    ],
)
def test_an_unexpected_failure_is_a_500_problem_without_internals(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    def explode(*_args, **_kwargs):
        raise failure

    # A bug in our own code, not a database fault: the archive stays real.
    monkeypatch.setattr(stack.services.events, "stream_page", explode)
    response = stack.http.get(
        "/v1/streams/meteorology.warning/events",
        headers={**stack.bearer("health-dispatch"), "X-Request-ID": "boom-1"},
    )
    body = _problem(response, 500)
    assert "secret internal detail" not in response.text
    assert body["request_id"] == "boom-1" and response.headers["x-request-id"] == "boom-1"


def test_a_cursor_cannot_be_forged_altered_or_used_elsewhere(stack: Stack) -> None:
    health, meteorology = stack.bearer("health-dispatch"), stack.bearer("meteorology-feed")
    url = "/v1/streams/meteorology.warning/events"
    made = stack.http.get(url, params={"limit": 1}, headers=health)
    assert made.status_code == 200, made.text
    cursor = made.json()["next"]
    body, _, mac = cursor.partition(".")
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    for params, headers in [
        ({"cursor": f"{flipped}.{mac}"}, health),  # altered
        ({"cursor": f"{body}.{'A' * len(mac)}"}, health),  # forged seal
        ({"cursor": "eyJ2IjoyLCJwIjo5OTk5OTk5fQ"}, health),  # no seal at all
        ({"cursor": cursor, "district": "440311"}, health),  # another filter
        ({"cursor": cursor}, meteorology),  # another agency
    ]:
        started = time.monotonic()
        response = stack.http.get(url, params=params, headers=headers)
        assert "the cursor is not valid for this request" in _problem(response, 422)["detail"]
        assert time.monotonic() - started < 3
    other = stack.http.get(
        "/v1/streams/emergency.incident-report/events", params={"cursor": cursor}, headers=health
    )
    assert other.status_code in (403, 422), "a cursor of one stream does not page another"


def test_refusals_after_authorization_are_audited(stack: Stack) -> None:
    headers = {**stack.bearer("health-dispatch"), "X-Request-ID": "too-many-1"}
    _problem(
        stack.http.get("/v1/streams/meteorology.warning/events?limit=5000", headers=headers), 422
    )
    (row,) = [r for r in stack.audit_rows() if r["request_id"] == "too-many-1"]
    assert (row["decision"], row["status"]) == ("allow", 422)
    assert "not served: limit must be at most 1000" in row["reason"]
    issued = stack.credentials["meteorology-feed"]
    bad_body = stack.http.post(
        "/registry/subjects/meteorology.x.v1-value/versions",
        auth=(issued.client_id, issued.client_secret),
        headers={"Content-Type": "application/json", "X-Request-ID": "bad-body-1"},
        content=b"{nope",
    )
    assert bad_body.status_code == 422
    (row,) = [r for r in stack.audit_rows() if r["request_id"] == "bad-body-1"]
    assert (row["decision"], row["status"]) == ("allow", 422)
    assert row["reason"].startswith("scope registry:write on meteorology.x.v1-value; not served: ")
    assert "the request body is not JSON" in row["reason"]


def test_a_database_failure_while_decoding_is_503_and_loses_nothing(tmp_path) -> None:
    from connectors.meteorology_cap import CapWarningConnector

    with gateway_stack(tmp_path) as fresh:
        data = Path(__file__).resolve().parents[2] / "data" / "cap-made"
        assert fresh.run(CapWarningConnector(data)).published == 3
        headers = fresh.bearer("health-dispatch")
        engine = fresh.services.engine
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE registry_schemas RENAME TO registry_schemas_away"))
        try:
            response = fresh.http.get("/v1/streams/meteorology.warning/events", headers=headers)
            assert _problem(response, 503)["title"] == "Database unavailable"
        finally:
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE registry_schemas_away RENAME TO registry_schemas"))
        page = fresh.http.get("/v1/streams/meteorology.warning/events", headers=headers).json()
        assert page["count"] == 3 and "skipped" not in page


def test_garbage_on_a_topic_is_dead_lettered_by_the_archiver_not_fatal(stack: Stack) -> None:
    topic = "health.hospital-capacity.v1"
    junk = [
        b"\x01not framed",
        b"\x00\x00\x00\x03\xe7unknown schema id",
        b"\x00\x00\x00\x00\x01\xff\xff",
    ]
    publisher = stack.hub.bus.publisher()
    for value in junk:
        publisher.send(topic, value).result(10)
    publisher.close()
    stack.archived()
    page = stack.http.get(
        "/v1/streams/health.hospital-capacity/events", headers=stack.bearer("health-dispatch")
    ).json()
    assert page["count"] == 0 and page["more"] is False
    reader = stack.hub.bus.reader(pool_size=1)
    try:
        dead = reader.read(f"{topic}.dlq", positions={}, limit=100).records
    finally:
        reader.close()
    archived = [r for r in dead if dict(r.headers).get("rejected-by") == b"archiver"]
    assert sorted(r.value for r in archived) == sorted(junk), "the original bytes, unchanged"
    for record in archived:
        headers = dict(record.headers)
        assert headers["reason"].startswith(b"not archived: ")
        assert headers["source"].startswith(f"{topic}[0]@".encode())
    assert stack.archiving.alive


def test_a_client_over_its_rate_gets_429_with_retry_after_and_it_is_audited(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.gateway.rate_limit import RateLimiter

    headers = stack.bearer("health-dispatch")
    monkeypatch.setattr(stack.services, "limits", RateLimiter(rate_per_s=0.5, burst=3))
    statuses = [
        stack.http.get("/v1/streams", headers={**headers, "X-Request-ID": f"rate-{i}"}).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = stack.http.get("/v1/streams", headers={**headers, "X-Request-ID": "rate-4"})
    body = _problem(refused, 429)
    assert body["title"] == "Too many requests" and int(refused.headers["retry-after"]) >= 1
    other = stack.http.get("/v1/streams", headers=stack.bearer("emergency-console"))
    assert other.status_code == 200, "each client has its own bucket"
    monkeypatch.undo()
    (row,) = [r for r in stack.audit_rows() if r["request_id"] == "rate-4"]
    assert (row["decision"], row["status"]) == ("deny", 429)
