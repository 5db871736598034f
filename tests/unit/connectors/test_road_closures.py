"""The road-closures connector against a real HTTP server on 127.0.0.1: validators, 304,
changed and vanished closures across a restart, bad bodies, errors and the size limit."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from connectors.road_closures import MAX_BODY_BYTES, FeedUnavailable, RoadClosureConnector
from connectors.road_closures.connector import VANISHED
from connectors.road_closures.document import canonical, digest
from connectors.road_closures.mapping import ROAD_CLOSURE_EVENTS, to_road_closure
from hub.connect import RecordRejected, SourceRecord, mapped_events
from tests.unit.connectors.local_server import serving

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "transportation"
SAMPLE = ROOT / "connectors" / "samples" / "road_closures.json"
AT_1430 = (DATA / "closures-1430.json").read_bytes()
AT_1500 = (DATA / "closures-1500.json").read_bytes()
MODIFIED = "Mon, 15 Jun 2026 06:30:00 GMT"


class Feed:
    """What the test server answers, and the headers of every request it got."""

    def __init__(self) -> None:
        self.body = b""
        self.etag: str | None = None
        self.last_modified: str | None = None
        self.status = 200
        self.declare_length = True
        self.delay_s = 0.0
        self.requests: list[dict[str, str]] = []

    def serve(
        self, body: bytes, *, etag: str | None = None, last_modified: str | None = None
    ) -> None:
        self.body, self.etag, self.last_modified = body, etag, last_modified


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        feed = self.server.feed
        feed.requests.append(dict(self.headers.items()))
        time.sleep(feed.delay_s)
        if feed.status != 200:
            self.send_response(feed.status)
            self.send_header("Content-Length", "0")
            if 300 <= feed.status < 400:
                self.send_header("Location", "/elsewhere")
            self.end_headers()
            return
        if (feed.etag and self.headers.get("If-None-Match") == feed.etag) or (
            not feed.etag
            and feed.last_modified
            and self.headers.get("If-Modified-Since") == feed.last_modified
        ):
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if feed.etag:
            self.send_header("ETag", feed.etag)
        if feed.last_modified:
            self.send_header("Last-Modified", feed.last_modified)
        if feed.declare_length:
            self.send_header("Content-Length", str(len(feed.body)))
        self.end_headers()
        # The client may stop reading part-way: the size limit at work.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(feed.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    feed: Feed


@pytest.fixture
def feed() -> Iterator[tuple[Feed, str]]:
    with serving(_Handler, _Server) as server:
        server.feed = Feed()
        yield server.feed, f"http://127.0.0.1:{server.server_address[1]}/api/v1/closures"


@pytest.fixture
def taken_1430(feed: tuple[Feed, str]) -> tuple[Feed, str, Any]:
    """The 14:30 document served (ETag "v1") and read: the feed, its URL and the
    position committed after it."""
    server, url = feed
    server.serve(AT_1430, etag='"v1"')
    return server, url, _read(url)[-1].position


def _read(url: str, position: Any = None, **options: Any) -> list[SourceRecord]:
    connector = RoadClosureConnector(url, **options)
    try:
        return list(connector.read(position))
    finally:
        connector.close()


def _outcomes(url: str, records: list[SourceRecord]) -> dict[str, Any]:
    """Each record's event (validated) or the field its rejection names, by closure id."""
    connector = RoadClosureConnector(url)
    found: dict[str, Any] = {}
    for record in records:
        key = record.ref.partition("#")[2]
        try:
            events = mapped_events(connector, [record])
        except (RecordRejected, ValueError) as exc:
            found[key] = getattr(exc, "path", type(exc).__name__)
            continue
        found[key] = events[0] if events else None
    return found


