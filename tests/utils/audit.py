"""An audit writer of its own for tests that write rows without a gateway."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from hub.audit.entry import AuditEntry
from hub.audit.signing import CheckpointSigner, load_signer
from hub.audit.writer import AuditWriter
from hub.config import AuditSettings

ORIGIN = "linkage.test/audit"


def entry(n: int, **changes: object) -> AuditEntry:
    fields: dict[str, object] = {
        "request_id": f"r{n}",
        "action": "events.read",
        "decision": "allow",
        "reason": "grant test-reads",
        "status": 200,
        "client_id": "health-app",
        "agency": "health",
        "stream": "meteorology.warning",
        "records": n,
    }
    fields.update(changes)
    return AuditEntry(**fields)  # type: ignore[arg-type]


@contextmanager
def audit_writer(
    engine: Engine, keys: Path, **settings: object
) -> Iterator[tuple[AuditWriter, CheckpointSigner]]:
    configured = AuditSettings(origin=ORIGIN, key_dir=keys, **settings)  # type: ignore[arg-type]
    signer = load_signer(keys, name=ORIGIN, create=True)
    writer = AuditWriter(engine, configured, signer)
    writer.start()
    try:
        yield writer, signer
    finally:
        writer.close()
