"""ORM models of the handoff and booking features: intakes, cases, relayed messages, slots, bookings.

Times are stored in UTC (``UtcDateTime`` returns aware datetimes on SQLite too). Everything that
belongs to a user is keyed by ``telegram_user_id`` so that /daten_loeschen can find it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.store.models import Base, utcnow


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetime stored as UTC; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store times timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Intake(Base):
    """A consultation request in progress (one per user; deleted on finish or /abbrechen)."""

    __tablename__ = "handoff_intakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    conversation_id: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(20))
    answers: Mapped[str] = mapped_column(Text, default="{}")
    trigger: Mapped[str] = mapped_column(String(20))
    wish: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Case(Base):
    """A consultation case handed to the advisors."""

    __tablename__ = "handoff_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    conversation_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), index=True, default="open")
    institution: Mapped[str] = mapped_column(String(200))
    institution_type: Mapped[str] = mapped_column(String(30))
    town: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    contact_method: Mapped[str] = mapped_column(String(20))
    contact_value: Mapped[str] = mapped_column(String(254), default="")
    trigger: Mapped[str] = mapped_column(String(20))
    wish: Mapped[str] = mapped_column(Text, default="")
    brief: Mapped[str] = mapped_column(Text)
    claimed_by: Mapped[int | None] = mapped_column(BigInteger, index=True)
    claimed_by_name: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class CaseMessage(Base):
    """A Rückfrage or an answer relayed between advisor and user."""

    __tablename__ = "handoff_case_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("handoff_cases.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[str] = mapped_column(String(10))
    sender_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CaseNotice(Base):
    """A message about a case in an advisor's chat, so that it can be updated or withdrawn.

    ``kind`` is ``case`` for the case notification (updated when claimed or closed) and ``relay``
    for a user's relayed answer; both are replaced by a notice when the user deletes their data.
    """

    __tablename__ = "handoff_case_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("handoff_cases.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10), default="case", server_default="case")


class PendingInput(Base):
    """The next free text of this user belongs to a relay (advisor question or user answer)."""

    __tablename__ = "handoff_pending_inputs"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("handoff_cases.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Slot(Base):
    """A consultation time an advisor offers."""

    __tablename__ = "booking_slots"
    __table_args__ = (UniqueConstraint("advisor_id", "starts_at", name="uq_slot_advisor_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    advisor_id: Mapped[int] = mapped_column(BigInteger, index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    format: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


ACTIVE_BOOKING = text("active")


class Booking(Base):
    """A booked slot. Cancelling deletes it.

    The database enforces both rules of booking: a UNIQUE ``slot_id`` (a slot is booked once) and
    a partial unique index on ``case_id`` over active bookings (one upcoming appointment per
    case). A booking stops being active once its slot has ended and the case books anew.
    Reminders: ``reminded_*`` are set only after Telegram accepted the message; a failed attempt
    sets ``reminder_retry_at`` (backoff) and counts ``reminder_attempts``.
    """

    __tablename__ = "booking_bookings"
    __table_args__ = (
        Index(
            "uq_booking_active_case",
            "case_id",
            unique=True,
            sqlite_where=ACTIVE_BOOKING,
            postgresql_where=ACTIVE_BOOKING,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("booking_slots.id", ondelete="RESTRICT"), unique=True
    )
    case_id: Mapped[int] = mapped_column(
        ForeignKey("handoff_cases.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    user_chat_id: Mapped[int] = mapped_column(BigInteger)
    advisor_id: Mapped[int] = mapped_column(BigInteger, index=True)
    reminded_24h: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_1h: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    reminder_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reminder_retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