def test_the_first_poll_takes_every_closure_as_a_valid_event(feed: tuple[Feed, str]) -> None:
    server, url = feed
    server.serve(AT_1430, etag='"v1"', last_modified=MODIFIED)
    connector = RoadClosureConnector(url)
    try:
        events = {e["road_name"]: e for e in mapped_events(connector)}
    finally:
        connector.close()
    access = events["Landfill access road (受纳场进场道路)"]
    envelope = access["envelope"]
    assert (envelope["source_agency"], envelope["sensitivity"]) == ("transportation", "PUBLIC")
    assert envelope["occurred_at"] == datetime.fromisoformat("2026-06-15T13:30:00+08:00")
    assert (envelope["incident_id"], envelope["severity"]) == ("INC-2026-GM-0615-01", "I")
    assert envelope["classification"]["category"] == "ACCIDENT_DISASTER"
    # A line is kept as the rectangle that bounds it.
    assert envelope["area"]["polygon"] == [
        {"lat": 22.7688, "lon": 113.9241},
        {"lat": 22.7688, "lon": 113.927},
        {"lat": 22.7712, "lon": 113.927},
        {"lat": 22.7712, "lon": 113.9241},
        {"lat": 22.7688, "lon": 113.9241},
    ]
    assert envelope["area"]["district_code"] == "440311"
    assert access["status"] == "CLOSED"
    assert access["detour"] == "Use Guangming Avenue (经光明大道绕行)."
    closure = json.loads(AT_1430)["closures"][0]
    assert envelope["event_id"] == str(
        uuid.uuid5(ROAD_CLOSURE_EVENTS, f"TOC-20260615-0007\n{digest(canonical(closure))}")
    )
    avenue = events["Guangming Avenue (光明大道)"]
    assert (avenue["status"], avenue["speed_kmh"]) == ("CONGESTED", 11.5)
    assert avenue["expected_reopen_at"] == datetime.fromisoformat("2026-06-15T18:00:00+08:00")
    cordon = events["Example Road (示例路)"]["envelope"]["area"]
    assert (cordon["point"], cordon["polygon"]) == ({"lat": 22.769, "lon": 113.9262}, None)
    underpass = events["Underpass at Example Road (示例路下穿通道)"]
    assert underpass["status"] == "OPEN"
    assert underpass["envelope"]["occurred_at"] == datetime.fromisoformat(
        "2026-06-15T11:15:00+08:00"
    )
    assert underpass["envelope"]["classification"]["category"] == "NATURAL_DISASTER"


def test_an_unchanged_feed_answers_304_and_yields_nothing(feed: tuple[Feed, str]) -> None:
    server, url = feed
    server.serve(AT_1430, etag='"v1"', last_modified=MODIFIED)
    records = _read(url)
    position = records[-1].position
    assert [r.position for r in records[:-1]] == [None, None, None]
    assert (position["etag"], position["last_modified"]) == ('"v1"', MODIFIED)
    assert _read(url, position) == []
    first, second = server.requests
    assert "if-none-match" not in {k.lower() for k in first}
    assert (second["If-None-Match"], second["If-Modified-Since"]) == ('"v1"', MODIFIED)


def test_a_feed_with_only_last_modified_is_polled_with_if_modified_since(
    feed: tuple[Feed, str],
) -> None:
    server, url = feed
    server.serve(AT_1430, last_modified=MODIFIED)
    position = _read(url)[-1].position
    assert position["etag"] is None
    assert _read(url, position) == []
    assert server.requests[-1]["If-Modified-Since"] == MODIFIED


def test_after_a_restart_only_changed_new_and_vanished_closures_come(
    taken_1430: tuple[Feed, str, Any],
) -> None:
    server, url, committed = taken_1430

    # A new connector (the process restarted) with the committed position; the feed moved on.
    server.serve(AT_1500, etag='"v2"')
    records = _read(url, committed)
    outcomes = _outcomes(url, records)
    assert list(outcomes) == [
        "closure/TOC-20260615-0011",
        "closure/TOC-20260615-0014",
        "closure/TOC-20260615-0015",
        "closure/TOC-20260615-0009",
    ], "0007 and 0003 did not change; 0003 is gone but was lifted already"
    lifted = outcomes["closure/TOC-20260615-0011"]
    assert (lifted["status"], lifted["detour"], lifted["restriction"]) == ("OPEN", None, None)
    assert lifted["envelope"]["occurred_at"] == datetime.fromisoformat("2026-06-15T14:48:00+08:00")
    assert outcomes["closure/TOC-20260615-0014"]["status"] == "CLOSED"
    assert outcomes["closure/TOC-20260615-0015"] == "geometry.coordinates"
    vanished = outcomes["closure/TOC-20260615-0009"]
    assert vanished["status"] == "OPEN"
    assert vanished["road_name"] == "Guangming Avenue (光明大道)"
    assert vanished["reason"] == VANISHED
    assert vanished["envelope"]["occurred_at"] == datetime.fromisoformat(
        "2026-06-15T15:00:00+08:00"
    )
    assert (vanished["envelope"]["incident_id"], vanished["envelope"]["severity"]) == (
        "INC-2026-GM-0615-01",
        "I",
    )
    assert vanished["expected_reopen_at"] is None

    assert [r.position is None for r in records] == [True, True, True, False]
    position = records[-1].position
    assert position["etag"] == '"v2"'
    assert sorted(position["digests"]) == [
        "TOC-20260615-0003",
        "TOC-20260615-0007",
        "TOC-20260615-0011",
        "TOC-20260615-0014",
        "TOC-20260615-0015",
    ]
    assert sorted(position["active"]) == [
        "TOC-20260615-0007",
        "TOC-20260615-0014",
        "TOC-20260615-0015",
    ]
    assert position["active"]["TOC-20260615-0014"]["road"] == "Landfill haul road (受纳场运输便道)"
    assert "reason" not in position["active"]["TOC-20260615-0014"]
    json.dumps(position)  # commits as JSON
    assert _read(url, position) == []


