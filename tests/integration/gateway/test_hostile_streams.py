"""Hostile requests to the streams surface (history, timeline, live, publish, acks):
each gets a 4xx problem, an audit row, no traceback, and an answer within a bound."""

from __future__ import annotations

from tests.utils.hostile import Hostile, bearers_of, refusals, served_stack

EVENTS = "/v1/streams/emergency.incident-report/events"
DEEP = b"[" * 100_000 + b"]" * 100_000
JSON = {"Content-Type": "application/json"}

CASES = [
    Hostile("limit-zero", "GET", EVENTS, params={"limit": 0}),
    Hostile("limit-huge", "GET", EVENTS, params={"limit": 10**9}),
    Hostile("limit-text", "GET", EVENTS, params={"limit": "ten"}),
    Hostile("stream-pattern", "GET", "/v1/streams/..%2F..%2Fetc/events", expect=(404, 422)),
    Hostile("stream-long", "GET", f"/v1/streams/{'s' * 300}/events", expect=(404, 422)),
    Hostile("cursor-oversize", "GET", EVENTS, params={"cursor": "c" * 5_000}),
    Hostile("cursor-forged", "GET", EVENTS, params={"cursor": "bm90LWEtY3Vyc29y"}),
    Hostile("since-words", "GET", EVENTS, params={"since": "yesterday"}),
    Hostile("since-number", "GET", EVENTS, params={"since": "1733040000"}),
    Hostile(
        "until-before-since",
        "GET",
        EVENTS,
        params={"since": "2026-12-01T10:00:00Z", "until": "2026-12-01T09:00:00Z"},
    ),
    Hostile("bbox-three", "GET", EVENTS, params={"bbox": "1,2,3"}),
    Hostile("bbox-off-earth", "GET", EVENTS, params={"bbox": "-200,0,10,95"}),
    Hostile("district-junk", "GET", EVENTS, params={"district": "44<script>"}),
    Hostile("severity-unknown", "GET", EVENTS, params={"severity_at_least": "V"}),
    Hostile("timeline-long-id", "GET", f"/v1/incidents/{'i' * 2_000}/timeline"),
    Hostile(
        "live-resume-garbage",
        "GET",
        "/v1/streams/emergency.incident-report/live",
        headers={"Last-Event-ID": "not-a-token"},
    ),
    Hostile(
        "publish-not-json", "POST", EVENTS, client="emergency-console", content=b"{", headers=JSON
    ),
    Hostile("publish-array", "POST", EVENTS, client="emergency-console", json=[1, 2]),
    Hostile("publish-deep", "POST", EVENTS, client="emergency-console", content=DEEP, headers=JSON),
    Hostile("publish-no-envelope", "POST", EVENTS, client="emergency-console", json={"a": 1}),
    Hostile(
        "publish-wrong-types",
        "POST",
        EVENTS,
        client="emergency-console",
        json={"envelope": {"occurred_at": 5, "severity": "X"}, "title": ["no"]},
    ),
    Hostile(
        "publish-too-big",
        "POST",
        EVENTS,
        client="emergency-console",
        content=b'{"envelope": {}, "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers=JSON,
        expect=(413,),
    ),
    Hostile(
        "batch-too-many",
        "POST",
        f"{EVENTS}/batch",
        client="emergency-console",
        json={"events": [{"envelope": {}}] * 501},
    ),
    Hostile(
        "batch-same-id-twice",
        "POST",
        f"{EVENTS}/batch",
        client="emergency-console",
        json={
            "events": [
                {"envelope": {"event_id": "00000000-0000-0000-0000-000000000009"}},
                {"envelope": {"event_id": "00000000-0000-0000-0000-000000000009"}},
            ]
        },
    ),
    Hostile(
        "publish-other-agency",
        "POST",
        "/v1/streams/meteorology.warning/events",
        client="emergency-console",
        json={"envelope": {}},
        expect=(403,),
    ),
    Hostile(
        "ack-status-unknown",
        "POST",
        "/v1/events/00000000-0000-0000-0000-000000000001/ack",
        json={"status": "maybe"},
        expect=(404, 422),  # an event this agency may not see (or none) is a 404 first
    ),
    Hostile(
        "ack-id-not-uuid",
        "POST",
        "/v1/events/not-an-id/ack",
        json={"status": "received"},
        expect=(404, 422),
    ),
    Hostile(
        "ack-note-huge",
        "POST",
        "/v1/events/00000000-0000-0000-0000-000000000001/ack",
        json={"status": "received", "note": "n" * 100_000},
        expect=(404, 413, 422),
    ),
    Hostile("no-token", "GET", EVENTS, client=None, expect=(401,)),
    Hostile(
        "bad-token",
        "GET",
        EVENTS,
        client=None,
        headers={"Authorization": "Bearer x.y.z"},
        expect=(401,),
    ),
]


stack = served_stack("hostile-streams")
bearers = bearers_of("health-dispatch", "emergency-console")
test_a_hostile_request_is_refused_audited_and_quick = refusals(CASES)
