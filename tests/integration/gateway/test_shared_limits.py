"""Rate limits and the token back-off shared through the database: two limiters on one
database stand for two gateway replicas, and together they hold one limit."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine

from hub.errors import TooManyRequests
from hub.gateway.auth.shared_failures import DatabaseFailures
from hub.gateway.auth.throttle import Backoff, TokenThrottle
from hub.gateway.shared_limits import SharedRateLimiter

PATIENT = Backoff(free=2, first_s=60.0, cap_s=120.0, forget_s=900.0)


def _allowed(limiter: SharedRateLimiter, client: str, tries: int) -> int:
    allowed = 0
    for _ in range(tries):
        try:
            limiter.take(client)
            allowed += 1
        except TooManyRequests:
            pass
    return allowed


def test_two_replicas_together_pass_no_more_than_one_burst(migrated_engine: Engine) -> None:
    """At a rate too slow to refill during the test, the two replicas between them let
    the burst through and refuse the rest. A limit kept per process would pass two."""
    replicas = [SharedRateLimiter(migrated_engine, rate_per_s=0.01, burst=10) for _ in range(2)]
    allowed = [0, 0]
    for n in range(40):
        allowed[n % 2] += _allowed(replicas[n % 2], "slow-client", 1)
    assert sum(allowed) == 10, allowed
    assert min(allowed) > 0, "both replicas drew on the one bucket"
    with pytest.raises(TooManyRequests) as refused:
        replicas[0].take("slow-client")
    assert refused.value.retry_after_s >= 1
    assert _allowed(replicas[1], "another-client", 3) == 3, "each client has its own bucket"


def test_concurrent_draws_never_hand_out_more_than_the_bucket_holds(
    migrated_engine: Engine,
) -> None:
    """Blocks are drawn by compare-and-set: eight threads over two replicas at a high
    rate get at most the burst plus what the rate refilled while they ran, and at least
    the burst less the blocks left unspent at the end."""
    rate, burst = 200.0, 400
    replicas = [SharedRateLimiter(migrated_engine, rate_per_s=rate, burst=burst) for _ in range(2)]
    counts: list[int] = []
    lock = threading.Lock()

    def hammer(limiter: SharedRateLimiter) -> None:
        got = _allowed(limiter, "fast-client", 250)
        with lock:
            counts.append(got)

    threads = [threading.Thread(target=hammer, args=(replicas[i % 2],)) for i in range(8)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    block = max(1, min(burst, int(rate / 20)))
    assert len(counts) == 8
    assert burst - 2 * block <= sum(counts) <= burst + rate * elapsed + 1, (sum(counts), elapsed)


def test_failures_on_one_replica_hold_back_tries_on_the_other(migrated_engine: Engine) -> None:
    first = TokenThrottle(
        by_address=PATIENT, by_client=PATIENT, store=DatabaseFailures(migrated_engine)
    )
    second = TokenThrottle(
        by_address=PATIENT, by_client=PATIENT, store=DatabaseFailures(migrated_engine)
    )
    assert first.blocking
    for _ in range(PATIENT.free + 1):
        first.failed("198.51.100.7", "health-dispatch")
    assert 50 < second.wait_s("198.51.100.7", None) <= 60, "the address waits on both"
    assert 50 < second.wait_s("203.0.113.9", "health-dispatch") <= 60, "so does the client"
    assert second.wait_s("203.0.113.9", "commerce-feed") == 0
    second.succeeded("198.51.100.7", "health-dispatch")
    assert first.wait_s("198.51.100.7", "health-dispatch") == 0, "a success forgets both"


def test_a_failure_past_the_memory_of_the_back_off_starts_the_count_again(
    migrated_engine: Engine,
) -> None:
    store = DatabaseFailures(migrated_engine)
    store.add("client:x", 1_000.0, forget_s=10)
    store.add("client:x", 1_005.0, forget_s=10)
    assert store.get("client:x") == (2, 1_005.0)
    store.add("client:x", 2_000.0, forget_s=10)
    assert store.get("client:x") == (1, 2_000.0)


def test_many_requests_of_one_client_at_once_are_not_refused_below_the_limit(
    migrated_engine: Engine,
) -> None:
    """Requests of one client that find its block empty together wait for one draw
    rather than all draw and lose each other's compare-and-set (which refused some of
    48 readers far below their limit)."""
    limiter = SharedRateLimiter(migrated_engine, rate_per_s=1_000, burst=2_000)
    refused: list[str] = []
    start = threading.Barrier(32)

    def burst() -> None:
        start.wait()
        for _ in range(20):
            try:
                limiter.take("busy-client")
            except TooManyRequests as exc:
                refused.append(exc.message)

    threads = [threading.Thread(target=burst) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not refused, refused[:3]


def test_a_client_over_its_limit_is_refused_without_asking_the_database(
    migrated_engine: Engine,
) -> None:
    """Once the shared bucket was found empty it cannot hold a token before it refills,
    so the flood that follows costs no database round trip per request."""
    from sqlalchemy import event

    limiter = SharedRateLimiter(migrated_engine, rate_per_s=0.1, burst=1)
    limiter.take("flooder")
    with pytest.raises(TooManyRequests):
        limiter.take("flooder")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(migrated_engine, "before_cursor_execute", count)
    try:
        for _ in range(100):
            with pytest.raises(TooManyRequests) as refused:
                limiter.take("flooder")
        assert 1 <= refused.value.retry_after_s <= 10
    finally:
        event.remove(migrated_engine, "before_cursor_execute", count)
    assert statements == [], "refused from memory while the bucket refills"
