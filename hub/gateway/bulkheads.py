"""Worker threads set apart for work that waits on one dependency.

A route that publishes or opens a live feed may wait seconds when the broker stalls; a
read of the archive or the audit log waits as long as the database does. On the shared
worker pool, enough such requests take every thread, and then requests that need
neither (liveness, the catalogue, tokens) queue behind them. Here such work first takes
one of a few places of its dependency's bulkhead; a request that cannot get one within
its wait is answered 503 at once, without ever holding a thread.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from hub.errors import HubError

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
    def __init__(
        self, *, name: str, places: int, wait_s: float, unavailable: type[HubError]
    ) -> None:
        self.name = name
        self._places = places
        self._wait_s = wait_s
        self._unavailable = unavailable
        self._free = LoopSemaphore(places)
        self.waiting = 0

    @asynccontextmanager
    async def place(self) -> AsyncIterator[None]:
        """One of the places for as long as the block runs; ``unavailable`` if none
        comes free within the wait."""
        free = self._free.here()
        self.waiting += 1
        try:
            async with asyncio.timeout(self._wait_s):
                await free.acquire()
        except TimeoutError:
            raise self._unavailable(
                f"{self.name} is not answering: all {self._places} places for its work have "
                f"been busy for {self._wait_s:g} s; retry"
            ) from None
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            free.release()

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``work`` in a worker thread once a place is free."""
        async with self.place():
            return await run_in_threadpool(work, *args, **kwargs)
