"""Database helpers for fixtures."""

from __future__ import annotations


def fresh_postgres(url: str) -> str:
    """Empty the database's public schema, so each test module starts from nothing."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url
