"""The Kafka bulkhead: work beyond its places is refused at the wait, holding no thread,
and one bulkhead serves any event loop it is used from."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from hub.errors import BrokerUnavailable
from hub.gateway.bulkheads import Bulkhead


def test_work_beyond_the_places_is_refused_at_the_wait() -> None:
    bulkhead = Bulkhead(name="Kafka", places=1, wait_s=0.2, unavailable=BrokerUnavailable)
    release = threading.Event()

    async def scene() -> tuple[str, float]:
        held = asyncio.create_task(bulkhead.run(release.wait, 30))
        await asyncio.sleep(0.05)  # the one place is taken
        started = time.monotonic()
        with pytest.raises(BrokerUnavailable, match="all 1 places"):
            await bulkhead.run(time.sleep, 0)
        waited = time.monotonic() - started
        release.set()
        assert await held is True
        return await bulkhead.run(lambda: "free again"), waited

    answer, waited = asyncio.run(scene())
    assert answer == "free again"
    assert 0.15 <= waited < 5, "refused at the wait, with room for a slow machine"
    assert bulkhead.waiting == 0


def test_one_bulkhead_serves_several_event_loops() -> None:
    bulkhead = Bulkhead(name="Kafka", places=1, wait_s=1.0, unavailable=BrokerUnavailable)

    def echo(n: int) -> int:
        time.sleep(0.01)  # long enough for the others to queue behind it
        return n

    async def contended() -> list[int]:
        return list(await asyncio.gather(*(bulkhead.run(echo, n) for n in range(3))))

    assert asyncio.run(contended()) == [0, 1, 2]
    assert asyncio.run(contended()) == [0, 1, 2], "a second loop gets its own semaphore"
