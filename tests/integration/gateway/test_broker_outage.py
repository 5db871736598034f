"""History comes from the archive: a broker outage does not stop reads, and the archiver
waits the outage out instead of dying."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.emergency_reports import IncidentReportConnector
from tests.utils.stack import gateway_stack

pytestmark = pytest.mark.kafka
SAMPLES = Path(__file__).resolve().parents[3] / "connectors" / "samples"


def test_history_is_served_from_the_archive_while_the_broker_is_down(tmp_path: Path) -> None:
    with gateway_stack(tmp_path) as stack:
        assert stack.run(IncidentReportConnector(SAMPLES / "incidents.csv")).published == 2
        headers = {**stack.bearer("emergency-console"), "X-Request-ID": "during-outage"}
        before = stack.http.get("/v1/streams/emergency.incident-report/events", headers=headers)
        assert before.status_code == 200 and before.json()["count"] == 2
        stack.broker.stop()
        during = stack.http.get("/v1/streams/emergency.incident-report/events", headers=headers)
        assert during.status_code == 200, during.text
        assert during.json()["events"] == before.json()["events"]
        assert stack.archiving.alive, "the archiver waits for the broker, it does not stop"
        rows = [r for r in stack.audit_rows() if r["request_id"] == "during-outage"]
        assert [(r["decision"], r["status"], r["records"]) for r in rows] == [
            ("allow", 200, 2),
            ("allow", 200, 2),
        ]
