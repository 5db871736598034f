"""rate_buckets and login_failures: request rate limits and the token endpoint's back-off
kept in the database, so that several gateway replicas enforce one limit

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("client_id", sa.String(length=128), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(length=320), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_login_failures_last_ms", "login_failures", ["last_ms"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_last_ms", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_table("rate_buckets")
