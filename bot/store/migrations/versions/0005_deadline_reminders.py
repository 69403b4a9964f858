"""Förder-Finder: remembered funding deadlines with their two reminder flags.

Revision ID: funding_0003
Revises: service_telegram_updates
"""

import sqlalchemy as sa
from alembic import op

revision = "funding_0003"
down_revision = "service_telegram_updates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "funding_reminders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("telegram_user_id", sa.BigInteger, nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("programme_id", sa.String(41), nullable=False),
        sa.Column("programme", sa.String(120), nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("sent_4w", sa.Boolean, nullable=False),
        sa.Column("sent_1w", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("telegram_user_id", "programme_id", "deadline"),
    )
    op.create_index(
        "ix_funding_reminders_telegram_user_id", "funding_reminders", ["telegram_user_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_funding_reminders_telegram_user_id", table_name="funding_reminders")
    op.drop_table("funding_reminders")
