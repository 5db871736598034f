"""Database engine and sessions; SQLite by default, PostgreSQL in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hub.config import DatabaseSettings


def normalize_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs, the driver the ``postgres`` extra installs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(settings: DatabaseSettings) -> Engine:
    url = make_url(normalize_url(settings.url))
    kwargs: dict[str, Any] = {"echo": settings.echo}
    pooled = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.pool_overflow,
        "pool_timeout": settings.wait_s,
    }
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs.update(pooled)
        # The gateway serves requests from a thread pool.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pooled, pool_pre_ping=True)
        if settings.statement_timeout_s:
            timeout_ms = round(settings.statement_timeout_s * 1000)
            kwargs["connect_args"] = {"options": f"-c statement_timeout={timeout_ms}"}
    engine = create_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (audit queries) run while the gateway writes audit rows.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
