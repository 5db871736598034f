"""The ledger of event ids published over HTTP, on SQLite and PostgreSQL: a claim is
one request's, a repeat finds it, a claim whose publisher died is taken over."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine

from hub.publishing.ledger import InFlight, Landed, PublishLedger

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    return migrated_engine


def test_a_claim_is_the_first_requests_and_a_repeat_finds_it(engine: Engine) -> None:
    ledger = PublishLedger(engine)
    assert ledger.claim(["a", "b"], "s", "one") == {"a", "b"}
    assert ledger.claim(["b", "c"], "s", "two") == {"c"}, "b is the first request's"
    assert ledger.landed(["a", "b", "c", "d"]) == {e: InFlight("s") for e in "abc"}
    ledger.record([Landed("b", "s", 0, 7)])
    assert ledger.landed(["b"]) == {"b": Landed("b", "s", 0, 7)}
    assert ledger.claim(["b"], "s", "three") == set(), "a landed id is never claimed again"


def test_a_claim_left_by_a_dead_publisher_is_taken_over(engine: Engine) -> None:
    patient, impatient = PublishLedger(engine, stale_s=60), PublishLedger(engine, stale_s=0.2)
    assert patient.claim(["a", "b"], "s", "dead") == {"a", "b"}
    patient.record([Landed("b", "s", 0, 1)])
    assert patient.claim(["a", "c"], "s", "early") == {"c"}, "not stale yet"
    time.sleep(0.5)  # older than 0.2 s; a slow machine only makes it older
    assert impatient.claim(["a", "b", "d"], "s", "late") == {"a", "d"}, "b landed already"
    assert patient.claim(["a"], "s", "later") == set(), "the taker's claim is fresh"


def test_a_failed_publish_releases_its_claims_only(engine: Engine) -> None:
    ledger = PublishLedger(engine)
    ledger.claim(["a", "b"], "s", "one")
    ledger.record([Landed("a", "s", 0, 3)])
    ledger.release(["a", "b"])
    assert ledger.landed(["a", "b"]) == {"a": Landed("a", "s", 0, 3)}
    assert ledger.claim(["b"], "s", "two") == {"b"}
