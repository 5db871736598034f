"""Back-off for failed token requests, so guessing secrets is slow and cheap to refuse.

Each failure after the first few doubles how long the same key must wait before its
next try is even checked; a success or a quiet spell forgets the failures. A refused
try costs no secret check, which is what makes a flood cheap. Two keys are kept per
request: the address (one source guessing any ids) and the client id (many sources
guessing one). Both waits have a low cap, so an attacker can hold a legitimate client
back by seconds at most, never lock it out.

Failures are kept by a store: this process's memory (``MemoryFailures``) for one
gateway, or the database (``hub.gateway.auth.shared_failures``) when replicas share it,
so a guesser cannot go round the back-off by spreading tries over them.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Backoff:
    """Failures allowed before waiting, the first wait, the longest wait, and how long
    a key's failures are remembered after its last one."""

    free: int
    first_s: float
    cap_s: float
    forget_s: float


#: One address: ten tries, then 1 s, 2 s, 4 s ... up to 10 s. Systems behind one
#: address (a department's NAT) share it, so its cap is as low as the client's: a flood
#: is still refused cheaply, and a legitimate client next to it waits 10 s at most.
BY_ADDRESS = Backoff(free=10, first_s=1.0, cap_s=10.0, forget_s=900.0)
#: One client id, from anywhere: five tries, then up to 10 s between tries.
BY_CLIENT = Backoff(free=5, first_s=1.0, cap_s=10.0, forget_s=900.0)
#: Keys remembered at most (the oldest are forgotten first): memory stays bounded
#: whatever a flood of made-up ids and addresses sends.
KEYS_MAX = 100_000


class FailureStore(Protocol):
    """Where failures are counted: ``(count, last failure as epoch seconds)`` per key."""

    @property
    def blocking(self) -> bool:
        """True when its calls wait on I/O, so callers on an event loop hand them to a
        thread."""
        ...

    def get(self, key: str) -> tuple[int, float] | None: ...

    def add(self, key: str, now: float, forget_s: float) -> None:
        """One more failure of ``key`` at ``now``; failures older than ``forget_s`` are
        not counted."""
        ...

    def forget(self, key: str) -> None: ...


class MemoryFailures:
    """This process's failures, at most ``KEYS_MAX`` keys (the oldest go first)."""

    blocking = False

    def __init__(self) -> None:
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[int, float] | None:
        with self._lock:
            return self._failures.get(key)

    def add(self, key: str, now: float, forget_s: float) -> None:
        with self._lock:
            seen = self._failures.pop(key, None)
            fresh = seen is not None and now - seen[1] <= forget_s
            self._failures[key] = (seen[0] + 1 if fresh and seen else 1, now)  # newest last
            while len(self._failures) > KEYS_MAX:
                del self._failures[next(iter(self._failures))]

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class Throttle:
    def __init__(self, backoff: Backoff, store: FailureStore | None = None) -> None:
        self._backoff = backoff
        self._store = store if store is not None else MemoryFailures()

    def wait_s(self, key: str) -> float:
        """How long ``key`` must still wait before a try is checked (0: go ahead)."""
        seen = self._store.get(key)
        if seen is None:
            return 0.0
        count, last = seen
        now = time.time()
        if now - last > self._backoff.forget_s:
            return 0.0
        return max(0.0, last + self._delay(count) - now)

    def failed(self, key: str) -> None:
        self._store.add(key, time.time(), self._backoff.forget_s)

    def succeeded(self, key: str) -> None:
        self._store.forget(key)

    def _delay(self, failures: int) -> float:
        backoff = self._backoff
        over = failures - backoff.free
        if over <= 0:
            return 0.0
        return min(backoff.cap_s, backoff.first_s * math.pow(2, over - 1))


class TokenThrottle:
    """The two throttles of the token endpoint: by address and by client id."""

    def __init__(
        self,
        *,
        by_address: Backoff = BY_ADDRESS,
        by_client: Backoff = BY_CLIENT,
        store: FailureStore | None = None,
    ) -> None:
        store = store if store is not None else MemoryFailures()
        self.blocking = store.blocking
        # One store, two kinds of key: an address and a client id never collide.
        self._address = Throttle(by_address, _Prefixed(store, "address:"))
        self._client = Throttle(by_client, _Prefixed(store, "client:"))

    def wait_s(self, address: str, client_id: str | None) -> float:
        waits = [self._address.wait_s(address)]
        if client_id:
            waits.append(self._client.wait_s(client_id))
        return max(waits)

    def failed(self, address: str, client_id: str | None) -> None:
        self._address.failed(address)
        if client_id:
            self._client.failed(client_id)

    def succeeded(self, address: str, client_id: str) -> None:
        self._address.succeeded(address)
        self._client.succeeded(client_id)


@dataclass(frozen=True, slots=True)
class _Prefixed:
    """A store's keys of one kind."""

    store: FailureStore
    prefix: str

    @property
    def blocking(self) -> bool:
        return self.store.blocking

    def get(self, key: str) -> tuple[int, float] | None:
        return self.store.get(self.prefix + key)

    def add(self, key: str, now: float, forget_s: float) -> None:
        self.store.add(self.prefix + key, now, forget_s)

    def forget(self, key: str) -> None:
        self.store.forget(self.prefix + key)
