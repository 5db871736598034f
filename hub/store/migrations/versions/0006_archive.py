"""archive: every stream's events, indexed for history; the archiver's positions; read
receipts and acknowledgements

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archive_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=128), nullable=False),
        sa.Column("topic", sa.String(length=255), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("source_agency", sa.String(length=64), nullable=False),
        sa.Column("occurred_ms", sa.BigInteger(), nullable=False),
        sa.Column("published_ms", sa.BigInteger(), nullable=False),
        sa.Column("archived_ms", sa.BigInteger(), nullable=False),
        sa.Column("incident_id", sa.String(length=128), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("classification_code", sa.String(length=32), nullable=True),
        sa.Column("severity", sa.SmallInteger(), nullable=True),
        sa.Column("district", sa.String(length=12), nullable=True),
        sa.Column("sensitivity", sa.String(length=16), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=True),
        sa.Column("min_lon", sa.Float(), nullable=True),
        sa.Column("max_lat", sa.Float(), nullable=True),
        sa.Column("max_lon", sa.Float(), nullable=True),
        sa.Column("schema_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(
        "ix_archive_incident", "archive_events", ["incident_id", "occurred_ms"], unique=False
    )
    op.create_index(
        "ix_archive_position", "archive_events", ["topic", "partition", "offset"], unique=False
    )
    op.create_index(
        "ix_archive_stream_district", "archive_events", ["stream", "district", "id"], unique=False
    )
    op.create_index("ix_archive_stream_id", "archive_events", ["stream", "id"], unique=False)
    op.create_index(
        "ix_archive_stream_occurred", "archive_events", ["stream", "occurred_ms"], unique=False
    )
    op.create_table(
        "archive_positions",
        sa.Column("topic", sa.String(length=255), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("next_offset", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("topic", "partition"),
    )
    op.create_table(
        "event_acks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=128), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_acks_event", "event_acks", ["event_id", "at_ms"], unique=False)
    op.create_index(op.f("ix_event_acks_stream"), "event_acks", ["stream"], unique=False)
    op.create_table(
        "read_receipts",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=128), nullable=False),
        sa.Column("first_served_ms", sa.BigInteger(), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "agency"),
    )
    op.create_index(op.f("ix_read_receipts_stream"), "read_receipts", ["stream"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_read_receipts_stream"), table_name="read_receipts")
    op.drop_table("read_receipts")
    op.drop_index(op.f("ix_event_acks_stream"), table_name="event_acks")
    op.drop_index("ix_event_acks_event", table_name="event_acks")
    op.drop_table("event_acks")
    op.drop_table("archive_positions")
    op.drop_index("ix_archive_stream_occurred", table_name="archive_events")
    op.drop_index("ix_archive_stream_id", table_name="archive_events")
    op.drop_index("ix_archive_stream_district", table_name="archive_events")
    op.drop_index("ix_archive_position", table_name="archive_events")
    op.drop_index("ix_archive_incident", table_name="archive_events")
    op.drop_table("archive_events")
