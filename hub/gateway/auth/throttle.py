"""Back-off for failed token requests, so guessing secrets is slow and cheap to refuse.

Each failure after the first few doubles how long the same key must wait before its
next try is even checked; a success or a quiet spell forgets the failures. A refused
try costs no secret check, which is what makes a flood cheap. Two keys are kept per
request: the address (one source guessing any ids) and the client id (many sources
guessing one). Both waits have a low cap, so an attacker can hold a legitimate client
back by seconds at most, never lock it out.

The state is this process's; replicas each keep their own (a shared store is the
production issue's).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


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


@dataclass(slots=True)
class _Failures:
    count: int
    last: float


class Throttle:
    def __init__(self, backoff: Backoff) -> None:
        self._backoff = backoff
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def wait_s(self, key: str) -> float:
        """How long ``key`` must still wait before a try is checked (0: go ahead)."""
        now = time.monotonic()
        with self._lock:
            seen = self._failures.get(key)
            if seen is None:
                return 0.0
            if now - seen.last > self._backoff.forget_s:
                del self._failures[key]
                return 0.0
            return max(0.0, seen.last + self._delay(seen.count) - now)

    def failed(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            seen = self._failures.pop(key, None)
            count = 1 if seen is None else seen.count + 1
            self._failures[key] = _Failures(count, now)  # re-inserted: newest last
            while len(self._failures) > KEYS_MAX:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _delay(self, failures: int) -> float:
        backoff = self._backoff
        over = failures - backoff.free
        if over <= 0:
            return 0.0
        return min(backoff.cap_s, backoff.first_s * math.pow(2, over - 1))


class TokenThrottle:
    """The two throttles of the token endpoint: by address and by client id."""

    def __init__(self, *, by_address: Backoff = BY_ADDRESS, by_client: Backoff = BY_CLIENT) -> None:
        self._address = Throttle(by_address)
        self._client = Throttle(by_client)

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
