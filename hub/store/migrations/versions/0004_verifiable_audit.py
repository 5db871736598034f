"""verifiable audit: rows hash-chained and the leaves of a Merkle tree; checkpoints

Rows written before this revision are sealed here, in id order, so the chain covers
the whole log from its first row.

Revision ID: 0004
Revises: 0003
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from hub.tlog.canonical import FIELDS, canonical_parts
from hub.tlog.sealing import Head, seal

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger()


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", _BIG, nullable=True))
        batch_op.add_column(sa.Column("resource", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("leaf_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_tree",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("idx", _BIG, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx"),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("size", _BIG, autoincrement=False, nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size"),
    )
    _seal_existing_rows()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=_BIG, nullable=False)
        batch_op.alter_column("leaf_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("chain_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index("ix_audit_log_seq", ["seq"], unique=True)


def _seal_existing_rows() -> None:
    connection = op.get_bind()
    log = sa.table(
        "audit_log",
        sa.column("id"),
        sa.column("seq"),
        sa.column("leaf_hash"),
        sa.column("chain_hash"),
        # Typed, so that SQLite hands the time back as a datetime, as the writer had it.
        *(_column(name) for name in FIELDS if name != "seq"),
    )
    tree = sa.table("audit_tree", sa.column("level"), sa.column("idx"), sa.column("hash"))
    columns = [log.c[name] for name in FIELDS if name != "seq"]
    rows = connection.execute(sa.select(log.c.id, *columns).order_by(log.c.id)).mappings().all()
    head = Head()
    sealed, nodes = seal(head, [canonical_parts(dict(row)) for row in rows])
    for row, done in zip(rows, sealed, strict=True):
        connection.execute(
            log.update()
            .where(log.c.id == row["id"])
            .values(seq=done.seq, leaf_hash=done.leaf_hash, chain_hash=done.chain_hash)
        )
    if nodes:
        connection.execute(
            tree.insert(), [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in nodes]
        )


def _column(name: str) -> sa.ColumnClause[Any]:
    if name == "at":
        return sa.column(name, sa.DateTime(timezone=True))
    if name == "review_required":
        return sa.column(name, sa.Boolean())
    return sa.column(name)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_seq")
        for column in ("chain_hash", "leaf_hash", "resource", "seq"):
            batch_op.drop_column(column)
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_tree")
