"""History over HTTP on both databases: every filter, pages that resume exactly, ETags,
GeoJSON, the incident timeline across streams, read receipts and acknowledgements;
all through the grant's masks and row filters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.utils.events import BASE, STREAM, incident_report, publish
from tests.utils.stack import Stack, stack_on

pytestmark = pytest.mark.kafka
REPORTS = [incident_report(i) for i in range(60)]
ROADS = "transportation.road-closure"


def road_closure(i: int) -> dict[str, Any]:
    return {
        "envelope": {
            "event_id": str(uuid.UUID(int=10_000 + i)),
            "occurred_at": BASE + timedelta(minutes=i, seconds=30),
            "incident_id": "INC-0001",
            "classification": {"category": "ACCIDENT_DISASTER"},
            "area": {"district_code": "440311"},
        },
        "road_name": f"Road {i}",
        "status": "CLOSED",
    }


CLOSURES = [road_closure(i) for i in (1, 51)]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with stack_on(request, tmp_path_factory, "history") as running:
        publish(running, REPORTS)
        publish(running, CLOSURES, stream=ROADS)
        yield running


def _ids(events: list[dict[str, Any]]) -> list[str]:
    return [str(e["event"]["envelope"]["event_id"]) for e in events]


def _expected(keep: Any) -> list[str]:
    return [r["envelope"]["event_id"] for r in REPORTS if keep(r["envelope"])]


def _all(stack: Stack, url: str, client: str, **params: Any) -> list[dict[str, Any]]:
    """Every page, following `next` until `more` is false."""
    headers = stack.bearer(client)
    events: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1_000):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = stack.http.get(url, params=query, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        events += body["events"]
        cursor = body["next"]
        if not body["more"]:
            return events
    raise AssertionError("paging did not end")


EVENTS = f"/v1/streams/{STREAM}/events"
GRAVE = {"I", "II"}


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({}, lambda e: True),
        ({"district": "440311"}, lambda e: e["area"]["district_code"] == "440311"),
        (
            {"district": ["440303", "440304"]},
            lambda e: e["area"]["district_code"] in ("440303", "440304"),
        ),
        ({"severity_at_least": "II"}, lambda e: e["severity"] in GRAVE),
        (
            {"classification": "NATURAL_DISASTER"},
            lambda e: e["classification"]["category"] == "NATURAL_DISASTER",
        ),
        ({"incident": "INC-0003"}, lambda e: e["incident_id"] == "INC-0003"),
        (
            {
                "since": (BASE + timedelta(minutes=10)).isoformat(),
                "until": (BASE + timedelta(minutes=20)).isoformat(),
            },
            lambda e: (
                BASE + timedelta(minutes=10) <= e["occurred_at"] < BASE + timedelta(minutes=20)
            ),
        ),
        (
            # West, south, east, north around the points of reports 0 to 9 (22.500-22.509).
            {"bbox": "113.8995,22.4995,113.9095,22.5095"},
            lambda e: e["area"]["point"]["lat"] < 22.5095,
        ),
        (
            {"district": "440311", "severity_at_least": "II", "since": BASE.isoformat()},
            lambda e: e["area"]["district_code"] == "440311" and e["severity"] in GRAVE,
        ),
    ],
)
def test_each_filter_keeps_exactly_its_events_page_after_page(
    stack: Stack, params: dict[str, Any], keep: Any
) -> None:
    expected = _expected(keep)
    assert expected, "the case selects something"
    for limit in (7, 500):
        got = _ids(_all(stack, EVENTS, "emergency-console", limit=limit, **params))
        assert got == expected, f"limit {limit}"


def test_another_agency_gets_the_same_rows_masked(stack: Stack) -> None:
    events = _all(stack, EVENTS, "health-dispatch", purpose="response", district="440311")
    assert _ids(events) == _expected(lambda e: e["area"]["district_code"] == "440311")
    for element in events:
        event = element["event"]
        assert event["reporter_name"] != f"Person {event['report_id'][2:]}", "pii is masked"
        assert not str(event["reporter_phone"]).startswith("1380000")


def test_an_etag_names_the_page_and_if_none_match_answers_304(stack: Stack) -> None:
    headers = {**stack.bearer("emergency-console"), "X-Request-ID": "etag-1"}
    first = stack.http.get(EVENTS, params={"limit": 5}, headers=headers)
    again = stack.http.get(EVENTS, params={"limit": 5}, headers=headers)
    assert first.headers["etag"] == again.headers["etag"] and first.headers["etag"].startswith('"')
    other = stack.http.get(EVENTS, params={"limit": 6}, headers=headers)
    assert other.headers["etag"] != first.headers["etag"]
    cached = stack.http.get(
        EVENTS,
        params={"limit": 5},
        headers={**headers, "If-None-Match": first.headers["etag"], "X-Request-ID": "etag-304"},
    )
    assert cached.status_code == 304 and cached.content == b""
    (row,) = [r for r in stack.audit_rows() if r["request_id"] == "etag-304"]
    assert (row["status"], row["records"]) == (304, 0)


def test_geojson_gives_a_feature_per_event_with_the_area_as_seen(stack: Stack) -> None:
    accept = {"Accept": "application/geo+json"}
    own = stack.http.get(
        EVENTS, params={"limit": 3}, headers={**stack.bearer("emergency-console"), **accept}
    )
    assert own.headers["content-type"] == "application/geo+json"
    collection = own.json()
    assert collection["type"] == "FeatureCollection" and collection["next"]
    feature = collection["features"][0]
    point = REPORTS[0]["envelope"]["area"]["point"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [point["lon"], point["lat"]]}
    assert feature["id"] == REPORTS[0]["envelope"]["event_id"]
    assert feature["properties"]["stream"] == STREAM
    seen = stack.http.get(
        EVENTS,
        params={"limit": 3, "purpose": "response"},
        headers={**stack.bearer("health-dispatch"), **accept},
    ).json()
    coordinates = [f["geometry"]["coordinates"] for f in seen["features"] if f["geometry"]]
    precise = [
        [r["envelope"]["area"]["point"]["lon"], r["envelope"]["area"]["point"]["lat"]]
        for r in REPORTS[:3]
    ]
    assert coordinates != precise, "another agency sees the coarsened position"


def test_the_timeline_merges_every_readable_stream_in_time_order(stack: Stack) -> None:
    url = "/v1/incidents/INC-0001/timeline"
    events = _all(stack, url, "health-dispatch", purpose="response", limit=2)
    reports = [r for r in REPORTS if r["envelope"]["incident_id"] == "INC-0001"]
    expected = sorted(
        [(r["envelope"]["occurred_at"], STREAM, r["envelope"]["event_id"]) for r in reports]
        + [(c["envelope"]["occurred_at"], ROADS, c["envelope"]["event_id"]) for c in CLOSURES]
    )
    assert [(e["stream"], str(e["event"]["envelope"]["event_id"])) for e in events] == [
        (s, i) for _, s, i in expected
    ]
    page = stack.http.get(
        url, params={"purpose": "response"}, headers=stack.bearer("health-dispatch")
    ).json()
    assert page["streams"] == sorted(
        [ROADS, STREAM, *[s for s in page["streams"] if s not in (ROADS, STREAM)]]
    )
    assert STREAM in page["streams"] and ROADS in page["streams"]
    # Commerce reads incident reports only during an emergency: none is declared.
    nothing = stack.http.get(url, headers=stack.bearer("commerce-supplies"))
    assert nothing.status_code == 200 and nothing.json()["count"] == 0
    assert STREAM not in nothing.json()["streams"]


def test_receipts_are_kept_by_themselves_and_acknowledgements_are_shown_to_the_right_agencies(
    stack: Stack,
) -> None:
    report = REPORTS[7]["envelope"]["event_id"]
    health = stack.bearer("health-dispatch")
    stack.http.get(EVENTS, params={"purpose": "response", "incident": "INC-0007"}, headers=health)
    ack = stack.http.post(
        f"/v1/events/{report}/ack",
        params={"purpose": "response"},
        json={"status": "acting", "note": "two ambulances sent"},
        headers=health,
    )
    assert ack.status_code == 201, ack.text
    assert (ack.json()["agency"], ack.json()["status"]) == ("health", "acting")
    for client, event_id, status in [
        ("commerce-supplies", report, 404),  # may not read it: as if it did not exist
        ("health-dispatch", str(uuid.UUID(int=999_999)), 404),
    ]:
        refused = stack.http.post(
            f"/v1/events/{event_id}/ack", json={"status": "received"}, headers=stack.bearer(client)
        )
        assert refused.status_code == status
        assert refused.headers["content-type"] == "application/problem+json"
    bad = stack.http.post(f"/v1/events/{report}/ack", json={"status": "maybe"}, headers=health)
    assert bad.status_code == 422
    stack.services.receipts.flush()
    shown = stack.http.get(f"/v1/events/{report}/acks", headers=stack.bearer("emergency-console"))
    assert shown.status_code == 200, shown.text
    (agency,) = shown.json()["agencies"]
    assert agency["agency"] == "health" and agency["served_via"] == "page"
    assert agency["first_served_at"] <= agency["acks"][0]["at"]
    assert agency["acks"][0]["note"] == "two ambulances sent"
    assert stack.http.get(f"/v1/events/{report}/acks", headers=health).status_code == 403
    assert (
        stack.http.get(
            f"/v1/events/{report}/acks", headers=stack.bearer("audit-office")
        ).status_code
        == 200
    )
