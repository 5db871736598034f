"""Worker threads set apart for work that waits on Kafka.

A route that publishes or opens a live feed may wait seconds when the broker stalls. On
the shared worker pool, enough such requests take every thread, and then requests that
never touch Kafka (the catalogue, tokens, the audit log) queue behind them. Here such
work first takes one of a few places; a request that cannot get one within its wait
is answered 503 at once, without ever holding a thread.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from hub.errors import BrokerUnavailable

P = ParamSpec("P")
T = TypeVar("T")


class LoopSemaphore:
    """A semaphore of ``places`` for each event loop that asks, made on first use there:
    an asyncio semaphore belongs to one loop, and while a process serves on one, tests
    may drive the same app from two."""

    def __init__(self, places: int) -> None:
        self.places = places
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def here(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._by_loop.get(loop)
        if semaphore is None:
            semaphore = self._by_loop[loop] = asyncio.Semaphore(self.places)
        return semaphore


class Bulkhead:
    def __init__(self, *, name: str, places: int, wait_s: float) -> None:
        self.name = name
        self._places = places
        self._wait_s = wait_s
        self._free = LoopSemaphore(places)
        self.waiting = 0

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``work`` in a worker thread once a place is free; 503 if none is within the wait."""
        free = self._free.here()
        self.waiting += 1
        try:
            async with asyncio.timeout(self._wait_s):
                await free.acquire()
        except TimeoutError:
            raise BrokerUnavailable(
                f"{self.name} is not answering: all {self._places} places for its work have "
                f"been busy for {self._wait_s:g} s; retry"
            ) from None
        finally:
            self.waiting -= 1
        try:
            return await run_in_threadpool(work, *args, **kwargs)
        finally:
            free.release()
