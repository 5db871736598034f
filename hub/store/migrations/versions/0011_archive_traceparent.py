"""archive_events.traceparent: the trace context each event was published under, so a
history read can link to the connector's publish span as the live feed does

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, with no default: events archived before stay without a link, which is
    # what they are (their headers were not kept).
    with op.batch_alter_table("archive_events") as table:
        table.add_column(sa.Column("traceparent", sa.String(length=55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("archive_events") as table:
        table.drop_column("traceparent")
