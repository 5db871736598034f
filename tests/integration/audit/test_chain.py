"""The stored chain and tree on SQLite and PostgreSQL: written by the real writer,
proved with RFC 9162 proofs, and every tamper class caught by `verify_log`."""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from hub.audit.entry import stored_values
from hub.audit.head import load_head
from hub.audit.proofs import AuditProofs
from hub.audit.signing import CheckpointSigner
from hub.audit.verify import verify_log
from hub.config import DatabaseSettings
from hub.store.engine import make_engine
from hub.store.migrate import upgrade
from hub.tlog.merkle import leaf_hash
from hub.tlog.notes import open_note, parse_checkpoint
from tests.unit.tlog import rfc9162
from tests.utils.audit import ORIGIN, audit_writer, entry, rebuild

pytestmark = pytest.mark.postgres

ROWS = 40


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    return migrated_engine


@pytest.fixture
def written(engine: Engine, tmp_path: Path) -> CheckpointSigner:
    """ROWS rows, checkpointed every 10 (and at the first)."""
    with audit_writer(engine, tmp_path / "keys", checkpoint_rows=10) as (writer, signer):
        for n in range(ROWS):
            writer.record(entry(n))
    return signer


def check(engine: Engine, signer: CheckpointSigner, witness: list[str] | None = None):
    with engine.connect() as connection:
        return verify_log(
            connection, origin=ORIGIN, keys=[signer.key.public_key()], witness=witness or []
        )


def test_an_untouched_log_verifies_and_its_proofs_check(
    engine: Engine, written: CheckpointSigner
) -> None:
    report = check(engine, written)
    assert report.ok, report.findings
    # At the first row, every 10 rows after, and when the writer closed.
    assert (report.rows, report.checkpoints) == (ROWS, 5)
    proofs = AuditProofs(engine)
    checkpoints = proofs.checkpoints()
    assert [c.size for c in checkpoints] == [1, 11, 21, 31, 40]
    public = written.key.public_key()
    roots = {}
    for checkpoint in checkpoints:
        signed = parse_checkpoint(open_note(checkpoint.note, name=ORIGIN, key=public))
        assert (signed.size, signed.root) == (checkpoint.size, checkpoint.root)
        roots[signed.size] = signed.root
    assert roots[ROWS] == report.root
    for seq in (0, 1, 9, 17, 39):
        proof = proofs.inclusion(seq=seq, size=ROWS)
        assert proof.leaf_index == seq
        assert rfc9162.verify_inclusion(seq, ROWS, proof.leaf_hash, proof.audit_path, roots[ROWS])
    for old in (1, 11, 21, 31):
        step = proofs.consistency(first=old, second=ROWS)
        assert rfc9162.verify_consistency(old, ROWS, roots[old], roots[ROWS], step.path)
    # The head read back from the database is the one the writer kept.
    with engine.connect() as connection:
        head = load_head(connection)
    assert head.size == ROWS and head.frontier.root() == roots[ROWS]


def _first(engine: Engine, signer: CheckpointSigner, witness: list[str] | None = None):
    report = check(engine, signer, witness)
    assert not report.ok
    return report.first_bad_seq, report.findings[0].problem


def test_an_edited_row_is_named(engine: Engine, written: CheckpointSigner) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 5"))
    seq, problem = _first(engine, written)
    assert seq == 5 and "was changed" in problem


def test_a_deleted_row_is_named(engine: Engine, written: CheckpointSigner) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 7"))
    seq, problem = _first(engine, written)
    assert seq == 7 and "row seq 7 is missing" in problem


def test_an_inserted_row_is_named(engine: Engine, written: CheckpointSigner) -> None:
    """A forged row slipped in at seq 12, with hashes right for its place; the rows
    after it moved up one."""
    from hub.tlog.canonical import canonical, chain_hash

    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= 12"))
        connection.execute(text("UPDATE audit_log SET seq = -seq WHERE seq < 0"))
        previous = bytes.fromhex(
            connection.execute(text("SELECT chain_hash FROM audit_log WHERE seq = 11")).scalar_one()
        )
        forged = entry(99, request_id="forged", agency="commerce")
        values = {**stored_values(forged), "seq": 12}
        leaf = canonical(values)
        connection.execute(
            text(
                "INSERT INTO audit_log (seq, at, request_id, action, decision, reason, status,"
                " client_id, agency, stream, records, review_required, leaf_hash, chain_hash)"
                " VALUES (:seq, :at, :request_id, :action, :decision, :reason, :status,"
                " :client_id, :agency, :stream, :records, :review_required, :leaf, :chain)"
            ),
            {
                **values,
                "leaf": leaf_hash(leaf).hex(),
                "chain": chain_hash(leaf, previous).hex(),
            },
        )
    seq, problem = _first(engine, written)
    assert seq == 13 and "row seq 13 was changed" in problem


