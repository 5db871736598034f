"""Shared fixtures: the real broker, real databases, real gateway stacks."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from hub.bus.broker import EmbeddedBroker
from hub.config import DatabaseSettings
from hub.store.engine import make_engine
from hub.store.migrate import upgrade
from tests.utils import spans
from tests.utils.databases import fresh_postgres

ON_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN = os.environ.get(
    "HUB_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def pytest_configure(config: pytest.Config) -> None:
    """Before any test makes a gateway: the tracer provider whose sampling a test can
    switch on (tests/utils/spans.py); off, it samples nothing, like the hub's default."""
    spans.install()


@pytest.fixture(scope="session")
def broker() -> Iterator[EmbeddedBroker]:
    """One embedded Tansu broker on a free port for the session, stopped by its own pid."""
    with EmbeddedBroker() as running:
        yield running
    assert running.pid is None


def _postgres_reachable() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {POSTGRES_ADMIN} is not reachable: {exc}"


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for the session; required on CI, skipped elsewhere."""
    problem = _postgres_reachable()
    if problem:
        if ON_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    import psycopg

    name = f"linkage_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database of each kind: store tests run on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db')}/hub.db"
    return fresh_postgres(request.getfixturevalue("postgres_database"))


@pytest.fixture
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty database of each kind, with every migration applied."""
    engine = make_engine(DatabaseSettings(url=database_url))
    upgrade(engine)
    yield engine
    engine.dispose()
