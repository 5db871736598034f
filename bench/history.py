"""Every one of 100,000 archived events read in pages of 1, 7 and 500 and under a byte
cap, counted by event id: none lost, none doubled; and a read receipt for each. The suite walks prefixes of the same
archive (a page costs one keyset query at any depth); this walks all of it.

Pages are read through the gateway's own page service with Health's grant (masks and
the row filter on), as a request would after its decision; HTTP adds a round trip per
page and nothing to the question of where a page resumes.

    python bench/history.py                     # SQLite
    python bench/history.py --database-url postgresql://postgres@127.0.0.1:5432/empty
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from integrator import STREAM, Gateway, fill_archive, settings_in  # noqa: E402

from hub.archive.history import HistoryFilter  # noqa: E402
from hub.bus.broker import free_port  # noqa: E402
from hub.config import DatabaseSettings  # noqa: E402
from hub.gateway.events import EventPages  # noqa: E402
from hub.identity import STREAMS_READ, Caller  # noqa: E402
from hub.policy.decision import StreamAccess, decide  # noqa: E402
from hub.stack import HubStack, open_stack  # noqa: E402
from hub.store.models import ReadReceipt  # noqa: E402

FIRST = 10_000_000  # fill_archive's first event number


def health_access(hub: HubStack) -> StreamAccess:
    stream = hub.policy.stream(STREAM)
    assert stream is not None
    decision = decide(hub.policy, agency="health", stream=stream, action="read", purpose="response")
    assert decision.allowed, "Health may read incident reports for a response"
    caller = Caller("bench-health", "health", frozenset({STREAMS_READ}), "bench")
    return StreamAccess(caller, stream, decision, hub.policy)


def walk(pages: EventPages, access: StreamAccess, limit: int) -> tuple[Counter[str], int]:
    seen: Counter[str] = Counter()
    cursor, count = None, 0
    while True:
        page = pages.stream_page(access, HistoryFilter(), cursor=cursor, limit=limit)
        count += 1
        for element in page.shown:
            seen[str(element["event"]["envelope"]["event_id"])] += 1
        if not page.more:
            return seen, count
        cursor = page.next


def with_cap(pages: EventPages, page_bytes: int) -> EventPages:
    capped = EventPages.__new__(EventPages)
    capped.__dict__.update(pages.__dict__)
    capped.page_bytes = page_bytes
    return capped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    expected = {str(uuid.UUID(int=FIRST + i + 1)) for i in range(args.events)}
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        settings = settings_in(tmp, port)
        if args.database_url:
            settings = settings.model_copy(
                update={"database": DatabaseSettings(url=args.database_url)}
            )
        with open_stack(settings) as hub, Gateway(hub, port) as gateway:
            started = time.monotonic()
            fill_archive(hub, args.events, 1_000, start=FIRST)
            print(f"{args.events:,} events archived in {time.monotonic() - started:.0f} s")
            pages: EventPages = gateway.app.state.services.events
            access = health_access(hub)
            walks = [("limit 1", pages, 1), ("limit 7", pages, 7), ("limit 500", pages, 500)]
            walks.append(("500 under a 20 kB cap", with_cap(pages, 20_000), 500))
            failed = False
            for label, service, limit in walks:
                started = time.monotonic()
                seen, count = walk(service, access, limit)
                took = time.monotonic() - started
                lost = len(expected - set(seen))
                doubled = sum(1 for n in seen.values() if n > 1)
                extra = len(set(seen) - expected)
                failed |= bool(lost or doubled or extra)
                print(
                    f"{label:<22} {count:>7,} pages in {took:>6.1f} s "
                    f"({count / took:>6,.0f} pages/s): {len(seen):,} events, "
                    f"{lost} lost, {doubled} doubled, {extra} unexpected"
                )
            receipts = gateway.app.state.services.receipts
            assert receipts.flush(60), "the read receipts were not written within a minute"
            with hub.engine.connect() as connection:
                noted = connection.execute(
                    select(func.count()).select_from(ReadReceipt.__table__)
                ).scalar_one()
            failed |= noted != args.events
            print(f"read receipts for Health: {noted:,} (one per event)")
    if failed:
        raise SystemExit("some events or receipts were lost, doubled or unexpected")


if __name__ == "__main__":
    main()
