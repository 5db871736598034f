"""The policy through the gateway, on a policy of the test's own: masked values never
leave, filtered rows never leave, purposes are enforced, emergencies open and close
access, and every emergency read is listed for review."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connectors.emergency_reports import IncidentReportConnector
from hub.gateway.auth.clients import ClientStore
from hub.identity import AUDIT_READ, AUDIT_REVIEW, STREAMS_READ
from hub.store.models import AuditRow, EmergencyRow
from tests.utils.policies import policy_folder
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka
ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "connectors" / "samples"
RULES = """
grants:
  - id: health-reads-incidents
    reader: health
    stream: emergency.incident-report
    purposes: [response, planning]
    masks:
      - {path: reporter_phone, method: partial, keep: last, chars: 4}
    why: ambulance dispatch needs counts and places, not callers
  - id: public-security-reads-grave-incidents-elsewhere
    reader: public-security
    stream: emergency.incident-report
    purposes: [response]
    filter: {districts: ["440305"]}
    why: the Nanshan police post follows incidents in its own district
  - id: commerce-reads-incidents-in-emergencies
    reader: commerce
    stream: emergency.incident-report
    purposes: [dispatch]
    emergency:
      categories: [ACCIDENT_DISASTER, NATURAL_DISASTER]
      level_at_least: II
      max_duration: P3D
    why: relief supplies go where a declared emergency is