def test_reordered_rows_are_named(engine: Engine, written: CheckpointSigner) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = 3"))
        connection.execute(text("UPDATE audit_log SET seq = 3 WHERE seq = 4"))
        connection.execute(text("UPDATE audit_log SET seq = 4 WHERE seq = -1"))
    seq, problem = _first(engine, written)
    assert seq == 3 and "row seq 3 was changed" in problem


def test_a_truncated_tail_is_caught_against_the_last_checkpoint(
    engine: Engine, written: CheckpointSigner
) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq >= 35"))
        connection.execute(text("DELETE FROM audit_tree WHERE (idx + 1) * power(2, level) > 35"))
    seq, problem = _first(engine, written)
    assert seq == 35 and "rows from seq 35 on are missing" in problem
    assert "covers 40 rows" in problem


def test_a_rebuilt_log_is_caught_only_against_a_witness(
    engine: Engine, written: CheckpointSigner, tmp_path: Path
) -> None:
    """Someone holding the database and the signing key rewrites row 5, rehashes every
    row and tree node after it and signs fresh checkpoints: the log agrees with itself.
    A witness's copy of an earlier checkpoint does not."""
    witness = [c.note for c in AuditProofs(engine).checkpoints()]
    rebuild(engine, written, origin=ORIGIN, edit_seq=5)
    assert check(engine, written).ok, "a rebuilt log agrees with itself"
    seq, problem = _first(engine, written, witness)
    assert seq == 1, "the last size both agree on is 1: the rewrite is in rows 1 to 10"
    assert "checkpoints were signed again" in problem or "do not make" in problem
    report = check(engine, written, witness)
    assert any("after seq 0, at or before seq 10" in f.problem for f in report.findings)


def test_writers_in_parallel_extend_one_chain(engine: Engine, tmp_path: Path) -> None:
    """Two writers on one database, as two gateway processes have, and many threads
    each: every row gets its own seq, with no gap and no fork."""
    with (
        audit_writer(engine, tmp_path / "keys", checkpoint_rows=25) as (first, signer),
        audit_writer(engine, tmp_path / "keys", checkpoint_rows=25) as (second, _),
    ):
        seqs: list[int] = []
        lock = threading.Lock()

        def work(writer, start: int) -> None:
            for n in range(start, start + 30):
                seq = writer.record(entry(n))
                with lock:
                    seqs.append(seq)

        threads = [
            threading.Thread(target=work, args=(w, i * 100))
            for i, w in enumerate([first, second, first, second])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(seqs) == list(range(120))
    report = check(engine, signer)
    assert report.ok, report.findings
    assert report.rows == 120


def test_the_note_s_root_is_base64_of_the_stored_root(
    engine: Engine, written: CheckpointSigner
) -> None:
    latest = AuditProofs(engine).latest_checkpoint()
    assert latest is not None and latest.size == ROWS
    assert latest.note.splitlines()[:3] == [
        ORIGIN,
        str(ROWS),
        base64.b64encode(latest.root).decode(),
    ]


def test_rows_written_before_the_chain_existed_are_sealed_by_the_migration(
    database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(DatabaseSettings(url=database_url))
    try:
        upgrade(engine, "0003")
        with engine.begin() as connection:
            for n in range(20):
                connection.execute(
                    text(
                        "INSERT INTO audit_log (at, request_id, action, decision, reason, records,"
                        " status, review_required) VALUES (:at, :r, 'events.read', 'allow', 'x',"
                        " 0, 200, false)"
                    ),
                    {"at": f"2026-11-30 08:00:{n:02d}", "r": f"old-{n}"},
                )
        upgrade(engine)
        with audit_writer(engine, tmp_path / "keys") as (writer, signer):
            assert writer.record(entry(20)) == 20, "new rows go on from the sealed ones"
        report = check(engine, signer)
        assert report.ok, report.findings
        assert report.rows == 21
    finally:
        engine.dispose()
