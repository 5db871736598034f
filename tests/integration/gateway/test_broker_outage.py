"""When Kafka goes away the gateway says so (503), quickly, and the audit row says so too."""

from __future__ import annotations

import time

import pytest

from tests.utils.stack import gateway_stack

pytestmark = pytest.mark.kafka


def test_a_broker_outage_is_a_prompt_503_problem_and_audited(tmp_path) -> None:
    with gateway_stack(tmp_path) as stack:
        headers = {**stack.bearer("health-dispatch"), "X-Request-ID": "during-outage"}
        assert (
            stack.http.get("/v1/streams/meteorology.warning/events", headers=headers).status_code
            == 200
        )
        stack.broker.stop()
        # kafka-python pipelines its next fetch, so one read may still be answered from a
        # response that arrived just before the stop; the one after must be a 503.
        statuses = []
        started = time.monotonic()
        for _ in range(3):
            response = stack.http.get("/v1/streams/meteorology.warning/events", headers=headers)
            statuses.append(response.status_code)
            if response.status_code == 503:
                break
        elapsed = time.monotonic() - started
        assert statuses[-1] == 503 and len(statuses) <= 2, statuses
        assert response.json()["title"] == "Event bus unavailable"
        assert elapsed < 15, "bounded by the read and connect timeouts, not the 30 s defaults"
        rows = [r for r in stack.audit_rows() if r["request_id"] == "during-outage"]
        assert [(r["decision"], r["status"]) for r in rows][-1] == ("allow", 503)
        assert "not served" in rows[-1]["reason"]
