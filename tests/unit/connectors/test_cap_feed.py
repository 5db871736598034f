"""The feed connector against a real HTTP server on 127.0.0.1: an Atom (or RSS) index,
conditional polls, each alert fetched once, bad ones refused alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from connectors.meteorology_cap import CapFeedConnector, CapWarningConnector
from connectors.meteorology_cap.feed import FeedError
from connectors.meteorology_cap.parser import CapError
from hub.connect import SourceRecord, mapped_events
from hub.connect.testing import run_in_memory
from tests.unit.connectors.cap_samples import made, real
from tests.unit.connectors.local_server import serving

THUNDERSTORM = real("oasis-example2-severe-thunderstorm.xml")
EARTHQUAKE = real("oasis-example3-earthquake-update.xml")
ORANGE = made("shenzhen-rainstorm-orange-zh-en.xml")
HOSTILE = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&lol2;</alert>'
)


@dataclass
class Site:
    """What the server serves: path -> (status, body, headers); and what it was asked."""

    pages: dict[str, tuple[int, bytes, dict[str, str]]] = field(default_factory=dict)
    asked: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def index(self, entries: list[tuple[str, str, str]], *, etag: str, modified: str) -> None:
        """An Atom index of (id, href, updated), newest first as feeds write them."""
        body = "".join(
            f"<entry><id>{i}</id><updated>{u}</updated><title>alert</title>"
            f'<link rel="alternate" type="application/cap+xml" href="{h}"/></entry>'
            for i, h, u in entries
        )
        self.pages["/alerts.atom"] = (
            200,
            f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>urn:test:feed</id><title>alerts</title><updated>2026-06-15T02:00:00Z</updated>"
            f"{body}</feed>".encode(),
            {"ETag": etag, "Last-Modified": modified, "Content-Type": "application/atom+xml"},
        )

    def index_requests(self) -> list[dict[str, str]]:
        return [headers for path, headers in self.asked if path == "/alerts.atom"]


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.site.asked.append((self.path, headers))
        status, body, extra = self.site.pages.get(self.path, (404, b"not here", {}))
        if status == 200 and extra.get("ETag") and headers.get("if-none-match") == extra["ETag"]:
            status, body = 304, b""
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test asserts on ``site.asked`` instead."""


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    handler = type("Handler", (_Handler,), {"site": served})
    with serving(handler, ThreadingHTTPServer) as server:
        served.url = f"http://127.0.0.1:{server.server_address[1]}"
        yield served


@pytest.fixture
def feed(site: Site) -> Iterator[CapFeedConnector]:
    connector = CapFeedConnector(f"{site.url}/alerts.atom", timeout_s=5.0)
    try:
        yield connector
    finally:
        connector.close()


MODIFIED = "Mon, 15 Jun 2026 02:00:00 GMT"


def four_alerts(site: Site) -> None:
    """Two good alerts, one hostile, one gone, listed newest first."""
    site.pages["/a/storm.xml"] = (200, THUNDERSTORM, {})
    site.pages["/a/lolz.xml"] = (200, HOSTILE, {})
    site.pages["/a/orange.xml"] = (200, ORANGE, {})
    site.index(
        [
            ("urn:alert:4", "/a/orange.xml", "2026-06-15T01:40:00Z"),
            ("urn:alert:3", "/a/gone.xml", "2026-06-15T01:30:00Z"),
            ("urn:alert:2", "a/lolz.xml", "2026-06-15T01:20:00Z"),  # relative to the index
            ("urn:alert:1", f"{site.url}/a/storm.xml", "2026-06-15T01:10:00Z"),
        ],
        etag='"v1"',
        modified=MODIFIED,
    )


def test_each_entry_is_fetched_oldest_first_and_a_hostile_or_missing_one_is_refused_alone(
    site: Site, feed: CapFeedConnector
) -> None:
    four_alerts(site)
    records = list(feed.read(None))
    assert [r.ref for r in records] == ["urn:alert:1", "urn:alert:2", "urn:alert:3", "urn:alert:4"]
    assert records[0].raw == THUNDERSTORM
    with pytest.raises(CapError, match="document: a DOCTYPE is not allowed"):
        feed.map(records[1])
    with pytest.raises(
        CapError, match=r"document: GET http://127\.0\.0\.1:\d+/a/gone\.xml: HTTP 404"
    ):
        feed.map(records[2])
    events = mapped_events(feed, [records[0], records[3]])
    assert [e["identifier"] for e in events] == [
        "KSTO1055887203",
        "44030041600000_20260615093000_1",
    ]