def test_a_document_read_again_gives_the_same_event_ids(
    taken_1430: tuple[Feed, str, Any],
) -> None:
    """A crash before the commit reads the same closures again: the hub sees them once."""
    server, url, committed = taken_1430
    server.serve(AT_1500, etag='"v2"')
    ids = []
    for _ in range(2):
        records = _read(url, committed)
        ids.append([e["envelope"]["event_id"] for e in mapped_events(_connector(url), records[:2])])
        ids[-1].append(mapped_events(_connector(url), records[3:])[0]["envelope"]["event_id"])
    assert ids[0] == ids[1]
    assert len(set(ids[0])) == 3


def _connector(url: str) -> RoadClosureConnector:
    """For ``map`` only: it makes no client until ``read``."""
    return RoadClosureConnector(url)


def test_new_validators_with_no_change_commit_a_record_without_events(
    taken_1430: tuple[Feed, str, Any],
) -> None:
    server, url, committed = taken_1430
    server.serve(AT_1430, etag='"v1-gzip"')
    (checkpoint,) = _read(url, committed)
    assert checkpoint.ref.endswith("#checkpoint")
    assert checkpoint.position["etag"] == '"v1-gzip"'
    assert checkpoint.position["digests"] == committed["digests"]
    assert mapped_events(_connector(url), [checkpoint]) == []
    assert _read(url, checkpoint.position) == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ((DATA / "maintenance.html").read_bytes(), "not JSON"),
        ((DATA / "wrong-shape.json").read_bytes(), "closures: expected a list"),
        (b'{"closures": [NaN]}', "not JSON"),
        (b"[]", "expected an object"),
    ],
    ids=["html", "other-api", "nan", "list"],
)
def test_a_body_that_is_not_a_closure_document_is_one_record_holding_its_bytes(
    feed: tuple[Feed, str], body: bytes, error: str
) -> None:
    server, url = feed
    server.serve(body, etag='"broken"')
    (record,) = _read(url)
    assert record.ref == f"{url}#document"
    assert record.raw == body
    with pytest.raises((ValueError, RecordRejected), match=error):
        _connector(url).map(record)
    # Its validators are committed with its dead letter: the same body is not taken twice.
    assert _read(url, record.position) == []


def test_closures_without_a_usable_id_are_rejected_alone(feed: tuple[Feed, str]) -> None:
    server, url = feed
    closure = json.loads(AT_1430)["closures"][2]
    nameless = {k: v for k, v in closure.items() if k != "id"}
    listed = [nameless, closure, {**closure, "road": "Same id again"}, "not an object"]
    server.serve(json.dumps({"closures": listed}).encode())
    records = _read(url)
    assert [r.ref.partition("#")[2] for r in records] == [
        "closures[0]",
        "closure/TOC-20260615-0011",
        "closures[2]",
        "closures[3]",
    ]
    outcomes = _outcomes(url, records)
    assert outcomes["closures[0]"] == outcomes["closures[2]"] == outcomes["closures[3]"] == "id"
    assert outcomes["closure/TOC-20260615-0011"]["status"] == "RESTRICTED"
    assert list(records[-1].position["digests"]) == ["TOC-20260615-0011"]


@pytest.mark.parametrize("status", [500, 503, 404, 401, 301, 204])
def test_any_answer_but_200_or_304_raises_feed_unavailable(
    feed: tuple[Feed, str], status: int
) -> None:
    server, url = feed
    server.status = status
    with pytest.raises(FeedUnavailable, match=f"answered {status}") as caught:
        _read(url)
    assert isinstance(caught.value, ConnectionError)


def test_a_refused_connection_raises_feed_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FeedUnavailable, match="ConnectError"):
        _read(f"http://127.0.0.1:{port}/closures")


def test_a_feed_slower_than_the_timeout_raises_feed_unavailable(feed: tuple[Feed, str]) -> None:
    server, url = feed
    server.serve(AT_1430)
    server.delay_s = 0.6
    with pytest.raises(FeedUnavailable, match="Timeout"):
        _read(url, timeout_s=0.1)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_a_body_past_the_size_limit_is_not_taken(feed: tuple[Feed, str], declared: bool) -> None:
    server, url = feed
    server.serve(b'{"closures": [' + b" " * MAX_BODY_BYTES + b"]}")
    server.declare_length = declared
    with pytest.raises(FeedUnavailable, match=f"more than {MAX_BODY_BYTES}"):
        _read(url)


