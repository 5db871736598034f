"""Take the console screenshots the README shows: `make screenshots`.

Runs a hub of its own (embedded broker, a temporary database), gives it a short history
(incident reports, an emergency and a read it opened, a witness's check, a refusal),
signs an auditor in with headless Chromium and saves each page here. Chinese text needs
a CJK font (Debian: fonts-noto-cjk); without one it shows as boxes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from connectors.emergency_reports import IncidentReportConnector  # noqa: E402
from tests.utils.browser import chromium  # noqa: E402
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
                ):
                    page.goto(url + path)
                    page.screenshot(path=str(HERE / f"{name}-{lang}.png"), full_page=True)
                context.close()
    print(f"screenshots written to {HERE}")


if __name__ == "__main__":
    main()
