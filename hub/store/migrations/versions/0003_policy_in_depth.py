"""policy in depth: what each read was allowed for and saw; emergencies; reviews

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("grant_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("policy_version", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("masked", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("emergency_id", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("review_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_audit_log_review_required", ["review_required"], unique=False)
    op.create_table(
        "audit_reviews",
        sa.Column("audit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["audit_id"], ["audit_log.id"]),
        sa.PrimaryKeyConstraint("audit_id"),
    )
    op.create_table(
        "emergencies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("districts", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_by", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("emergencies", schema=None) as batch_op:
        batch_op.create_index("ix_emergencies_declared_at", ["declared_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("emergencies", schema=None) as batch_op:
        batch_op.drop_index("ix_emergencies_declared_at")
    op.drop_table("emergencies")
    op.drop_table("audit_reviews")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_review_required")
        for column in (
            "review_required",
            "emergency_id",
            "masked",
            "policy_version",
            "grant_id",
            "purpose",
        ):
            batch_op.drop_column(column)
