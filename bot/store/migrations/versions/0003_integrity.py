"""Integrity and privacy: one active booking per case, reminder retries, kinds of case notices.

Revision ID: 0003_harden_data
Revises: 0002_handoff
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_harden_data"
down_revision = "0002_handoff"
branch_labels = None
depends_on = None

ACTIVE = sa.text("active")


def upgrade() -> None:
    with op.batch_alter_table("booking_bookings") as batch:
        batch.add_column(
            sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true"))
        )
        batch.add_column(
            sa.Column("reminder_attempts", sa.Integer, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("reminder_retry_at", sa.DateTime(timezone=True)))
    # Of several bookings of one case only the newest stays active (older ones are past or
    # the result of the race this index closes).
    op.execute(
        "UPDATE booking_bookings SET active = false WHERE id NOT IN "
        "(SELECT max(id) FROM booking_bookings GROUP BY case_id)"
    )
    op.create_index(
        "uq_booking_active_case",
        "booking_bookings",
        ["case_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    with op.batch_alter_table("handoff_case_notices") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="case"))


def downgrade() -> None:
    with op.batch_alter_table("handoff_case_notices") as batch:
        batch.drop_column("kind")
    op.drop_index("uq_booking_active_case", table_name="booking_bookings")
    with op.batch_alter_table("booking_bookings") as batch:
        batch.drop_column("reminder_retry_at")
        batch.drop_column("reminder_attempts")
        batch.drop_column("active")
