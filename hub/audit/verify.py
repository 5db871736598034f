"""Checking the stored log against itself, its signed checkpoints and witnesses' copies.

Every row's hashes are made again from its content (the stored hashes are only
compared, never trusted), the tree is rebuilt leaf by leaf, and at each checkpoint's
size its root must match the signed one. What this catches:

- an edited row (its content no longer makes its leaf hash);
- a deleted, inserted or reordered row (a seq gap, or the chain breaks where it was);
- a truncated tail (a signed checkpoint covers rows that are gone);
- a rebuilt log, rows rehashed and checkpoints re-signed by someone with the key: only
  against a witness's copy of an earlier checkpoint, which the new rows do not match.

A row appended at the end with correct hashes by someone who can write the database is
not caught: such a row is indistinguishable from a real one until it is checkpointed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Table, column, select

from hub.store.models import AuditCheckpoint, AuditRow, AuditTreeNode
from hub.tlog.canonical import GENESIS, SORTED_FIELDS, canonical_values, chain_hash
from hub.tlog.merkle import Frontier, leaf_hash
from hub.tlog.notes import NoteError, open_note, parse_checkpoint
from hub.tlog.sealing import STORED_LEVEL

_LOG = cast(Table, AuditRow.__table__)
_NODES = cast(Table, AuditTreeNode.__table__)
_CHECKPOINTS = cast(Table, AuditCheckpoint.__table__)


@dataclass(frozen=True, slots=True)
class Finding:
    #: The first row the problem touches; None for a problem of no single row.
    seq: int | None
    problem: str


@dataclass
class VerifyReport:
    rows: int = 0
    checkpoints: int = 0
    witnessed: int = 0
    root: bytes = b""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_bad_seq(self) -> int | None:
        seqs = [f.seq for f in self.findings if f.seq is not None]
        return min(seqs) if seqs else None


def open_signed(note: str, *, origin: str, keys: Sequence[Ed25519PublicKey]) -> tuple[int, bytes]:
    """The (size, root) a checkpoint note signs, once one of ``keys`` checks it."""
    errors = []
    for key in keys:
        try:
            checkpoint = parse_checkpoint(open_note(note, name=origin, key=key))
        except NoteError as exc:
            errors.append(str(exc))
            continue
        if checkpoint.origin != origin:
            raise NoteError(f"the checkpoint is of log {checkpoint.origin!r}, not {origin!r}")
        return checkpoint.size, checkpoint.root
    raise NoteError("; ".join(errors) or "no key to check the checkpoint with")


class ChainCheck:
    """Rows fed in seq order are checked against the chain, the kept tree nodes (when
    given) and the signed roots; it stops at the first broken row, since all after it
    follow from it. The monitor keeps one and feeds it new rows as they come."""

    def __init__(
        self,
        report: VerifyReport,
        *,
        signed: dict[int, bytes],
        witnessed: dict[int, bytes] | None = None,
        nodes: dict[tuple[int, int], str] | None = None,
    ) -> None:
        self.report = report
        self.signed = signed
        self.witnessed = witnessed or {}
        self.nodes = nodes
        self.frontier = Frontier()
        self.previous = GENESIS
        self.last_good = 0
        self.stopped = False

    @property
    def size(self) -> int:
        return self.frontier.size

    def feed(self, row: Sequence[Any]) -> bool:
        """Check one more row, its values as :data:`ROW_COLUMNS` selects them; False once
        the check has stopped at a broken one."""
        if self.stopped:
            return False
        seq = self.frontier.size
        checked = _check_row(row, seq, self.previous)
        if isinstance(checked, str):
            return self._stop(Finding(seq, checked))
        digest, self.previous = checked
        for level, index, node in self.frontier.append(digest):
            if (
                self.nodes is not None
                and level >= STORED_LEVEL
                and self.nodes.pop((level, index), None) != node.hex()
            ):
                self.report.findings.append(
                    Finding(index << level, f"tree node {level}/{index} is missing or altered")
                )
        size = self.frontier.size
        if size in self.signed or size in self.witnessed:
            root = self.frontier.root()
            for label, roots in (
                ("checkpoint", self.signed),
                ("witness's checkpoint", self.witnessed),
            ):
                if size in roots and roots[size] != root:
                    return self._stop(
                        Finding(
                            self.last_good,
                            f"rows 0 to {size - 1} do not make the {label} of size {size}: "
                            f"the log was rewritten after seq {self.last_good - 1}, at or "
                            f"before seq {size - 1}",
                        )
                    )
            self.last_good = size
        return True

    def _stop(self, finding: Finding) -> bool:
        self.report.findings.append(finding)
        self.stopped = True
        return False


#: A row as verification reads it: the hashed fields in canonical order, then its hashes.
ROW_COLUMNS = [_LOG.c[name] for name in SORTED_FIELDS] + [_LOG.c.leaf_hash, _LOG.c.chain_hash]
#: The same columns untyped: read as the database holds them, no conversion per row.
_UNTYPED: list[Any] = [column(c.name) for c in ROW_COLUMNS]
_ALL_ROWS = select(*_UNTYPED).select_from(_LOG).order_by(column("seq"))
_SEQ = SORTED_FIELDS.index("seq")
_FIELD_COUNT = len(SORTED_FIELDS)


def verify_log(
    connection: Connection,
    *,
    origin: str,
    keys: Sequence[Ed25519PublicKey],
    witness: Sequence[str] = (),
    batch: int = 5_000,
) -> VerifyReport:
    """Check every row, the tree and every checkpoint; ``witness`` holds the signed notes
    a witness kept."""
    report = VerifyReport()
    signed = signed_checkpoints(connection, origin, keys, report)
    witnessed = _witnessed(witness, origin, keys, signed, report)
    nodes = {
        (level, index): digest
        for level, index, digest in connection.execute(
            select(_NODES.c.level, _NODES.c.idx, _NODES.c.hash)
        )
    }
    check = ChainCheck(report, signed=signed, witnessed=witnessed, nodes=nodes)
    # The values as the database holds them, with no conversion per row (a full pass
    # reads millions): the canonical form takes SQLite's stored time text as it is.
    rows = connection.execution_options(yield_per=batch).execute(_ALL_ROWS)
    for row in rows:
        if not check.feed(row):
            break
    rows.close()
    report.rows = check.size
    report.root = check.frontier.root()
    if not report.findings:
        _check_tail(report, signed, witnessed, nodes)
    return report


def _check_row(row: Sequence[Any], seq: int, previous: bytes) -> tuple[bytes, bytes] | str:
    """The row's leaf hash and chain hash, made again; or what is wrong with it."""
    stored_seq = row[_SEQ]
    if stored_seq != seq:
        if isinstance(stored_seq, int) and stored_seq > seq:
            return f"row seq {seq} is missing (the next row is seq {stored_seq})"
        return f"row seq {stored_seq} stands where seq {seq} should"
    leaf = canonical_values(row[:_FIELD_COUNT])
    digest = leaf_hash(leaf)
    if digest.hex() != row[_FIELD_COUNT]:
        return f"row seq {seq} was changed: its content does not make its leaf hash"
    chained = chain_hash(leaf, previous)
    if chained.hex() != row[_FIELD_COUNT + 1]:
        return (
            f"the chain breaks at seq {seq}: a row was inserted, removed or moved there, "
            "or its hashes were rewritten"
        )
    return digest, chained


