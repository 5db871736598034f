"""An audit writer of its own for tests that write rows without a gateway."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select, text

from hub.audit.entry import AuditEntry
from hub.audit.signing import CheckpointSigner, load_signer
from hub.audit.writer import AuditWriter
from hub.config import AuditSettings
from hub.store.models import AuditRow
from hub.tlog.canonical import FIELDS, canonical_parts
from hub.tlog.notes import Checkpoint
from hub.tlog.sealing import Head, seal

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


def rebuild(engine: Engine, signer: CheckpointSigner, *, origin: str, edit_seq: int) -> None:
    """What someone holding the database and the signing key can do: change a row, then
    rehash every row and tree node and sign a fresh checkpoint over the result."""
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_log SET agency = 'commerce' WHERE seq = :s"), {"s": edit_seq}
        )
        table = AuditRow.__table__
        rows = connection.execute(
            select(*(table.c[n] for n in FIELDS if n != "seq")).order_by(table.c.seq)
        ).mappings()
        head = Head()
        sealed, nodes = seal(head, [canonical_parts(dict(r)) for r in rows])
        for done in sealed:
            connection.execute(
                text("UPDATE audit_log SET leaf_hash = :l, chain_hash = :c WHERE seq = :s"),
                {"l": done.leaf_hash, "c": done.chain_hash, "s": done.seq},
            )
        connection.execute(text("DELETE FROM audit_tree"))
        for level, index, digest in nodes:
            connection.execute(
                text("INSERT INTO audit_tree (level, idx, hash) VALUES (:l, :i, :h)"),
                {"l": level, "i": index, "h": digest},
            )
        connection.execute(text("DELETE FROM audit_checkpoints"))
        note = signer.sign(Checkpoint(origin, head.size, head.frontier.root()).text())
        connection.execute(
            text("INSERT INTO audit_checkpoints (size, root, note, at) VALUES (:s, :r, :n, :a)"),
            {"s": head.size, "r": head.frontier.root().hex(), "n": note, "a": "2026-12-01"},
        )
