"""Telegram update ids taken in (each update processed once across replicas).

Revision ID: service_telegram_updates
Revises: 0003_harden_data
"""

import sqlalchemy as sa
from alembic import op

revision = "service_telegram_updates"
down_revision = "0003_harden_data"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_telegram_updates_received_at", "telegram_updates", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_telegram_updates_received_at", "telegram_updates")
    op.drop_table("telegram_updates")