"""
# The secrets of the sample incident reports (connectors/samples/incidents.csv).
SECRETS = ("Zhang Wei", "13800000000", "Hengtaiyu")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = policy_folder(tmp_path_factory.mktemp("policies"), RULES)
    with gateway_stack(tmp_path_factory.mktemp("hub"), policies_dir=folder) as running:
        running.credentials["public-security-unit"] = ClientStore(running.sessions).ensure(
            client_id="public-security-unit",
            agency="public-security",
            scopes=frozenset({STREAMS_READ}),
        )
        running.credentials["commerce-auditor"] = ClientStore(running.sessions).ensure(
            client_id="commerce-auditor",
            agency="commerce",
            scopes=frozenset({AUDIT_READ, AUDIT_REVIEW}),
        )
        assert running.run(IncidentReportConnector(SAMPLES / "incidents.csv")).published == 2
        yield running


def read(stack: Stack, client: str, headers: dict[str, str] | None = None, **params: Any):
    request_id = uuid.uuid4().hex
    headers = {**stack.bearer(client), "X-Request-ID": request_id, **(headers or {})}
    response = stack.http.get(
        "/v1/streams/emergency.incident-report/events", params=params, headers=headers
    )
    return response, row_of(stack, request_id)


def row_of(stack: Stack, request_id: str) -> AuditRow:
    with stack.services.sessions() as session:
        (row,) = session.scalars(select(AuditRow).where(AuditRow.request_id == request_id))
        return row


def test_masked_values_never_leave_the_gateway(stack: Stack) -> None:
    response, row = read(stack, "health-dispatch", purpose="response")
    assert response.status_code == 200, response.text
    for secret in SECRETS:
        assert secret not in response.text
    first = response.json()["events"][0]["event"]
    assert first["reporter_phone"] == "*******0000", "the last four, as the grant says"
    assert first["reporter_name"] is None, "pii is redacted by default"
    assert first["address"] == "光明区 (440311)"
    assert first["envelope"]["area"]["point"] == {"lat": 22.75, "lon": 113.92}
    assert (row.decision, row.grant_id, row.purpose) == (
        "allow",
        "health-reads-incidents",
        "response",
    )
    assert row.policy_version == stack.services.policies.current.version
    assert set((row.masked or "").split(",")) >= {
        "reporter_phone:partial",
        "reporter_name:redact",
        "address:coarsen",
        "envelope.area.point:coarsen",
    }
    assert row.records == 2 and not row.review_required


def test_a_purpose_must_be_one_the_grant_names(stack: Stack) -> None:
    missing, row = read(stack, "health-dispatch")
    assert missing.status_code == 403
    assert (
        "name one grant health-reads-incidents allows: response, planning"
        in missing.json()["detail"]
    )
    assert row.decision == "deny"
    wrong, row = read(stack, "health-dispatch", purpose="curiosity")
    assert wrong.status_code == 403 and "allows: response, planning" in wrong.json()["detail"]
    assert (row.decision, row.purpose) == ("deny", "curiosity")
    by_header, row = read(stack, "health-dispatch", headers={"Linkage-Purpose": "planning"})
    assert by_header.status_code == 200 and row.purpose == "planning"
    both, _ = read(
        stack, "health-dispatch", purpose="response", headers={"Linkage-Purpose": "planning"}
    )
    assert both.status_code == 422
    single, row = read(stack, "public-security-unit")  # see the fixture below
    assert single.status_code == 200 and row.purpose == "response", "one purpose: the default"


def test_a_filtered_row_never_leaves_and_is_not_counted(stack: Stack) -> None:
    response, row = read(stack, "public-security-unit")
    body = response.json()
    assert (body["count"], body["events"], body["more"]) == (0, [], False)
    assert "EMB-20151220" not in response.text
    assert row.records == 0 and row.decision == "allow"


def test_the_catalogue_entry_says_what_the_caller_sees(stack: Stack) -> None:
    entry = stack.http.get(
        "/v1/streams/emergency.incident-report",
        params={"purpose": "planning"},
        headers=stack.bearer("health-dispatch"),
    ).json()
    access = entry["access"]
    assert (access["grant"], access["purpose"], access["purposes"]) == (
        "health-reads-incidents",
        "planning",
        ["response", "planning"],
    )
    assert "reporter_phone:partial" in access["masked"]


def declare(stack: Stack, **body: object) -> dict:
    declaration = {
        "category": "ACCIDENT_DISASTER",
        "level": "II",
        "districts": ["440311"],
        "title": "Guangming landslide",
        "reason": "spoil buried an industrial park",
        **body,
    }
    response = stack.http.post(
        "/v1/emergencies", json=declaration, headers=stack.bearer("emergency-console")
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_an_emergency_opens_the_emergency_grant_until_it_is_closed(stack: Stack) -> None:
    before, _ = read(stack, "commerce-supplies")
    assert before.status_code == 403 and "no matching emergency" in before.json()["detail"]
    # An emergency serves its own records only: not another district's, nor another kind's.
    for other in ({"districts": ["440303"]}, {"category": "NATURAL_DISASTER"}):
        elsewhere = declare(stack, **other)
        outside, outside_row = read(stack, "commerce-supplies")
        assert outside.status_code == 200 and outside.json()["count"] == 0, other
        assert not outside_row.review_required, "nothing served, nothing to review"
        stack.http.post(
            f"/v1/emergencies/{elsewhere['id']}/close", headers=stack.bearer("emergency-console")
        )
    declared = declare(stack)
    assert (declared["state"], declared["level"]) == ("active", "II")
    during, row = read(stack, "commerce-supplies")
    assert during.status_code == 200, during.text
    assert during.json()["count"] == 2
    for secret in SECRETS:
        assert secret not in during.text, "masks still apply to emergency grants"
    assert (row.emergency_id, row.review_required) == (declared["id"], True)
    looked = stack.http.get(
        "/v1/streams/emergency.incident-report",
        headers={**stack.bearer("commerce-supplies"), "X-Request-ID": "catalogue-look"},
    )
    assert not row_of(stack, "catalogue-look").review_required, "an entry shows no one's data"
    entry = looked.json()
    (scope,) = entry["access"]["emergency_scope"]
    assert (scope["emergency"], scope["category"], scope["districts"]) == (
        declared["id"],
        "ACCIDENT_DISASTER",
        ["440311"],
    )
    assert datetime.fromisoformat(scope["published_since"]) < datetime.now(UTC)
    open_reviews = stack.http.get("/v1/reviews", headers=stack.bearer("audit-office")).json()
    mine = [r for r in open_reviews["reviews"] if r["audit_id"] == row.id]
    assert mine and mine[0]["emergency_id"] == declared["id"] and mine[0]["records"] == 2
    own = stack.http.post(
        f"/v1/reviews/{row.id}",
        json={"verdict": "justified", "comment": "we needed it"},
        headers=stack.bearer("commerce-auditor"),
    )
    assert own.status_code == 403 and "reviewer's own agency" in own.json()["detail"]
    verdict = stack.http.post(
        f"/v1/reviews/{row.id}",
        json={"verdict": "justified", "comment": "relief supplies were dispatched"},
        headers=stack.bearer("audit-office"),
    )
    assert verdict.status_code == 200 and verdict.json()["verdict"] == "justified"
    again = stack.http.post(
        f"/v1/reviews/{row.id}",
        json={"verdict": "unjustified"},
        headers=stack.bearer("audit-office"),
    )
    assert again.status_code == 409
    closed_ids = {
        r["audit_id"]
        for r in stack.http.get(
            "/v1/reviews", params={"state": "closed"}, headers=stack.bearer("audit-office")
        ).json()["reviews"]
    }
    assert row.id in closed_ids
    close = stack.http.post(
        f"/v1/emergencies/{declared['id']}/close", headers=stack.bearer("emergency-console")
    )
    assert close.status_code == 200 and close.json()["state"] == "closed"
    after, _ = read(stack, "commerce-supplies")
    assert after.status_code == 403, "closed: the grant is off at once"
    twice = stack.http.post(
        f"/v1/emergencies/{declared['id']}/close", headers=stack.bearer("emergency-console")
    )
    assert twice.status_code == 409


def test_a_lesser_or_expired_emergency_opens_nothing(stack: Stack) -> None:
    lesser = declare(stack, level="III")
    response, _ = read(stack, "commerce-supplies")
    assert response.status_code == 403
    stack.http.post(
        f"/v1/emergencies/{lesser['id']}/close", headers=stack.bearer("emergency-console")
    )
    now = datetime.now(UTC)
    with stack.services.sessions.begin() as session:
        session.add(
            EmergencyRow(
                id=str(uuid.uuid4()),
                category="ACCIDENT_DISASTER",
                level="I",
                districts='["440311"]',
                title="long over",
                reason="a test",
                declared_by="emergency-console",
                agency="emergency",
                declared_at=now - timedelta(days=5),
                expires_at=now - timedelta(days=2),
            )
        )
    stack.services.emergencies._forget()  # as a declaration or close does
    response, _ = read(stack, "commerce-supplies")
    assert response.status_code == 403
    listed = stack.http.get("/v1/emergencies", headers=stack.bearer("health-dispatch")).json()
    assert "expired" in {e["state"] for e in listed["emergencies"]}


def test_only_the_emergency_bureau_declares(stack: Stack) -> None:
    body = {"category": "NATURAL_DISASTER", "level": "I", "title": "x-storm", "reason": "a test"}
    no_scope = stack.http.post(
        "/v1/emergencies", json=body, headers=stack.bearer("health-dispatch")
    )
    assert no_scope.status_code == 403 and "emergency:declare" in no_scope.json()["detail"]
    bad = stack.http.post(
        "/v1/emergencies",
        json={**body, "level": "V", "districts": ["44"]},
        headers=stack.bearer("emergency-console"),
    )
    assert bad.status_code == 422
    too_long = stack.http.post(
        "/v1/emergencies",
        json={**body, "duration_hours": 5000},
        headers=stack.bearer("emergency-console"),
    )
    assert too_long.status_code == 422 and "at most 720 hours" in too_long.json()["detail"]


def test_a_policy_edit_is_picked_up_by_the_watch(tmp_path: Path) -> None:
    folder = policy_folder(tmp_path / "policies", "grants: []\n")
    with gateway_stack(tmp_path / "hub", policies_dir=folder, watch_s=0.2) as running:
        first = running.services.policies.current.version
        denied = running.http.get(
            "/v1/streams/emergency.incident-report", headers=running.bearer("health-dispatch")
        )
        assert denied.status_code == 403
        (folder / "rules.yaml").write_text(RULES, encoding="utf-8")
        deadline = time.monotonic() + 30
        while running.services.policies.current.version == first and time.monotonic() < deadline:
            time.sleep(0.1)
        allowed = running.http.get(
            "/v1/streams/emergency.incident-report",
            params={"purpose": "response"},
            headers=running.bearer("health-dispatch"),
        )
        assert allowed.status_code == 200
        (folder / "rules.yaml").write_text("grants: [{id: broken\n", encoding="utf-8")
        time.sleep(1.0)
        still = running.http.get(
            "/v1/streams/emergency.incident-report",
            params={"purpose": "response"},
            headers=running.bearer("health-dispatch"),
        )
        assert still.status_code == 200, "a bad file keeps the policy in force"
