"""archive_events.category may be null: a routine event (an observation, a capacity or
stock count) describes no emergency, and the envelope's classification is optional

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("archive_events") as table:
        table.alter_column("category", existing_type=sa.String(length=32), nullable=True)


def downgrade() -> None:
    # An older hub cannot hold an unclassified event, and no category would be true of
    # one: refuse rather than invent one or drop archived events.
    unclassified = (
        op.get_bind()
        .execute(sa.text("SELECT COUNT(*) FROM archive_events WHERE category IS NULL"))
        .scalar_one()
    )
    if unclassified:
        raise RuntimeError(
            f"{unclassified} archived events have no classification; revision 0008 requires"
            " one on every event, so the archive cannot go back to it"
        )
    with op.batch_alter_table("archive_events") as table:
        table.alter_column("category", existing_type=sa.String(length=32), nullable=False)
