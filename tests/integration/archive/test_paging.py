"""20,000 archived events read in pages of 1, 7 and 500 and under a byte cap, counted
by event id: none lost, none doubled, whatever cut the page. On both databases.

The events are written into the archive directly (encoded and indexed as the archiver
does): carrying 100,000 records through the broker would add minutes and test nothing
the archiver tests do not. The pages are read through the gateway's own page service,
with Health's grant (masks on), so the cost is in reading, not in HTTP round trips; one
walk also goes over HTTP.

A page costs a query whatever its size, so the small pages walk a prefix of the archive
(the same keyset SQL at every depth), which keeps this file well under a minute;
`make bench` (bench/history.py) walks all of 100,000 in pages of 1, 7 and 500 and
under a byte cap, on either database, and checks the same counts.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import orjson
import pytest

from hub.archive.history import HistoryFilter
from hub.gateway.events import EventPages
from hub.identity import STREAMS_READ, Caller
from hub.policy.decision import StreamAccess, decide
from tests.utils.events import STREAM, archive_directly, incident_report
from tests.utils.stack import Stack, stack_on

TOTAL = 20_000


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with stack_on(request, tmp_path_factory, "paging") as running:
        started = time.monotonic()
        assert archive_directly(running, (incident_report(i) for i in range(TOTAL))) == TOTAL
        print(f"archived {TOTAL} in {time.monotonic() - started:.1f}s")
        yield running


def _access(stack: Stack) -> StreamAccess:
    policy = stack.policy
    entry = policy.stream(STREAM)
    assert entry is not None
    decision = decide(policy, agency="health", stream=entry, action="read", purpose="response")
    assert decision.allowed and decision.grant is not None
    caller = Caller("health-dispatch", "health", frozenset({STREAMS_READ}), "t")
    return StreamAccess(caller, entry, decision, policy)


def _walk(
    pages: EventPages, access: StreamAccess, limit: int, upto: int = TOTAL
) -> tuple[Counter[str], int]:
    seen: Counter[str] = Counter()
    cursor = None
    count = served = 0
    while served < upto:
        page = pages.stream_page(access, HistoryFilter(), cursor=cursor, limit=limit)
        for element in page.shown:
            seen[str(element["event"]["envelope"]["event_id"])] += 1
        served += page.served
        count += 1
        if not page.more and not page.served:
            break
        cursor = page.next
    return seen, count


def _check(seen: Counter[str], upto: int = TOTAL) -> None:
    """Every event of the first ``upto`` (or of as many as the last page reached)."""
    assert len(seen) >= upto, f"{upto - len(seen)} events lost"
    reached = len(seen)
    assert set(seen) == {incident_report(i)["envelope"]["event_id"] for i in range(reached)}
    doubled = [e for e, n in seen.items() if n > 1]
    assert not doubled, f"{len(doubled)} events served twice"


def _prefix(stack: Stack, limit: int) -> int:
    """How far a walk in pages of ``limit`` goes: all of it for big pages."""
    if limit >= 500:
        return TOTAL
    sqlite = stack.hub.engine.dialect.name == "sqlite"
    if limit == 1:
        return 5_000 if sqlite else 2_000
    return TOTAL if sqlite else 10_000


@pytest.mark.parametrize("limit", [1, 7, 500])
def test_pages_cut_by_limit_resume_exactly(stack: Stack, limit: int) -> None:
    upto = _prefix(stack, limit)
    started = time.monotonic()
    seen, pages = _walk(stack.services.events, _access(stack), limit, upto)
    _check(seen, upto)
    assert pages >= upto // limit
    print(f"limit {limit}: {pages} pages in {time.monotonic() - started:.1f}s")


def test_pages_cut_by_the_byte_cap_resume_exactly(stack: Stack) -> None:
    capped = replace_cap(stack.services.events, 20_000)
    access = _access(stack)
    first = capped.stream_page(access, HistoryFilter(), cursor=None, limit=500)
    body = first.body({"stream": STREAM})
    assert 0 < first.served < 500 and len(body) <= 20_000 + 200, "the cap cut the page"
    assert orjson.loads(body)["count"] == first.served
    seen, _ = _walk(capped, access, 500, upto=20_000)
    _check(seen, 20_000)


def replace_cap(pages: EventPages, page_bytes: int) -> EventPages:
    copied = EventPages.__new__(EventPages)
    copied.__dict__.update(pages.__dict__)
    copied.page_bytes = page_bytes
    return copied


def test_a_walk_over_http_in_pages_of_the_largest_size(stack: Stack) -> None:
    if stack.hub.engine.dialect.name != "sqlite":
        pytest.skip("the walk above covers PostgreSQL; HTTP adds nothing database-specific")
    headers = stack.bearer("health-dispatch")
    seen: Counter[str] = Counter()
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 1000, "purpose": "response"}
        if cursor:
            params["cursor"] = cursor
        page = stack.http.get(f"/v1/streams/{STREAM}/events", params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        for element in body["events"]:
            seen[element["event"]["envelope"]["event_id"]] += 1
        cursor = body["next"]
        if not body["more"]:
            break
    _check(seen)
