"""The console in a real browser (headless Chromium over real HTTP): an auditor signs
in, filters the log, judges an emergency read and signs out; a wrong password locks;
a form stripped of its CSRF token is refused. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.emergency_reports import IncidentReportConnector
from tests.utils.browser import chromium, screenshot
from tests.utils.server import serving
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka
ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    with gateway_stack(tmp_path_factory.mktemp("hub")) as stack:
        users = stack.services.users
        users.create(
            username="wang.fang",
            role="auditor",
            agency="audit",
            password=PASSWORD,
            display_name="王芳 Wang Fang",
        )
        users.create(username="zhao", role="auditor", agency="audit", password=PASSWORD)
        users.create(username="lei", role="duty-officer", agency="emergency", password=PASSWORD)
        stack.run(IncidentReportConnector(ROOT / "connectors" / "samples" / "incidents.csv"))
        # A read an emergency grant allowed, waiting for its review.
        declared = stack.http.post(
            "/v1/emergencies",
            json={
                "category": "ACCIDENT_DISASTER",
                "level": "II",
                "districts": ["440311"],
                "title": "Guangming landslide",
                "reason": "spoil buried an industrial park",
            },
            headers=stack.bearer("emergency-console"),
        )
        assert declared.status_code == 201, declared.text
        read = stack.http.get(
            "/v1/streams/emergency.incident-report/events",
            headers=stack.bearer("commerce-supplies"),
        )
        assert read.status_code == 200 and read.json()["count"] == 2
        stack.http.get(
            "/v1/streams/meteorology.warning/events", headers=stack.bearer("commerce-supplies")
        )
        # Health reads the incident's reports in the ordinary way and acknowledges one.
        health = stack.bearer("health-dispatch")
        own = stack.http.get(
            "/v1/streams/emergency.incident-report/events",
            params={"purpose": "response"},
            headers=health,
        )
        first = own.json()["events"][0]["event"]["envelope"]["event_id"]
        acked = stack.http.post(
            f"/v1/events/{first}/ack",
            params={"purpose": "response"},
            json={"status": "acting"},
            headers=health,
        )
        assert acked.status_code == 201, acked.text
        stack.services.receipts.flush()
        with serving(stack.http.app) as url:
            yield stack, url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as running:
        yield running


def open_page(browser, lang: str = "en"):
    context = browser.new_context(locale="en-US" if lang == "en" else "zh-CN")
    return context.new_page()


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/console")
    assert "/console/login" in page.url, "sent to sign in first"
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#signin")


def test_an_auditor_signs_in_filters_judges_a_review_and_signs_out(hub, browser) -> None:
    stack, url = hub
    page = open_page(browser)
    sign_in(page, url, "wang.fang", PASSWORD)
    assert page.url == f"{url}/console"
    assert page.inner_text("#chain-state") == "intact"
    assert page.inner_text("#open-reviews") == "1"
    screenshot(page, "overview")

    page.click("text=Access log")
    page.fill("input[name=agency]", "commerce")
    page.select_option("select[name=decision]", "deny")
    page.click("#apply")
    assert "agency=commerce" in page.url and "decision=deny" in page.url
    cells = page.locator("table.rows tbody tr td:nth-child(4)").all_inner_texts()
    assert cells and set(cells) == {"commerce"}
    assert "no grant lets commerce read meteorology.warning" in page.inner_text("table.rows")
    screenshot(page, "access-log")
    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename.endswith(".csv")

    page.click("text=Emergency reviews")
    row = page.locator("#reviews tbody tr").first
    assert "commerce" in row.inner_text() and "emergency.incident-report" in row.inner_text()
    row.locator("select[name=verdict]").select_option("justified")
    row.locator("input[name=comment]").fill("relief supplies were sent to Guangming")
    screenshot(page, "reviews")
    row.locator("button").click()
    assert "The verdict is recorded." in page.inner_text("main")
    assert "No" in page.inner_text("#reviews") or "None" in page.inner_text("#reviews")
    reviews = stack.http.get(
        "/v1/reviews?state=closed", headers=stack.bearer("audit-office")
    ).json()
    (closed,) = reviews["reviews"]
    assert (closed["verdict"], closed["reviewer"]) == ("justified", "console:wang.fang")

    page.click("text=Chain status")
    assert page.inner_text("#chain-state") == "intact"
    assert page.inner_text("#note").startswith("linkage.local/audit\n")
    page.click("#verify")
    assert "A full check has started" in page.inner_text("main")
    screenshot(page, "chain")

    page.click("text=Sharing matrix")
    assert "commerce" in page.inner_text("#matrix")
    assert page.locator("svg.chart").count() == 1
    screenshot(page, "sharing")

    page.click("#signout")
    assert "/console/login" in page.url
    page.goto(f"{url}/console/log")
    assert "/console/login" in page.url, "signed out: the pages are shut again"
    rows = [r for r in stack.audit_rows() if r["client_id"] == "console:wang.fang"]
    actions = {r["action"] for r in rows}
    assert {"console.signin", "console.log", "console.judge", "console.signout"} <= actions


def test_a_duty_officer_opens_an_incident_its_assessment_and_the_report(hub, browser) -> None:
    stack, url = hub
    page = open_page(browser)
    sign_in(page, url, "lei", PASSWORD)
    assert "Access log" not in page.inner_text("nav"), "a duty officer does not read the log"
    page.click("nav >> text=Incidents")
    page.click("text=INC-2015-GM-01")
    assert page.url == f"{url}/console/incidents/INC-2015-GM-01"
    assert page.locator("svg.timeline").count() == 1
    assert page.locator("section.event").count() == 2
    first = page.locator("section.event").first.inner_text()
    assert "health" in first and "+" in first, "health received it, so long after publication"
    screenshot(page, "incident")

    page.click("#assessment")
    assert page.inner_text("h1").startswith("Post-incident assessment")
    assert "health" in page.inner_text("#readers")
    assert "commerce" in page.inner_text("#emergency"), "the read the emergency opened"
    screenshot(page, "assessment")
    with page.expect_download() as download:
        page.click("#csv")
    assert download.value.suggested_filename == "assessment-INC-2015-GM-01.csv"

    page.click("nav >> text=Coordination")
    assert "health" in page.inner_text("#pairs")
    screenshot(page, "coordination")
    page.click("#signout")
    rows = [r for r in stack.audit_rows() if r["client_id"] == "console:lei"]
    actions = {r["action"] for r in rows}
    assert {"console.incident", "console.assessment", "console.coordination"} <= actions
    assert all(r["decision"] == "allow" for r in rows)


def test_the_console_is_in_chinese_for_a_chinese_browser(hub, browser) -> None:
    _, url = hub
    page = open_page(browser, lang="zh")
    sign_in(page, url, "wang.fang", PASSWORD)
    assert "访问日志" in page.inner_text("nav")
    assert page.inner_text("#chain-state") == "完好"
    screenshot(page, "overview-zh")


def test_wrong_passwords_lock_the_account(hub, browser) -> None:
    stack, url = hub
    page = open_page(browser)
    for _ in range(5):
        sign_in(page, url, "zhao", "wrong wrong wrong")
        assert "Wrong username or password" in page.inner_text("[role=alert]")
    sign_in(page, url, "zhao", PASSWORD)
    assert "/console/login" in page.url, "locked: even the right password is refused"
    screenshot(page, "locked")
    reasons = [r["reason"] for r in stack.audit_rows() if r["client_id"] == "console:zhao"]
    assert "locked after 5" in reasons[-2] and "locked until" in reasons[-1]


def test_a_form_without_its_csrf_token_is_refused(hub, browser) -> None:
    stack, url = hub
    page = open_page(browser)
    sign_in(page, url, "wang.fang", PASSWORD)
    page.goto(f"{url}/console/chain")
    page.evaluate(
        "document.querySelector('form[action=\"/console/chain/verify\"] input[name=csrf]').remove()"
    )
    page.click("#verify")
    assert "403" in page.inner_text("h1")
    assert "CSRF" in page.inner_text("[role=alert]")
    screenshot(page, "csrf-refused")
    row = [r for r in stack.audit_rows() if r["action"] == "console.verify"][-1]
    assert row["decision"] == "deny" and "CSRF" in row["reason"]
