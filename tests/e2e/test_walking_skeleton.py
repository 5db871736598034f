"""The whole path: a connector publishes, an allowed agency reads, everyone else is refused,
and every decision is in the audit log. Real broker, real database, real tokens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.emergency_reports import IncidentReportConnector
from connectors.meteorology_cap import CapWarningConnector
from tests.utils import tokens
from tests.utils.stack import Stack, stack_on

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = Path(__file__).resolve().parents[2] / "connectors" / "samples"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with stack_on(request, tmp_path_factory, "hub") as running:
        report = running.run(CapWarningConnector(DATA / "cap-made"))
        # broken.xml is rejected; the three good alerts are published.
        assert report.published == 3
        assert [r.ref for r in report.rejected] == ["broken.xml"]
        yield running


def _events(stack: Stack, client: str, stream: str, **params: Any) -> dict:
    response = stack.http.get(
        f"/v1/streams/{stream}/events", params=params, headers=stack.bearer(client)
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_allowed_agency_reads_the_published_warning_with_its_fields(stack: Stack) -> None:
    page = _events(stack, "health-dispatch", "meteorology.warning", limit=10)
    warnings = {e["event"]["identifier"]: e["event"] for e in page["events"]}
    orange = warnings["44030041600000_20260615093000_1"]
    assert orange["envelope"]["source_agency"] == "meteorology"
    assert orange["envelope"]["area"]["district_code"] == "440311"
    assert orange["envelope"]["severity"] == "II"
    assert orange["envelope"]["occurred_at"] == "2026-06-15T01:30:00+00:00", "when it took effect"
    assert orange["signal"] == {"kind": "rainstorm", "code": "11B03", "color": "ORANGE"}
    assert [i["language"] for i in orange["info"]] == ["zh-CN", "en-US"]
    assert orange["info"][0]["headline"] == "深圳市气象台发布光明区暴雨橙色预警信号"
    cancel = warnings["44030041600000_20260615160000_2"]
    assert cancel["msg_type"] == "Cancel"
    assert cancel["envelope"]["severity"] is None
    assert cancel["references"] == [
        "深圳市气象台,44030041600000_20260615093000_1,2026-06-15T09:30:00+08:00"
    ]


def test_pages_follow_the_cursor_oldest_first_without_gaps(stack: Stack) -> None:
    first = _events(stack, "health-dispatch", "meteorology.warning", limit=2)
    second = _events(stack, "health-dispatch", "meteorology.warning", limit=2, cursor=first["next"])
    offsets = [e["offset"] for e in first["events"] + second["events"]]
    assert offsets == sorted(offsets)
    assert len(set(offsets)) == len(offsets) >= 3
    end = _events(stack, "health-dispatch", "meteorology.warning", limit=50, cursor=second["next"])
    assert end["count"] == 0 or end["events"][0]["offset"] > offsets[-1]


def test_agency_without_a_grant_is_forbidden(stack: Stack) -> None:
    response = stack.http.get(
        "/v1/streams/meteorology.warning/events", headers=stack.bearer("commerce-supplies")
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "no grant lets commerce read meteorology.warning"
    assert "events" not in response.json()


def test_owner_reads_its_own_stream_and_grants_are_per_stream(stack: Stack) -> None:
    assert _events(stack, "meteorology-feed", "meteorology.warning")["count"] >= 3
    response = stack.http.get(
        "/v1/streams/emergency.incident-report/events", headers=stack.bearer("meteorology-feed")
    )
    assert response.status_code == 403


def test_incident_reports_flow_to_the_agencies_granted_them(stack: Stack) -> None:
    report = stack.run(IncidentReportConnector(SAMPLES / "incidents.csv"))
    assert report.published == 2
    assert report.rejected[0].ref == "incidents.csv:4"
    response = stack.http.get(
        "/v1/streams/emergency.incident-report/events", headers=stack.bearer("health-dispatch")
    )
    page = response.json()
    first = page["events"][0]["event"]
    assert first["report_id"] == "EMB-20151220-001"
    assert first["envelope"]["incident_id"] == "INC-2015-GM-01"
    # Health sees where and how bad, not who called: the point at Guangming's centroid.
    assert first["envelope"]["area"]["point"] == {"lat": 22.75, "lon": 113.92}
    assert first["reporter_name"] is None and first["reporter_phone"] is None
    for secret in ("Zhang Wei", "13800000000", "Hengtaiyu", "22.77", "113.93"):
        assert secret not in response.text, f"{secret} reached a reader it is masked from"
    own = _events(stack, "emergency-console", "emergency.incident-report")["events"][0]["event"]
    assert own["reporter_name"] == "Zhang Wei", "the owner sees its own data in clear"
    assert own["envelope"]["area"]["point"] == {"lat": 22.77, "lon": 113.93}
    assert page["events"][1]["event"]["casualties"] == {
        "deaths": 0,
        "injured": 7,
        "missing": 20,
        "trapped": 0,
    }


@pytest.mark.parametrize(
    ("make_headers", "reason"),
    [
        (lambda s: {}, "no bearer token was sent"),
        (
            lambda s: {"Authorization": "Basic abc"},
            "the Authorization header is not a bearer token",
        ),
        (
            lambda s: {"Authorization": f"Bearer {tokens.foreign()}"},
            "token signature does not verify with the gateway's keys",
        ),
        (
            lambda s: {
                "Authorization": f"Bearer {tokens.signed(s.settings.auth.key_dir, exp=int(time.time()) - 60)}"
            },
            "token has expired",
        ),
        (
            lambda s: {"Authorization": f"Bearer {tokens.unsigned()}"},
            "token algorithm is not accepted",
        ),
        (lambda s: {"Authorization": "Bearer not.a.jwt"}, "token is not a well-formed JWT"),
        (
            lambda s: {
                "Authorization": f"Bearer {tokens.signed(s.settings.auth.key_dir, header={'alg': 'RS256', 'typ': 'JWT'})}"
            },
            "token is not an access token (typ must be at+jwt)",
        ),
        (
            lambda s: {
                "Authorization": f"Bearer {tokens.signed(s.settings.auth.key_dir, iss='https://elsewhere')}"
            },
            "token was issued by another issuer",
        ),
        (
            lambda s: {
                "Authorization": f"Bearer {tokens.signed(s.settings.auth.key_dir, aud='other-api')}"
            },
            "token is meant for another audience",
        ),
        (
            lambda s: {
                "Authorization": f"Bearer {tokens.signed(s.settings.auth.key_dir, jti=None)}"
            },
            "token lacks the jti claim",
        ),
        (
            lambda s: {
                "Authorization": f"Bearer {tokens.signed(s.settings.auth.key_dir, agency=None)}"
            },
            "token names no agency",
        ),
    ],
    ids=[
        "missing",
        "not-bearer",
        "other-key",
        "expired",
        "alg-none",
        "garbage",
        "typ-jwt",
        "wrong-issuer",
        "wrong-audience",
        "no-jti",
        "no-agency",
    ],
)
def test_bad_tokens_are_401_with_a_challenge_and_audited(
    stack: Stack, make_headers, reason: str
) -> None:
    request_id = f"bad-token-{abs(hash(reason)) % 10**8}-{time.monotonic_ns()}"
    response = stack.http.get(
        "/v1/streams/meteorology.warning/events",
        headers={**make_headers(stack), "X-Request-ID": request_id},
    )
    assert response.status_code == 401
    assert response.json()["detail"] == reason
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="linkage"')
    assert ("invalid_token" in challenge) == (reason != "no bearer token was sent")
    rows = [r for r in stack.audit_rows() if r["request_id"] == request_id]
    assert len(rows) == 1
    assert rows[0]["decision"] == "deny"
    assert rows[0]["status"] == 401
    assert rows[0]["reason"] == reason
    assert rows[0]["stream"] == "meteorology.warning"
    assert rows[0]["action"] == "events.read"


def test_audit_log_holds_a_row_for_each_decision(stack: Stack) -> None:
    headers = stack.bearer("health-dispatch")
    allowed = stack.http.get(
        "/v1/streams/meteorology.warning/events?limit=2",
        headers={**headers, "X-Request-ID": "allowed-read-1"},
    )
    denied = stack.http.get(
        "/v1/streams/meteorology.warning/events",
        headers={**stack.bearer("commerce-supplies"), "X-Request-ID": "denied-read-1"},
    )
    anonymous = stack.http.get("/v1/streams", headers={"X-Request-ID": "anonymous-1"})
    assert (allowed.status_code, denied.status_code, anonymous.status_code) == (200, 403, 401)
    assert allowed.headers["x-request-id"] == "allowed-read-1"
    rows = {r["request_id"]: r for r in stack.audit_rows()}
    assert rows["allowed-read-1"]["decision"] == "allow"
    assert rows["allowed-read-1"]["at"].endswith(("+00:00", "Z")), "audit times carry their zone"
    assert rows["allowed-read-1"]["records"] == 2
    assert rows["allowed-read-1"]["client_id"] == "health-dispatch"
    assert rows["allowed-read-1"]["agency"] == "health"
    assert rows["allowed-read-1"]["reason"] == "grant health-reads-weather-warnings"
    assert len(rows["allowed-read-1"]["trace_id"]) == 32
    assert rows["denied-read-1"]["decision"] == "deny"
    assert rows["denied-read-1"]["agency"] == "commerce"
    assert rows["denied-read-1"]["status"] == 403
    assert rows["anonymous-1"]["decision"] == "deny"
    assert rows["anonymous-1"]["client_id"] is None
    issued = [r for r in rows.values() if r["action"] == "token.issue" and r["decision"] == "allow"]
    assert issued, "token issues are audited too"


def test_the_audit_log_needs_the_audit_scope(stack: Stack) -> None:
    response = stack.http.get("/v1/audit", headers=stack.bearer("health-dispatch"))
    assert response.status_code == 403
    assert response.json()["detail"] == "token lacks scope audit:read"
