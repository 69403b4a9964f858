"""Handoff and booking: intakes, cases, relayed messages, notices, pending inputs, slots, bookings.

Revision ID: 0002_handoff
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_handoff"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "handoff_intakes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("telegram_user_id", sa.BigInteger, nullable=False, unique=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("wish", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "handoff_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("telegram_user_id", sa.BigInteger, nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("institution", sa.String(200), nullable=False),
        sa.Column("institution_type", sa.String(30), nullable=False),
        sa.Column("town", sa.String(120), nullable=False),
        sa.Column("topic", sa.String(30), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("contact_method", sa.String(20), nullable=False),
        sa.Column("contact_value", sa.String(254), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("wish", sa.Text, nullable=False),
        sa.Column("brief", sa.Text, nullable=False),
        sa.Column("claimed_by", sa.BigInteger),
        sa.Column("claimed_by_name", sa.String(120)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("claimed_at", TZ),
        sa.Column("closed_at", TZ),
    )
    op.create_index("ix_handoff_cases_telegram_user_id", "handoff_cases", ["telegram_user_id"])
    op.create_index("ix_handoff_cases_status", "handoff_cases", ["status"])
    op.create_index("ix_handoff_cases_claimed_by", "handoff_cases", ["claimed_by"])
    op.create_index("ix_handoff_cases_closed_at", "handoff_cases", ["closed_at"])
    op.create_table(
        "handoff_case_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("handoff_cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sender", sa.String(10), nullable=False),
        sa.Column("sender_id", sa.BigInteger, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_handoff_case_messages_case_id", "handoff_case_messages", ["case_id"])
    op.create_table(
        "handoff_case_notices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("handoff_cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_handoff_case_notices_case_id", "handoff_case_notices", ["case_id"])
    op.create_table(
        "handoff_pending_inputs",
        sa.Column("telegram_user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("handoff_cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_handoff_pending_inputs_case_id", "handoff_pending_inputs", ["case_id"])
    op.create_table(
        "booking_slots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("advisor_id", sa.BigInteger, nullable=False),
        sa.Column("starts_at", TZ, nullable=False),
        sa.Column("ends_at", TZ, nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("advisor_id", "starts_at", name="uq_slot_advisor_start"),
    )
    op.create_index("ix_booking_slots_advisor_id", "booking_slots", ["advisor_id"])
    op.create_index("ix_booking_slots_starts_at", "booking_slots", ["starts_at"])
    op.create_table(
        "booking_bookings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "slot_id",
            sa.Integer,
            sa.ForeignKey("booking_slots.id", ondelete="RESTRICT"),
            nullable=False,
            unique=True,
        ),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("handoff_cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("user_chat_id", sa.BigInteger, nullable=False),
        sa.Column("advisor_id", sa.BigInteger, nullable=False),
        sa.Column("reminded_24h", sa.Boolean, nullable=False),
        sa.Column("reminded_1h", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_booking_bookings_case_id", "booking_bookings", ["case_id"])
    op.create_index("ix_booking_bookings_user_id", "booking_bookings", ["user_id"])
    op.create_index("ix_booking_bookings_advisor_id", "booking_bookings", ["advisor_id"])


def downgrade() -> None:
    for table in (
        "booking_bookings",
        "booking_slots",
        "handoff_pending_inputs",
        "handoff_case_notices",
        "handoff_case_messages",
        "handoff_cases",
        "handoff_intakes",
    ):
        op.drop_table(table)
