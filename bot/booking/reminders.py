"""Reminders 24 h and 1 h before a booked consultation: when, in which words, exactly once.

The schedule is derived from the database, so it can be rebuilt at every start:

- a reminder is planned only when the booking was made earlier than its lead time (a booking
  three hours ahead gets no 24-hour reminder, only the short one);
- sending is claimed first (``claim``: a short lease in ``reminder_retry_at``, so two sweeps or
  two processes never send the same reminder at once), and ``mark_sent`` sets the flag only after
  Telegram accepted the message;
- a failed delivery is retried with backoff (``retry_later``) and given up after
  ``len(RETRY_BACKOFF)`` retries;
- the text says how much time is really left (``time_left``): "in 3 Stunden", "heute um 14:00",
  "morgen um 10:00".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import or_, select, update

from bot.booking.berlin import to_berlin
from bot.booking.bookings import BookingView, view_of
from bot.store.database import Database
from bot.store.handoff_models import Booking, Case, Slot
from bot.store.models import utcnow


class Lead(StrEnum):
    DAY = "24h"
    HOUR = "1h"


LEAD_TIMES = {Lead.DAY: timedelta(hours=24), Lead.HOUR: timedelta(hours=1)}
LEASE = timedelta(minutes=2)
"""How long a claimed reminder is reserved for the sender (longer than any send takes)."""
RETRY_BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=10),
)
"""Waits before the 1st, 2nd, ... retry of a reminder Telegram did not accept."""
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


@dataclass(frozen=True)
class Reminder:
    """A reminder to send: at ``due`` for ``booking``."""

    lead: Lead
    due: datetime
    booking: BookingView


def _flag(lead: Lead) -> str:
    return "reminded_24h" if lead == Lead.DAY else "reminded_1h"


def time_left(starts_at: datetime, now: datetime) -> str:
    """German words for when the appointment starts, seen from ``now`` (Berlin time)."""
    minutes = max(1, round((starts_at - now).total_seconds() / 60))
    if minutes < 45:
        return "in einer Minute" if minutes == 1 else f"in {minutes} Minuten"
    if minutes < 90:
        return "in einer Stunde"
    if minutes < 6 * 60:
        return f"in {round(minutes / 60)} Stunden"
    start, today = to_berlin(starts_at), to_berlin(now).date()
    clock = f"um {start:%H:%M} Uhr"
    days = (start.date() - today).days
    if days == 0:
        return f"heute {clock}"
    if days == 1:
        return f"morgen {clock}"
    return f"am {WEEKDAYS[start.weekday()]}, {start:%d.%m.}, {clock}"


class ReminderService:
    """Plans reminders from the bookings, claims them for sending and records the outcome."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def plan(self) -> list[Reminder]:
        """All reminders not yet sent for future bookings (due times may be in the past).

        A reminder waiting for a retry is due at its retry time.
        """
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
                    if getattr(booking, _flag(lead)):
                        continue
                    if slot.starts_at - booking.created_at <= delta:
                        continue  # booked closer than the lead time: this reminder makes no sense
                    due = slot.starts_at - delta
                    if booking.reminder_retry_at is not None:
                        due = max(due, booking.reminder_retry_at)
                    plan.append(Reminder(lead, due, view))
        return plan

    def due(self) -> list[Reminder]:
        """Reminders whose time has come; a missed 24 h reminder is skipped once the 1 h one is due."""
        now = self._clock()
        due = [r for r in self.plan() if r.due <= now]
        hourly = {r.booking.id for r in due if r.lead == Lead.HOUR}
        return [r for r in due if r.lead == Lead.HOUR or r.booking.id not in hourly]

    def claim(self, reminder: Reminder) -> bool:
        """Reserve the reminder for this sender; False when it is sent, gone or being sent."""
        now = self._clock()
        column = getattr(Booking, _flag(reminder.lead))
        with self._db.session() as session:
            result = session.execute(
                update(Booking)
                .where(
                    Booking.id == reminder.booking.id,
                    Booking.slot_id == reminder.booking.slot_id,
                    column.is_(False),
                    or_(Booking.reminder_retry_at.is_(None), Booking.reminder_retry_at <= now),
                )
                .values(reminder_retry_at=now + LEASE)
                .execution_options(synchronize_session=False)
            )
            return getattr(result, "rowcount", 0) == 1

    def mark_sent(self, reminder: Reminder) -> bool:
        """Record that Telegram accepted the reminder (the 1 h one settles the 24 h one as well)."""
        values: dict[str, object] = {
            _flag(reminder.lead): True,
            "reminder_retry_at": None,
            "reminder_attempts": 0,
        }
        if reminder.lead == Lead.HOUR:
            values["reminded_24h"] = True
        column = getattr(Booking, _flag(reminder.lead))
        with self._db.session() as session:
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

    def retry_later(self, reminder: Reminder) -> datetime | None:
        """After a failed delivery: when to try again, or None when the reminder is given up."""
        now = self._clock()
        with self._db.session() as session:
            row = session.get(Booking, reminder.booking.id, with_for_update=True)
            if row is None or row.slot_id != reminder.booking.slot_id:
                return None
            attempt = row.reminder_attempts
            if attempt >= len(RETRY_BACKOFF):
                setattr(row, _flag(reminder.lead), True)
                row.reminder_retry_at = None
                row.reminder_attempts = 0
                return None
            row.reminder_attempts = attempt + 1
            row.reminder_retry_at = now + RETRY_BACKOFF[attempt]
            return row.reminder_retry_at
