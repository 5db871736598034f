"""The live feed over real HTTP (uvicorn): events as they come, masked; resume with no
gap and no duplicate, from the ring or the archive; one consumer for many subscribers;
a slow subscriber cut off; a feed that ends when its emergency closes; both audit rows."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from hub.client import HubClient, Message
from hub.gateway.auth.clients import ClientStore
from hub.gateway.auth.keys import load_key, signing_keys
from hub.gateway.auth.server import TokenIssuer
from tests.utils.events import STREAM, incident_report, publish
from tests.utils.server import serving
from tests.utils.stack import Stack, stack_on

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with stack_on(request, tmp_path_factory, "live", live_ring=100, live_queue=10) as running:
        yield running


@pytest.fixture(scope="module")
def url(stack: Stack) -> Iterator[str]:
    with serving(stack.http.app) as base:
        yield base


def client(stack: Stack, url: str, name: str) -> HubClient:
    issued = stack.credentials[name]
    return HubClient(url, issued.client_id, issued.client_secret)


class Listener:
    """A feed read in a thread; messages land in a queue."""

    def __init__(self, hub: HubClient, stream: str, **options: object) -> None:
        self.messages: queue.Queue[Message] = queue.Queue()
        self.opened = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(hub, stream, options), daemon=True)
        self._thread.start()
        assert self.opened.wait(30), "the feed opened"

    def _read(self, hub: HubClient, stream: str, options: dict[str, object]) -> None:
        try:
            for message in hub.live(stream, **options):  # type: ignore[arg-type]
                if message.event == "ready":
                    self.opened.set()
                self.messages.put(message)
                if message.event == "end":
                    return
        except httpx.HTTPError:
            return  # the test closed the client under it: the feed is over

    def take(self, count: int, timeout_s: float = 30) -> list[Message]:
        found: list[Message] = []
        deadline = time.monotonic() + timeout_s
        while len(found) < count:
            message = self.messages.get(timeout=max(0.1, deadline - time.monotonic()))
            if message.event == "event":
                found.append(message)
            elif message.event == "end":
                raise AssertionError(f"the feed ended: {message.data}")
        return found

    def end(self, timeout_s: float) -> Message:
        deadline = time.monotonic() + timeout_s
        while True:
            message = self.messages.get(timeout=max(0.1, deadline - time.monotonic()))
            if message.event == "end":
                return message


def _ids(messages: list[Message]) -> list[str]:
    return [m.json()["event"]["envelope"]["event_id"] for m in messages]


def _report_ids(numbers: range) -> list[str]:
    return [incident_report(i)["envelope"]["event_id"] for i in numbers]


def test_events_arrive_masked_and_a_resume_misses_and_repeats_nothing(
    stack: Stack, url: str
) -> None:
    with client(stack, url, "health-dispatch") as hub:
        first = Listener(hub, STREAM, purpose="response")
        publish(stack, [incident_report(i) for i in range(0, 4)])
        got = first.take(4)
        assert _ids(got) == _report_ids(range(0, 4))
        event = got[0].json()["event"]
        assert event["reporter_name"] != "Person 0", "masked as Health's grant says"
        resume = got[1].id
        # Events 4-5 come while nobody listens; the resume starts after event 1.
        publish(stack, [incident_report(i) for i in range(4, 6)])
        again = Listener(hub, STREAM, purpose="response", last_event_id=resume)
        assert _ids(again.take(4)) == _report_ids(range(2, 6))
        # Older than the ring (100 records): the start comes from the archive.
        publish(stack, [incident_report(i) for i in range(6, 156)])
        from_archive = Listener(hub, STREAM, purpose="response", last_event_id=resume)
        assert _ids(from_archive.take(154)) == _report_ids(range(2, 156))


def test_many_subscribers_share_one_consumer(stack: Stack, url: str) -> None:
    hubs = [client(stack, url, "emergency-console") for _ in range(20)]
    try:
        listeners = [Listener(h, STREAM) for h in hubs]
        publish(stack, [incident_report(i) for i in range(200, 203)])
        for listener in listeners:
            assert _ids(listener.take(3)) == _report_ids(range(200, 203))
        assert stack.services.feeds.consumers() == 1
    finally:
        for hub in hubs:
            hub.close()


def test_a_subscriber_that_falls_behind_is_cut_off_with_the_reason(stack: Stack, url: str) -> None:
    with client(stack, url, "emergency-console") as hub:
        stalled = hub.live(STREAM)
        assert next(stalled).event == "ready"
        # It reads nothing while far more than the socket buffers hold arrives.
        publish(stack, [incident_report(i) for i in range(1_000, 4_000)])
        ended = None
        for message in stalled:
            if message.event == "end":
                ended = message
                break
        assert ended is not None and "fell 10 events behind" in ended.json()["reason"]


def test_a_feed_through_an_emergency_grant_ends_when_the_emergency_closes(
    stack: Stack, url: str
) -> None:
    declared = stack.http.post(
        "/v1/emergencies",
        json={
            "category": "ACCIDENT_DISASTER",
            "level": "II",
            "districts": ["440311"],
            "title": "Landslide",
            "reason": "test",
        },
        headers=stack.bearer("emergency-console"),
    )
    assert declared.status_code == 201, declared.text
    with client(stack, url, "commerce-supplies") as hub:
        feed = Listener(hub, STREAM, purpose="dispatch")
        closed = stack.http.post(
            f"/v1/emergencies/{declared.json()['id']}/close",
            headers=stack.bearer("emergency-console"),
        )
        assert closed.status_code == 200
        started = time.monotonic()
        end = feed.end(timeout_s=10)
        assert time.monotonic() - started < 5
        assert "access ended" in end.json()["reason"]
    rows = [r for r in stack.audit_rows() if r["action"].startswith("events.live")]
    assert {r["action"] for r in rows} >= {"events.live", "events.live.end"}
    ending = [r for r in rows if r["action"] == "events.live.end" and r["agency"] == "commerce"]
    assert ending and "ended: access ended" in ending[-1]["reason"]


def test_a_feed_ends_when_its_token_expires(
    stack: Stack, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = stack.settings
    short = TokenIssuer(
        clients=ClientStore(stack.sessions),
        issuer=settings.auth.issuer,
        audience=settings.auth.audience,
        keys=signing_keys(load_key(settings.auth.key_dir, create=False)),
        ttl_s=3,
    )
    # Tokens of three seconds: the shortest the settings allow is thirty.
    monkeypatch.setattr(stack.services, "issuer", short)
    with client(stack, url, "emergency-console") as hub:
        feed = Listener(hub, STREAM)
        started = time.monotonic()
        end = feed.end(timeout_s=15)
        assert "token expired" in end.json()["reason"]
        assert time.monotonic() - started < 3 + 5