def test_an_unchanged_index_is_asked_for_conditionally_and_yields_nothing(
    site: Site, feed: CapFeedConnector
) -> None:
    four_alerts(site)
    *_, last = feed.read(None)
    assert last.position["etag"] == '"v1"'
    assert last.position["last_modified"] == MODIFIED
    assert list(feed.read(last.position)) == []
    asked = site.index_requests()[-1]
    assert (asked["if-none-match"], asked["if-modified-since"]) == ('"v1"', MODIFIED)
    assert len(site.asked) == 6, "the index twice, each of the four alerts once"


def test_a_changed_index_yields_only_its_new_entries(site: Site, feed: CapFeedConnector) -> None:
    four_alerts(site)
    *_, last = feed.read(None)
    site.pages["/a/quake.xml"] = (200, EARTHQUAKE, {})
    entries = [("urn:alert:5", "/a/quake.xml", "2026-06-15T01:50:00Z")]
    entries += [("urn:alert:4", "/a/orange.xml", "2026-06-15T01:40:00Z")]
    site.index(entries, etag='"v2"', modified="Mon, 15 Jun 2026 02:10:00 GMT")
    (new,) = feed.read(last.position)
    assert new.ref == "urn:alert:5"
    assert new.position["etag"] == '"v2"'
    assert new.position["taken"][-2:] == ["urn:alert:4", "urn:alert:5"]


def test_a_restart_part_way_through_a_poll_takes_the_rest(
    site: Site, feed: CapFeedConnector
) -> None:
    four_alerts(site)
    first, *_ = feed.read(None)
    # Committed with the first record only: the old validators, so no 304 next time.
    assert first.position == {"etag": None, "last_modified": None, "taken": ["urn:alert:1"]}
    rest = list(feed.read(first.position))
    assert [r.ref for r in rest] == ["urn:alert:2", "urn:alert:3", "urn:alert:4"]
    assert "if-none-match" not in site.index_requests()[-1]


def test_a_server_error_on_an_alert_stops_the_poll_there_until_the_next(
    site: Site, feed: CapFeedConnector
) -> None:
    four_alerts(site)
    site.pages["/a/lolz.xml"] = (503, b"busy", {})
    taken: list[SourceRecord] = []
    with pytest.raises(FeedError, match=r"/a/lolz\.xml: HTTP 503 .*fetched again next poll"):
        taken.extend(feed.read(None))
    assert [r.ref for r in taken] == ["urn:alert:1"]
    site.pages["/a/lolz.xml"] = (200, HOSTILE, {})
    assert next(r.ref for r in feed.read(taken[-1].position)) == "urn:alert:2"


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ((500, b"oops", {}), "HTTP 500"),
        ((404, b"no", {}), "HTTP 404"),
        ((200, HOSTILE, {}), "is refused: a DOCTYPE is not allowed"),
        ((200, THUNDERSTORM, {}), "is refused: root element is '{urn:oasis"),
    ],
    ids=["server-error", "not-found", "hostile", "not-a-feed"],
)
def test_an_index_that_cannot_be_read_is_a_source_error(
    site: Site, feed: CapFeedConnector, page: tuple, reason: str
) -> None:
    site.pages["/alerts.atom"] = page
    with pytest.raises(FeedError, match=reason):
        list(feed.read(None))


def test_a_server_that_is_not_there_is_a_source_error() -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), _Handler) as closed:
        port = closed.server_address[1]
    connector = CapFeedConnector(f"http://127.0.0.1:{port}/alerts.atom", timeout_s=2.0)
    with pytest.raises(FeedError, match="ConnectError"):
        list(connector.read(None))
    connector.close()


