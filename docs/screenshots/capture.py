"""Take the console screenshots the README shows: `make screenshots`.

Runs a hub of its own (embedded broker, a temporary database), gives it a short history
(incident reports, an emergency and a read it opened, a witness's check, a refusal,
agencies reading and acknowledging an incident's reports, an exercise, and an earlier
incident of the same kind whose reads are written as they happened days ago), signs an
auditor in with headless Chromium and saves each page here. Chinese text needs
a CJK font (Debian: fonts-noto-cjk); without one it shows as boxes.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from connectors.emergency_reports import IncidentReportConnector  # noqa: E402
from tests.utils.browser import chromium  # noqa: E402
from tests.utils.events import backdate, incident_report, publish  # noqa: E402
from tests.utils.server import serving  # noqa: E402
from tests.utils.stack import Stack, gateway_stack  # noqa: E402

HERE = Path(__file__).resolve().parent
PASSWORD = "correct horse battery"  # noqa: S105 - a throwaway hub's demo person


def history(stack: Stack) -> None:
    stack.services.users.create(
        username="wang.fang",
        role="auditor",
        agency="audit",
        password=PASSWORD,
        display_name="王芳 Wang Fang",
    )
    stack.run(IncidentReportConnector(ROOT / "connectors" / "samples" / "incidents.csv"))
    health = stack.bearer("health-dispatch")
    stack.http.get("/v1/streams", headers=health)
    stack.http.get("/v1/streams/emergency.incident-report/events?purpose=response", headers=health)
    stack.http.get(
        "/v1/streams/meteorology.warning/events", headers=stack.bearer("commerce-supplies")
    )
    stack.http.post(
        "/v1/emergencies",
        json={
            "category": "ACCIDENT_DISASTER",
            "level": "II",
            "districts": ["440311"],
            "title": "光明滑坡 Guangming landslide",
            "reason": "spoil buried an industrial park",
        },
        headers=stack.bearer("emergency-console"),
    )
    stack.http.get(
        "/v1/streams/emergency.incident-report/events", headers=stack.bearer("commerce-supplies")
    )
    stack.http.get("/v1/audit/proof/consistency?from=1&to=5", headers=health)
    coordination(stack)


def coordination(stack: Stack) -> None:
    """An incident read and acknowledged minutes after publication, a drill, and an
    earlier landslide whose receipts are dated as they would have come."""
    now = datetime.now(UTC)
    stream = "emergency.incident-report"
    current = [
        _report(1, "INC-2026-LH-03", now - timedelta(minutes=14), "440311"),
        _report(2, "INC-2026-LH-03", now - timedelta(minutes=6), "440311"),
        _report(3, "DRILL-2026-11", now - timedelta(minutes=30), "440306", exercise=True),
        _report(4, "INC-2026-LG-01", now - timedelta(days=12), "440307"),
    ]
    publish(stack, current)
    ids = [r["envelope"]["event_id"] for r in current]
    health = stack.bearer("health-dispatch")
    stack.http.get(
        f"/v1/streams/{stream}/events",
        params={"purpose": "response", "incident": "INC-2026-LH-03"},
        headers=health,
    )
    for event_id, status in ((ids[0], "acting"), (ids[1], "received")):
        stack.http.post(
            f"/v1/events/{event_id}/ack",
            params={"purpose": "response"},
            json={"status": status},
            headers=health,
        )
    earlier_ms = int((now - timedelta(days=12)).timestamp() * 1000)
    for agency, read_s, ack_s in (("health", 95, 410), ("public-security", 240, 1_500)):
        backdate(
            stack,
            ids[3],
            stream,
            agency,
            read_ms=earlier_ms + read_s * 1000,
            acks={"received": earlier_ms + ack_s * 1000},
        )
    stack.services.receipts.flush()


def _report(
    i: int, incident: str, published: datetime, district: str, **more: Any
) -> dict[str, Any]:
    event = incident_report(i, incident_id=incident, published_at=published, **more)
    event["envelope"]["classification"] = {"category": "ACCIDENT_DISASTER"}
    event["envelope"]["severity"] = "II"
    event["envelope"]["area"]["district_code"] = district
    event["title"] = "Landslide" if "LH" in incident or "LG" in incident else "Drill"
    return event


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, gateway_stack(Path(tmp), checkpoint_rows=5) as stack:
        history(stack)
        with serving(stack.http.app) as url, chromium() as browser:
            for lang in ("en", "zh"):
                context = browser.new_context(
                    locale="en-US" if lang == "en" else "zh-CN",
                    viewport={"width": 1280, "height": 720},
                )
                page = context.new_page()
                page.goto(f"{url}/console/login")
                page.fill("#username", "wang.fang")
                page.fill("#password", PASSWORD)
                page.click("#signin")
                for name, path in (
                    ("overview", "/console"),
                    ("access-log", "/console/log"),
                    ("chain", "/console/chain"),
                    ("reviews", "/console/reviews"),
                    ("sharing", "/console/sharing"),
                    ("denials", "/console/denials"),
                    ("incident", "/console/incidents/INC-2026-LH-03"),
                    ("assessment", "/console/incidents/INC-2026-LH-03/assessment"),
                    ("coordination", "/console/coordination"),
                ):
                    page.goto(url + path)
                    page.screenshot(path=str(HERE / f"{name}-{lang}.png"), full_page=True)
                context.close()
    print(f"screenshots written to {HERE}")


if __name__ == "__main__":
    main()
