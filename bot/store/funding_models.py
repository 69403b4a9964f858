"""ORM model of the Förder-Finder: a user's remembered funding deadlines ("Frist merken").

Keyed by ``telegram_user_id`` so that /meine_daten and /daten_loeschen find it. The two flags
say which reminder (four weeks, one week before) went out; they survive restarts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.handoff_models import UtcDateTime
from bot.store.models import Base, utcnow


class DeadlineReminder(Base):
    __tablename__ = "funding_reminders"
    __table_args__ = (UniqueConstraint("telegram_user_id", "programme_id", "deadline"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    programme_id: Mapped[str] = mapped_column(String(41))
    programme: Mapped[str] = mapped_column(String(120))
    deadline: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(120), default="")
    sent_4w: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_1w: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
