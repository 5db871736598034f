"""The demo incident table: ``connectors/samples/police_incidents.sql`` loaded into a
SQLite file, for ``hub dev`` and for trying the connector without a command system.

The script is plain SQL that PostgreSQL runs as well (``psql -f``); SQLite is the demo's
database because it needs no server.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

SAMPLE_SQL = Path(__file__).resolve().parents[1] / "samples" / "police_incidents.sql"


def seed_sqlite(database: Path, script: Path = SAMPLE_SQL) -> str:
    """Create ``database`` afresh from ``script``; return its SQLAlchemy URL."""
    database.parent.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    with closing(sqlite3.connect(database)) as connection:
        connection.executescript(script.read_text(encoding="utf-8"))
        connection.commit()
    return f"sqlite:///{database}"
