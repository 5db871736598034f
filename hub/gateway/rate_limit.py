"""Requests per client: a token bucket each, so that one integrator's loop cannot take
the gateway from the others. Kept in this process; across replicas (issue 18) each
replica holds its own buckets, so the limit there is per replica."""

from __future__ import annotations

import math
import threading
import time

from hub.errors import TooManyRequests


class RateLimiter:
    def __init__(self, *, rate_per_s: float, burst: int) -> None:
        self._rate = rate_per_s
        self._burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client_id: str) -> None:
        """One request of ``client_id``; raises ``TooManyRequests`` when its bucket is empty."""
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(client_id, (self._burst, now))
            tokens = min(self._burst, tokens + (now - then) * self._rate)
            if tokens < 1:
                self._buckets[client_id] = (tokens, now)
                wait = math.ceil((1 - tokens) / self._rate)
                raise TooManyRequests(
                    f"client {client_id} is over {self._rate:g} requests a second; "
                    f"retry in {wait} s",
                    retry_after_s=wait,
                )
            self._buckets[client_id] = (tokens - 1, now)
