"""Reminders 24 h and 1 h before a booked consultation.

The schedule is derived from the database (``reminded_24h`` / ``reminded_1h`` flags), so it can
be rebuilt at every start; marking a reminder sent is a conditional UPDATE, so each goes out once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update

from bot.booking.bookings import BookingView, view_of
from bot.store.database import Database
from bot.store.handoff_models import Booking, Case, Slot
from bot.store.models import utcnow


class Lead(StrEnum):
    DAY = "24h"
    HOUR = "1h"


LEAD_TIMES = {Lead.DAY: timedelta(hours=24), Lead.HOUR: timedelta(hours=1)}


@dataclass(frozen=True)
class Reminder:
    """A reminder to send: at ``due`` for ``booking``."""

    lead: Lead
    due: datetime
    booking: BookingView


def _flag(lead: Lead) -> str:
    return "reminded_24h" if lead == Lead.DAY else "reminded_1h"


class ReminderService:
    """Plans reminders from the bookings and marks them sent."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def plan(self) -> list[Reminder]:
        """All reminders not yet sent for future bookings (due times may be in the past)."""
        now = self._clock()
        with self._db.session() as session:
            rows = session.execute(
                select(Booking, Slot, Case)
                .join(Slot, Slot.id == Booking.slot_id)
                .join(Case, Case.id == Booking.case_id)
                .where(Slot.starts_at > now)
                .order_by(Slot.starts_at)
            ).all()
            plan = []
            for booking, slot, case in rows:
                view = view_of(booking, slot, case)
                for lead, delta in LEAD_TIMES.items():
                    if not getattr(booking, _flag(lead)):
                        plan.append(Reminder(lead, slot.starts_at - delta, view))
        return plan

    def due(self) -> list[Reminder]:
        """Reminders whose time has come; a missed 24 h reminder is skipped once the 1 h one is due."""
        now = self._clock()
        due = [r for r in self.plan() if r.due <= now]
        hourly = {r.booking.id for r in due if r.lead == Lead.HOUR}
        return [r for r in due if r.lead == Lead.HOUR or r.booking.id not in hourly]

    def mark_sent(self, reminder: Reminder) -> bool:
        """Claim the reminder for sending; False when it was already sent or the booking is gone."""
        column = getattr(Booking, _flag(reminder.lead))
        with self._db.session() as session:
            values: dict[str, bool] = {_flag(reminder.lead): True}
            if reminder.lead == Lead.HOUR:
                values["reminded_24h"] = True
            result = session.execute(
                update(Booking)
                .where(
                    Booking.id == reminder.booking.id,
                    Booking.slot_id == reminder.booking.slot_id,
                    column.is_(False),
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return getattr(result, "rowcount", 0) == 1
