"""The auditor's read and export: every filter, cursors, and files of any size whose
rows still prove themselves."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

import orjson
import pytest

from hub.tlog.canonical import FIELDS, canonical
from hub.tlog.merkle import leaf_hash
from tests.utils.audit import entry
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka
BULK = 2_500


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with gateway_stack(tmp_path_factory.mktemp("hub")) as running:
        writer = running.services.audit
        for n in range(BULK):
            writer.submit(
                entry(
                    n,
                    agency="health" if n % 3 else "commerce",
                    decision="deny" if n % 10 == 0 else "allow",
                    purpose="response" if n % 2 else None,
                    emergency_id="e-1,e-2" if n == 7 else None,
                    client_id='=HYPERLINK("x")' if n == 11 else "health-app",
                )
            )
        writer.record(entry(BULK, request_id="last"))
        yield running


def rows(stack: Stack, **params: str | int) -> list[dict]:
    response = stack.http.get("/v1/audit", params=params, headers=stack.bearer("audit-office"))
    assert response.status_code == 200, response.text
    return response.json()["entries"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"agency": "commerce", "limit": 1000}, lambda r: r["agency"] == "commerce"),
        ({"decision": "deny", "limit": 1000}, lambda r: r["decision"] == "deny"),
        ({"purpose": "response", "limit": 5}, lambda r: r["purpose"] == "response"),
        ({"request_id": "r42"}, lambda r: r["request_id"] == "r42"),
        ({"emergency_id": "e-2"}, lambda r: r["request_id"] == "r7"),
        ({"client_id": "health-app", "action": "events.read", "limit": 3}, lambda r: True),
    ],
)
def test_each_filter_keeps_only_its_rows(stack: Stack, params: dict, expected) -> None:
    found = rows(stack, **params)
    assert found and all(expected(r) for r in found)


def test_a_time_range_needs_a_zone_and_bounds_the_rows(stack: Stack) -> None:
    auditor = stack.bearer("audit-office")
    naive = stack.http.get("/v1/audit", params={"since": "2026-12-01T08:00:00"}, headers=auditor)
    assert naive.status_code == 422 and "time zone" in naive.json()["detail"]
    middle = rows(stack, after=999, limit=1)[0]["at"]
    later = rows(stack, since=middle, limit=1000)
    assert later and all(r["at"] >= middle for r in later)
    earlier = rows(stack, until=middle, limit=1000)
    assert earlier and all(r["at"] < middle for r in earlier)


def test_pages_follow_their_next_link_in_seq_order(stack: Stack) -> None:
    auditor = stack.bearer("audit-office")
    page = stack.http.get("/v1/audit", params={"limit": 400, "decision": "allow"}, headers=auditor)
    seen = []
    while True:
        body = page.json()
        seen += [r["seq"] for r in body["entries"]]
        if not body["next"]:
            break
        assert "decision=allow" in body["next"]
        page = stack.http.get(body["next"], headers=auditor)
    assert seen == sorted(seen) and len(seen) == len(set(seen)) > 2_000


def test_an_export_streams_every_row_and_each_row_proves_itself(stack: Stack) -> None:
    response = stack.http.get(
        "/v1/audit/export", params={"format": "jsonl"}, headers=stack.bearer("audit-office")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [orjson.loads(line) for line in response.content.splitlines()]
    assert len(lines) == int(response.headers["x-audit-rows"]) > BULK
    assert lines[-1]["seq"] == int(response.headers["x-audit-upto"])
    assert [r["seq"] for r in lines] == list(range(len(lines)))
    for line in lines[:50] + lines[-50:]:
        stored = {name: line[name] for name in FIELDS}
        stored["at"] = datetime.fromisoformat(line["at"])
        stored["masked"] = ",".join(line["masked"]) or None
        assert leaf_hash(canonical(stored)).hex() == line["leaf_hash"]


def test_a_csv_export_is_safe_to_open_in_a_spreadsheet(stack: Stack) -> None:
    response = stack.http.get(
        "/v1/audit/export",
        params={"format": "csv", "agency": "commerce"},
        headers=stack.bearer("audit-office"),
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="audit-' in response.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == int(response.headers["x-audit-rows"])
    assert {r["agency"] for r in table} == {"commerce"}
    hostile = next(
        r
        for r in stack.http.get(
            "/v1/audit/export",
            params={"format": "csv", "request_id": "r11"},
            headers=stack.bearer("audit-office"),
        ).text.splitlines()[1:]
    )
    assert "'=HYPERLINK" in hostile, "a formula is kept as text"


def test_only_auditors_read_or_export(stack: Stack) -> None:
    health = stack.bearer("health-dispatch")
    assert stack.http.get("/v1/audit/export", headers=health).status_code == 403
    assert stack.http.get("/v1/audit", headers=health).status_code == 403
