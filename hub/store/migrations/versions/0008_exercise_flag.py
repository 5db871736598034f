"""archive_events.exercise and an index by publish time, for the coordination report;
an index by district and time, so "since" in a district reads only the rows since then

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("archive_events") as table:
        table.add_column(
            sa.Column("exercise", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        "ix_archive_stream_published", "archive_events", ["stream", "published_ms"], unique=False
    )
    op.create_index(
        "ix_archive_stream_district_occurred",
        "archive_events",
        ["stream", "district", "occurred_ms"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_archive_stream_district_occurred", table_name="archive_events")
    op.drop_index("ix_archive_stream_published", table_name="archive_events")
    with op.batch_alter_table("archive_events") as table:
        table.drop_column("exercise")
