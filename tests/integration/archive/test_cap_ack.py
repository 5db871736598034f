"""An acknowledgement of a CAP warning, exported as a CAP 1.2 msgType=Ack alert that
references the warning exactly; other events have no CAP form."""

from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml import ElementTree

from connectors.meteorology_cap import CapWarningConnector
from tests.utils.events import incident_report, publish
from tests.utils.stack import gateway_stack

pytestmark = pytest.mark.kafka
DATA = Path(__file__).resolve().parents[2] / "data"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


def test_an_ack_of_a_warning_is_a_cap_ack_referencing_it(tmp_path: Path) -> None:
    with gateway_stack(tmp_path) as stack:
        assert stack.run(CapWarningConnector(DATA / "cap-made")).published > 0
        health = stack.bearer("health-dispatch")
        page = stack.http.get(
            "/v1/streams/meteorology.warning/events", params={"limit": 1}, headers=health
        ).json()
        warning = page["events"][0]["event"]
        event_id = warning["envelope"]["event_id"]
        ack = stack.http.post(
            f"/v1/events/{event_id}/ack",
            json={"status": "acting", "note": "shelters opened"},
            headers=health,
        )
        assert ack.status_code == 201, ack.text
        url = f"/v1/events/{event_id}/acks/{ack.json()['id']}/cap"
        exported = stack.http.get(url, headers=stack.bearer("meteorology-feed"))
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"] == "application/cap+xml"
        alert = ElementTree.fromstring(exported.content)
        text = {e.tag.split("}")[1]: e.text for e in alert}
        assert (text["msgType"], text["status"], text["scope"]) == ("Ack", "Actual", "Restricted")
        assert (
            text["references"] == f"{warning['sender']},{warning['identifier']},{warning['sent']}"
        )
        assert text["note"] == "acting: shelters opened"
        assert text["sender"].startswith("health@")
        assert stack.http.get(url, headers=health).status_code == 403, "not the publisher"
        publish(stack, [incident_report(1)])
        report = incident_report(1)["envelope"]["event_id"]
        mine = stack.http.post(
            f"/v1/events/{report}/ack",
            json={"status": "received"},
            headers=stack.bearer("emergency-console"),
        )
        assert mine.status_code == 201
        not_cap = stack.http.get(
            f"/v1/events/{report}/acks/{mine.json()['id']}/cap",
            headers=stack.bearer("emergency-console"),
        )
        assert not_cap.status_code == 404 and "not a CAP warning" in not_cap.json()["detail"]
