"""Readiness: which dependency is down, said within a bound whatever they do.

Liveness (``/healthz``) asks nothing of anyone. Readiness asks each dependency in a
thread of its own, so a worker pool busy with stalled requests cannot delay it, and at
most one question per dependency is out at a time: a check still running is waited for
again, not started again, so a probe every second against a stalled broker does not
pile up threads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Mapping

from hub.errors import HubError

#: A check returns when the dependency answers and raises when it does not.
Check = Callable[[], None]


class Readiness:
    def __init__(self, checks: Mapping[str, Check], *, timeout_s: float = 2.0) -> None:
        self._checks = dict(checks)
        self._timeout_s = timeout_s
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=len(self._checks), thread_name_prefix="readiness"
        )
        self._running: dict[str, concurrent.futures.Future[None]] = {}

    async def report(self) -> dict[str, str]:
        """Each dependency's state: ``ok``, or why it is not ready (never a secret)."""
        names = list(self._checks)
        states = await asyncio.gather(*(self._one(name) for name in names))
        return dict(zip(names, states, strict=True))

    async def _one(self, name: str) -> str:
        running = self._running.get(name)
        if running is None or running.done():
            running = self._running[name] = self._pool.submit(self._checks[name])
        waited = asyncio.wrap_future(running)
        try:
            await asyncio.wait_for(asyncio.shield(waited), self._timeout_s)
        except TimeoutError:
            # The check goes on; what it ends with is read then, not left unretrieved.
            waited.add_done_callback(_settled)
            return f"no answer within {self._timeout_s:g} s"
        except HubError as exc:
            return exc.message
        except Exception as exc:  # a driver's message may carry a URL: only its kind
            return f"unavailable ({type(exc).__name__})"
        return "ok"

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _settled(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