def test_headers_are_sent_with_every_request(feed: tuple[Feed, str]) -> None:
    server, url = feed
    server.serve(AT_1430, etag='"v1"')
    position = _read(url, headers={"Authorization": "Bearer token-1"})[-1].position
    _read(url, position, headers={"Authorization": "Bearer token-1"})
    assert [r["Authorization"] for r in server.requests] == ["Bearer token-1"] * 2
    assert server.requests[0]["Accept"] == "application/json"


def test_credentials_and_query_stay_out_of_refs(feed: tuple[Feed, str]) -> None:
    server, url = feed
    server.serve(AT_1430)
    records = _read(url.replace("http://", "http://ops:pw@") + "?api_key=s3cret")
    assert server.requests[0]["Authorization"].startswith("Basic ")
    assert all(r.ref.startswith(f"{url}#") for r in records)
    assert not any("s3cret" in r.ref or "pw" in r.ref for r in records)


@pytest.mark.parametrize("source", ["ftp://example.org/closures", "file:///etc/passwd", "x.json"])
def test_only_http_and_https_feeds_are_taken(source: str) -> None:
    with pytest.raises(ValueError, match="http or https"):
        RoadClosureConnector(source)


@pytest.mark.parametrize("position", ["etag", 3, {"digests": []}])
def test_a_position_that_is_not_a_checkpoint_is_refused(position: Any) -> None:
    with pytest.raises(ValueError, match="position"):
        list(RoadClosureConnector("http://127.0.0.1:9/closures").read(position))


def test_the_demo_sample_maps_all_but_its_deliberately_wrong_closure(
    feed: tuple[Feed, str],
) -> None:
    server, url = feed
    server.serve(SAMPLE.read_bytes(), etag='"demo"')
    outcomes = _outcomes(url, _read(url))
    assert outcomes.pop("closure/TOC-20260615-0012") == "status"
    assert sorted(e["status"] for e in outcomes.values()) == [
        "CLOSED",
        "CONGESTED",
        "OPEN",
        "RESTRICTED",
    ]


CLOSURE = {
    "id": "C1",
    "road": "R",
    "status": "closed",
    "starts_at": "2026-06-15T13:30:00+08:00",
}


def _mapped(closure: dict) -> dict:
    return to_road_closure(closure, state_digest=digest(canonical(closure)))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"road": " "}, "road"),
        ({"status": "diverted"}, "status"),
        ({"starts_at": "2026-06-15T13:30:00"}, "starts_at"),
        ({"starts_at": None}, "starts_at"),
        ({"status": "lifted"}, "ends_at"),
        ({"ends_at": "tomorrow"}, "ends_at"),
        ({"category": "WEATHER"}, "category"),
        ({"severity": "orange"}, "severity"),
        ({"district": "Guangming"}, "district"),
        ({"speed_kmh": -3}, "speed_kmh"),
        ({"road": {"zh": "路"}}, "road"),
        ({"geometry": {"type": "Circle", "coordinates": []}}, "geometry.type"),
        (
            {"geometry": {"type": "LineString", "coordinates": [[113.9, 22.7]]}},
            "geometry.coordinates",
        ),
        (
            {"geometry": {"type": "Polygon", "coordinates": [[[1, 2], [3, 4], [5, 6], [7, 8]]]}},
            "geometry.coordinates[0]",
        ),
        ({"geometry": "LINESTRING (113.9 22.7, 114 22.8)"}, "geometry"),
    ],
)
def test_each_bad_field_of_a_closure_is_named(changes: dict, field: str) -> None:
    with pytest.raises(RecordRejected) as caught:
        _mapped({**CLOSURE, **changes})
    assert caught.value.path == field


def test_a_cancelled_closure_is_an_open_road_from_its_update() -> None:
    event = _mapped(
        {**CLOSURE, "status": "Cancelled", "updated_at": "2026-06-15T12:00:00Z", "detour": "D"}
    )
    assert (event["status"], event["detour"]) == ("OPEN", None)
    assert event["envelope"]["occurred_at"] == datetime.fromisoformat("2026-06-15T12:00:00+00:00")


def test_several_lines_and_a_polygon_keep_their_extent() -> None:
    lines = {"type": "MultiLineString", "coordinates": [[[1, 2], [3, 4]], [[0, 5], [2, 3]]]}
    area = _mapped({**CLOSURE, "geometry": lines})["envelope"]["area"]
    assert area["polygon"][0] == {"lat": 2.0, "lon": 0.0}
    assert area["polygon"][2] == {"lat": 5.0, "lon": 3.0}
    ring = [[1, 2], [3, 2], [3, 4], [1, 2]]
    area = _mapped({**CLOSURE, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    assert area["envelope"]["area"]["polygon"][1] == {"lat": 2.0, "lon": 3.0}
    assert area["envelope"]["area"]["description"] == "R"