def signed_checkpoints(
    connection: Connection, origin: str, keys: Sequence[Ed25519PublicKey], report: VerifyReport
) -> dict[int, bytes]:
    signed: dict[int, bytes] = {}
    for size, root, note in connection.execute(
        select(_CHECKPOINTS.c.size, _CHECKPOINTS.c.root, _CHECKPOINTS.c.note).order_by(
            _CHECKPOINTS.c.size
        )
    ):
        report.checkpoints += 1
        try:
            signed_size, signed_root = open_signed(note, origin=origin, keys=keys)
        except NoteError as exc:
            report.findings.append(Finding(None, f"checkpoint {size}: {exc}"))
            continue
        if signed_size != size or signed_root.hex() != root:
            report.findings.append(
                Finding(None, f"checkpoint {size}: its columns differ from what its note signs")
            )
            continue
        signed[size] = signed_root
    return signed


def _witnessed(
    notes: Sequence[str],
    origin: str,
    keys: Sequence[Ed25519PublicKey],
    signed: dict[int, bytes],
    report: VerifyReport,
) -> dict[int, bytes]:
    kept: dict[int, bytes] = {}
    for note in notes:
        try:
            size, root = open_signed(note, origin=origin, keys=keys)
        except NoteError as exc:
            report.findings.append(Finding(None, f"a witness's checkpoint: {exc}"))
            continue
        report.witnessed += 1
        if size in signed and signed[size] != root:
            report.findings.append(
                Finding(
                    None,
                    f"the log's checkpoint of size {size} differs from the one a witness "
                    "kept: checkpoints were signed again over other rows",
                )
            )
        kept[size] = root
    return kept


def _check_tail(
    report: VerifyReport,
    signed: dict[int, bytes],
    witnessed: dict[int, bytes],
    nodes: dict[tuple[int, int], str],
) -> None:
    covered = max([*signed, *witnessed], default=0)
    if covered > report.rows:
        report.findings.append(
            Finding(
                report.rows,
                f"rows from seq {report.rows} on are missing: a signed checkpoint covers "
                f"{covered} rows, the log holds {report.rows}",
            )
        )
    if nodes:
        level, index = min(nodes)
        report.findings.append(
            Finding(index << level, f"tree node {level}/{index} stands beyond the rows")
        )
