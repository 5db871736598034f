"""Paging through a stream a row filter thins out: every kept record once, none twice."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.emergency_reports import IncidentReportConnector
from hub.gateway.auth.clients import ClientStore
from hub.identity import STREAMS_READ
from tests.utils.policies import policy_folder
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka
ROOT = Path(__file__).resolve().parents[3]
RULES = """
grants:
  - id: nanshan-post-reads-its-incidents
    reader: public-security
    stream: emergency.incident-report
    filter: {districts: ["440305"]}
    why: the Nanshan police post follows incidents in its own district
"""
# Nanshan (440305) and Guangming (440311) reports, interleaved unevenly so that pages fill
# in the middle of a batch the gateway read.
DISTRICTS = ["440305", "440311", "440305", "440305", "440311", "440311", "440305", "440311"]
DISTRICTS += ["440305", "440305", "440311", "440305"]
COLUMNS = ["report_id", "occurred_at", "title", "description", "status", "reported_by"]
COLUMNS += ["district_code", "category", "severity"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = policy_folder(tmp_path_factory.mktemp("policies"), RULES)
    reports = tmp_path_factory.mktemp("reports") / "reports.csv"
    with reports.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n, district in enumerate(DISTRICTS):
            when = f"2026-07-01T08:{n:02d}:00+08:00"
            head = [f"R-{n:02d}", when, f"report {n}", "a test", "REPORTED", "duty office"]
            writer.writerow([*head, district, "ACCIDENT_DISASTER", "III"])
    with gateway_stack(tmp_path_factory.mktemp("hub"), policies_dir=folder) as running:
        running.credentials["nanshan-post"] = ClientStore(running.sessions).ensure(
            client_id="nanshan-post",
            agency="public-security",
            scopes=frozenset({STREAMS_READ}),
        )
        assert running.run(IncidentReportConnector(reports)).published == len(DISTRICTS)
        yield running


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_pages_of_a_filtered_stream_hold_every_kept_record_once(stack: Stack, limit: int) -> None:
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(len(DISTRICTS) + 2):
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = stack.http.get(
            "/v1/streams/emergency.incident-report/events",
            params=params,
            headers=stack.bearer("nanshan-post"),
        ).json()
        assert page["count"] <= limit
        seen += [e["event"]["report_id"] for e in page["events"]]
        cursor = page["next"]
        if not page["more"]:
            break
    wanted = [f"R-{n:02d}" for n, d in enumerate(DISTRICTS) if d == "440305"]
    assert seen == wanted
