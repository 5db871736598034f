"""schema references: the named types a schema takes from other subjects' versions

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_schema_references",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schema_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["schema_id"], ["registry_schemas.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("schema_id", "position", name="uq_schema_reference_position"),
    )
    with op.batch_alter_table("registry_schema_references", schema=None) as batch_op:
        batch_op.create_index("ix_schema_references_target", ["subject", "version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registry_schema_references", schema=None) as batch_op:
        batch_op.drop_index("ix_schema_references_target")
    op.drop_table("registry_schema_references")
