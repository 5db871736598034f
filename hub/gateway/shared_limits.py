"""Request rate limits kept in the database, so every gateway replica enforces one limit.

Asking the database for every request would put a write on every read. Instead each
replica draws a small block of a client's allowance at a time from the shared bucket and
spends it locally; a block it has not spent within a second is dropped, never handed
back or carried over, so the replicas together never pass the limit (a client that
spreads its requests may lose a block's worth, which only makes the limit stricter).

The draw is a compare-and-set on the bucket row (read, compute, update where nothing
changed; retry otherwise): the same statements on SQLite and PostgreSQL, and no lock
held while a request waits.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine, Table, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from hub.errors import StoreUnavailable, TooManyRequests
from hub.store.models import RateBucket

_BUCKETS = cast(Table, RateBucket.__table__)
#: How long a drawn block may be spent before it is dropped.
BLOCK_LIFE_S = 1.0
#: Compare-and-set tries before a draw gives up (it then refuses, like an empty bucket):
#: only replicas compete, one draw each at a time.
_TRIES = 8
#: Clients whose draw lock is kept; beyond it the table starts again.
_LOCKS_MAX = 10_000


@dataclass(slots=True)
class _Block:
    tokens: int
    until: float
    #: The shared bucket was empty when last asked: until then it cannot have a token
    #: (it refills at the rate whoever spends it), so a client over its limit is refused
    #: here, without a database round trip for each of its requests.
    refused_until: float = 0.0


class _Empty(Exception):
    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s


class SharedRateLimiter:
    """Implements the gateway's ``take(client_id)`` limit over a shared bucket per client."""

    def __init__(self, engine: Engine, *, rate_per_s: float, burst: int) -> None:
        self._engine = engine
        self._rate = rate_per_s
        self._burst = float(burst)
        # A twentieth of a second's rate: a database round trip per ~5% of the rate.
        self._block = max(1, min(burst, math.floor(rate_per_s / 20)))
        self._blocks: dict[str, _Block] = {}
        self._draw_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def take(self, client_id: str) -> None:
        """One request of ``client_id``; raises ``TooManyRequests`` when the shared bucket
        is empty."""
        if self._spend(client_id):
            return
        # One draw at a time per client in this process: many requests of one client
        # finding the block empty together would otherwise all draw, and lose to each
        # other's compare-and-set. The others wait here and spend the fresh block.
        with self._drawing(client_id):
            if self._spend(client_id):
                return
            try:
                drawn = self._draw(client_id)
            except SQLAlchemyError as exc:
                raise StoreUnavailable(
                    "the rate limit cannot be checked (database unavailable); retry later"
                ) from exc
            except _Empty as empty:
                now = time.monotonic()
                with self._lock:
                    self._blocks[client_id] = _Block(0, now, refused_until=now + empty.wait_s)
                raise self._over(client_id, empty.wait_s) from None
            with self._lock:
                self._blocks[client_id] = _Block(drawn - 1, time.monotonic() + BLOCK_LIFE_S)

    def _spend(self, client_id: str) -> bool:
        """Take one token from this process's block of ``client_id``, if it has one;
        raise at once while the shared bucket is known to be empty."""
        now = time.monotonic()
        with self._lock:
            block = self._blocks.get(client_id)
            if block is None:
                return False
            if block.refused_until > now:
                raise self._over(client_id, block.refused_until - now)
            if block.tokens > 0 and block.until > now:
                block.tokens -= 1
                return True
            return False

    def _over(self, client_id: str, wait_s: float) -> TooManyRequests:
        wait = max(1, math.ceil(wait_s))
        return TooManyRequests(
            f"client {client_id} is over {self._rate:g} requests a second; retry in {wait} s",
            retry_after_s=wait,
        )

    def _drawing(self, client_id: str) -> threading.Lock:
        with self._lock:
            lock = self._draw_locks.get(client_id)
            if lock is None:
                if len(self._draw_locks) >= _LOCKS_MAX:
                    self._draw_locks.clear()  # bounded; a lock in use stays held by its owner
                lock = self._draw_locks[client_id] = threading.Lock()
            return lock

    def _draw(self, client_id: str) -> int:
        """Take up to a block from the shared bucket; at least one, or raise."""
        for _ in range(_TRIES):
            now_ms = int(time.time() * 1000)
            with self._engine.begin() as connection:
                row = connection.execute(
                    select(_BUCKETS.c.tokens, _BUCKETS.c.updated_ms).where(
                        _BUCKETS.c.client_id == client_id
                    )
                ).first()
                if row is None:
                    try:
                        with connection.begin_nested():
                            connection.execute(
                                insert(_BUCKETS),
                                {
                                    "client_id": client_id,
                                    "tokens": self._burst - self._block,
                                    "updated_ms": now_ms,
                                },
                            )
                        return self._block
                    except IntegrityError:
                        continue  # another replica made it first: draw from it
                seen_tokens, seen_ms = float(row.tokens), int(row.updated_ms)
                elapsed_s = max(0, now_ms - seen_ms) / 1000
                tokens = min(self._burst, seen_tokens + elapsed_s * self._rate)
                if tokens < 1:
                    raise _Empty((1 - tokens) / self._rate)
                drawn = min(self._block, math.floor(tokens))
                changed = connection.execute(
                    update(_BUCKETS)
                    .where(
                        _BUCKETS.c.client_id == client_id,
                        _BUCKETS.c.updated_ms == seen_ms,
                    )
                    # A strictly later stamp, so a write between the read and this one is
                    # always seen as a change (no A-B-A).
                    .values(tokens=tokens - drawn, updated_ms=max(now_ms, seen_ms + 1))
                ).rowcount
            if changed == 1:
                return drawn
        raise TooManyRequests(
            f"client {client_id} is sending too many requests at once; retry in 1 s",
            retry_after_s=1,
        )
