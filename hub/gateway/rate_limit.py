"""Requests per client: a token bucket each, so that one integrator's loop cannot take
the gateway from the others. ``RateLimiter`` keeps them in this process, for one
gateway; replicas share theirs in the database (``hub.gateway.shared_limits``)."""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol

from hub.errors import TooManyRequests


class Limiter(Protocol):
    def take(self, client_id: str) -> None:
        """Count one request of ``client_id``; raise ``TooManyRequests`` over its rate."""
        ...


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
