"""Settings for tests: everything under a temporary folder, nothing from the developer's env."""

from __future__ import annotations

from pathlib import Path

from hub.config import (
    PROJECT_ROOT,
    AuditSettings,
    AuthSettings,
    DatabaseSettings,
    GatewaySettings,
    KafkaSettings,
    LiveSettings,
    PolicySettings,
    Settings,
)

ISSUER = "http://127.0.0.1:8000"


def make_settings(
    tmp: Path,
    *,
    database_url: str | None = None,
    bootstrap: str | None = None,
    page_max: int = 1_000,
    policies_dir: Path | None = None,
    watch_s: float = 0.0,
    checkpoint_rows: int = 1_000,
    live: LiveSettings | None = None,
    docs: bool = True,
    body_timeout_s: float = 30.0,
    kafka_threads: int = 8,
    database_threads: int = 16,
    statement_timeout_s: float = 15.0,
    read_timeout_ms: int = 5_000,
) -> Settings:
    return Settings(
        env="test",
        var_dir=tmp / "var",
        policy=PolicySettings(mask_key_dir=tmp / "keys" / "masks", watch_s=watch_s),
        policies_dir=policies_dir or PROJECT_ROOT / "policies",
        database=DatabaseSettings(
            url=database_url or f"sqlite:///{tmp}/hub.db", statement_timeout_s=statement_timeout_s
        ),
        auth=AuthSettings(issuer=ISSUER, key_dir=tmp / "keys", audience="linkage"),
        kafka=KafkaSettings(
            bootstrap=bootstrap, fetch_max_wait_ms=10, read_timeout_ms=read_timeout_ms
        ),
        gateway=GatewaySettings(
            page_default=100,
            page_max=page_max,
            docs=docs,
            body_timeout_s=body_timeout_s,
            kafka_threads=kafka_threads,
            database_threads=database_threads,
        ),
        audit=AuditSettings(key_dir=tmp / "keys" / "audit", checkpoint_rows=checkpoint_rows),
        live=live or LiveSettings(),
    )
