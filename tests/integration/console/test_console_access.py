"""The console's doors: sign-in, sessions, roles, CSRF, lockout, and the headers every
page carries; each attempt leaves its audit row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from hub.store.models import ConsoleSessionRow
from tests.utils.console import csrf_of, sign_in
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with gateway_stack(tmp_path_factory.mktemp("hub")) as running:
        users = running.services.users
        users.create(username="ada", role="auditor", agency="audit", password=PASSWORD)
        users.create(username="lei", role="duty-officer", agency="emergency", password=PASSWORD)
        users.create(username="eve", role="auditor", agency="audit", password=PASSWORD)
        yield running


@pytest.fixture
def browser(stack: Stack) -> Iterator[TestClient]:
    """A browser of its own: its own cookies, HTML wanted."""
    with TestClient(stack.http.app, headers={"Accept": "text/html"}) as client:
        yield client


def audit(stack: Stack, action: str) -> list[dict]:
    return [r for r in stack.audit_rows() if r["action"] == action]


def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(
    stack: Stack, browser: TestClient
) -> None:
    response = browser.get("/console/log?agency=health", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=/console/log"
    signed = sign_in(browser, "ada", PASSWORD, next_path="/console/log")
    assert (signed.status_code, signed.headers["location"]) == (303, "/console/log")
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie, "test runs on plain http; prod sets Secure"
    page = browser.get("/console/log")
    assert page.status_code == 200 and "ada" in page.text
    for header, value in {
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
    }.items():
        assert page.headers[header] == value
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    (row,) = [r for r in audit(stack, "console.signin") if r["client_id"] == "console:ada"][-1:]
    assert (row["decision"], row["agency"]) == ("allow", "audit")


def test_only_console_paths_are_followed_after_sign_in(browser: TestClient) -> None:
    hostile = ("https://evil.example/", "//evil.example/console", "/consolex", "/console/../v1")
    for next_path in hostile:
        signed = sign_in(browser, "ada", PASSWORD, next_path=next_path)
        assert signed.headers["location"] == "/console", next_path
    assert sign_in(browser, "ada", PASSWORD, "/console/chain").headers["location"] == (
        "/console/chain"
    )


def test_a_role_opens_only_its_pages(stack: Stack, browser: TestClient) -> None:
    sign_in(browser, "lei", PASSWORD)
    assert browser.get("/console/sharing").status_code == 200
    for page in ("/console/log", "/console/chain", "/console/reviews", "/console/log/export"):
        refused = browser.get(page)
        assert refused.status_code == 403, page
        assert refused.headers["content-type"].startswith("text/html"), "a page, not JSON"
        assert "duty-officer" in refused.text
    home = browser.get("/console")
    assert 'href="/console/log"' not in home.text, "the menu shows only what the role opens"
    rows = [r for r in audit(stack, "console.log") if r["client_id"] == "console:lei"]
    assert rows and rows[-1]["decision"] == "deny"


def test_a_form_without_its_csrf_token_is_refused(stack: Stack, browser: TestClient) -> None:
    sign_in(browser, "ada", PASSWORD)
    refused = browser.post("/console/chain/verify", data={"note": "x"}, follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    wrong = browser.post("/console/chain/verify", data={"csrf": "guess"}, follow_redirects=False)
    assert wrong.status_code == 403
    good = browser.post(
        "/console/chain/verify",
        data={"csrf": csrf_of(browser.get("/console/chain").text)},
        follow_redirects=False,
    )
    assert good.status_code == 303
    rows = audit(stack, "console.verify")
    assert [r["decision"] for r in rows[-3:]] == ["deny", "deny", "allow"]
    assert "CSRF" in rows[-3]["reason"]
    # The sign-in form has its own token, tied to a cookie set with the form.
    fresh = TestClient(stack.http.app)
    stolen = fresh.post(
        "/console/login",
        data={"username": "ada", "password": PASSWORD, "csrf": "from-another-page"},
        follow_redirects=False,
    )
    assert stolen.status_code == 403


def test_wrong_passwords_lock_the_account_and_every_try_is_audited(
    stack: Stack, browser: TestClient
) -> None:
    for attempt in range(1, 6):
        refused = sign_in(browser, "eve", "not the password")
        assert refused.status_code == 401
        assert "locked" not in refused.text.lower() or attempt == 5
    locked = sign_in(browser, "eve", PASSWORD)
    assert locked.status_code == 401, "the right password does not open a locked account"
    unknown = sign_in(browser, "nobody", PASSWORD)
    assert unknown.status_code == 401 and unknown.text.count("Wrong") == locked.text.count("Wrong")
    reasons = [
        r["reason"] for r in audit(stack, "console.signin") if r["client_id"] == "console:eve"
    ]
    assert reasons[-6:-2] == [f"wrong password ({n} of 5)" for n in range(1, 5)]
    assert "locked after 5" in reasons[-2] and "locked until" in reasons[-1]
    stack.services.users.set_state("eve", unlock=True)
    assert sign_in(browser, "eve", PASSWORD).status_code == 303


def test_signing_out_ends_the_session_and_idle_sessions_expire(
    stack: Stack, browser: TestClient
) -> None:
    sign_in(browser, "ada", PASSWORD)
    token = browser.cookies.get("linkage_session")
    page = browser.get("/console")
    out = browser.post("/console/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/console/login")
    replay = TestClient(stack.http.app, headers={"Cookie": f"linkage_session={token}"})
    assert replay.get("/console", follow_redirects=False).status_code == 303, "the token is dead"
    sign_in(browser, "ada", PASSWORD)
    with stack.services.sessions.begin() as session:
        session.execute(
            update(ConsoleSessionRow).values(last_seen=datetime.now(UTC) - timedelta(hours=1))
        )
    assert browser.get("/console", follow_redirects=False).status_code == 303


def test_the_console_speaks_chinese_by_default_and_english_when_asked(
    stack: Stack, browser: TestClient
) -> None:
    browser.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
    sign_in(browser, "ada", PASSWORD)
    assert "访问日志" in browser.get("/console").text
    english = browser.get("/console?lang=en")
    assert "Access log" in english.text and "访问日志" not in english.text
    assert "Access log" in browser.get("/console/chain").text, "the choice is remembered"