def test_an_oversized_alert_is_read_only_past_the_limit_and_refused(site: Site) -> None:
    site.pages["/a/big.xml"] = (200, b"<alert>" + b" " * 50_000 + b"</alert>", {})
    site.index(
        [("urn:alert:big", "/a/big.xml", "2026-06-15T01:10:00Z")], etag='"b"', modified=MODIFIED
    )
    connector = CapFeedConnector(f"{site.url}/alerts.atom", max_bytes=10_000)
    (record,) = connector.read(None)
    assert len(record.raw) == 10_001
    with pytest.raises(CapError, match="more than 10,000 bytes"):
        connector.map(record)
    connector.close()


def test_entries_without_a_usable_link_are_refused_with_the_reason(
    site: Site, feed: CapFeedConnector
) -> None:
    site.index(
        [("urn:alert:f", "file:///etc/passwd", "2026-06-15T01:10:00Z")],
        etag='"f"',
        modified=MODIFIED,
    )
    (record,) = feed.read(None)
    with pytest.raises(CapError, match="'file:///etc/passwd', which is not http or https"):
        feed.map(record)
    assert len(site.asked) == 1, "never fetched"


def test_an_rss_index_is_read_too(site: Site, feed: CapFeedConnector) -> None:
    site.pages["/a/storm.xml"] = (200, THUNDERSTORM, {})
    site.pages["/a/quake.xml"] = (200, EARTHQUAKE, {})
    items = (
        "<item><guid>urn:q</guid><link>/a/quake.xml</link>"
        "<pubDate>Mon, 15 Jun 2026 01:20:00 GMT</pubDate></item>"
        '<item><guid>urn:s</guid><enclosure url="/a/storm.xml" type="application/cap+xml"/>'
        "<pubDate>Mon, 15 Jun 2026 01:10:00 GMT</pubDate></item>"
    )
    site.pages["/alerts.atom"] = (
        200,
        f'<rss version="2.0"><channel><title>alerts</title>{items}</channel></rss>'.encode(),
        {},
    )
    assert [r.raw for r in feed.read(None)] == [THUNDERSTORM, EARTHQUAKE]


def test_an_entry_listed_twice_is_taken_once(site: Site, feed: CapFeedConnector) -> None:
    site.pages["/a/storm.xml"] = (200, THUNDERSTORM, {})
    twice = ("urn:alert:1", "/a/storm.xml", "2026-06-15T01:10:00Z")
    site.index([twice, twice], etag='"t"', modified=MODIFIED)
    assert [r.ref for r in feed.read(None)] == ["urn:alert:1"]


def test_the_checkpoint_stays_bounded_by_max_entries(site: Site) -> None:
    for k in range(5):
        site.pages[f"/a/{k}.xml"] = (200, THUNDERSTORM, {})
    entries = [(f"urn:alert:{k}", f"/a/{k}.xml", f"2026-06-15T01:0{k}:00Z") for k in range(5)]
    site.index(entries[::-1], etag='"n"', modified=MODIFIED)
    connector = CapFeedConnector(f"{site.url}/alerts.atom", max_entries=2)
    records = list(connector.read(None))
    assert [r.ref for r in records] == ["urn:alert:3", "urn:alert:4"], "the newest two"
    assert records[-1].position["taken"] == ["urn:alert:3", "urn:alert:4"]
    connector.close()


def test_the_feed_url_must_be_http_or_https() -> None:
    with pytest.raises(ValueError, match="should be http or https"):
        CapFeedConnector("file:///srv/alerts.atom")


def test_the_feed_connector_has_its_own_name_and_the_warning_stream() -> None:
    assert CapFeedConnector.name == "meteorology-cap-feed" != CapWarningConnector.name
    assert CapFeedConnector.stream == CapWarningConnector.stream == "meteorology.warning"


def test_two_runs_through_the_sdk_publish_each_alert_once(
    site: Site, feed: CapFeedConnector, tmp_path: Path
) -> None:
    four_alerts(site)
    first = run_in_memory(feed, tmp_path)
    assert first.report.published == 2
    assert sorted(r.ref for r in first.report.rejected) == ["urn:alert:2", "urn:alert:3"]
    again = run_in_memory(feed, tmp_path, bus=first.bus)
    assert (again.report.published, again.report.rejected) == (0, [])
    assert site.index_requests()[-1]["if-none-match"] == '"v1"'
