"""Remembered deadlines: reminders four weeks and one week before, each sent once.

What is due is derived from the database (two flags per reminder), so a restart loses nothing;
marking a reminder sent is a conditional UPDATE, so two sweeps never send it twice. "today" comes
from an injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.funding.deadlines import Due
from bot.store.database import Database
from bot.store.funding_models import DeadlineReminder

MAX_PER_USER = 30


class Lead(StrEnum):
    FOUR_WEEKS = "4w"
    ONE_WEEK = "1w"


LEADS = {Lead.FOUR_WEEKS: timedelta(weeks=4), Lead.ONE_WEEK: timedelta(weeks=1)}


@dataclass(frozen=True)
class Remembered:
    """One remembered deadline of a user."""

    id: int
    user_id: int
    chat_id: int
    programme_id: str
    programme: str
    deadline: date
    label: str


@dataclass(frozen=True)
class DueReminder:
    lead: Lead
    reminder: Remembered


def _view(row: DeadlineReminder) -> Remembered:
    return Remembered(
        row.id,
        row.telegram_user_id,
        row.chat_id,
        row.programme_id,
        row.programme,
        row.deadline,
        row.label,
    )


def _flag(lead: Lead) -> str:
    return "sent_4w" if lead is Lead.FOUR_WEEKS else "sent_1w"


class DeadlineReminders:
    """Stores remembered deadlines and tells which reminders are due."""

    def __init__(self, db: Database, today: Callable[[], date] = date.today) -> None:
        self._db = db
        self._today = today

    def remember(self, user_id: int, chat_id: int, due: Due) -> bool:
        """Remember a coming deadline; False if it was already remembered or the list is full."""
        if due.day < self._today():
            return False
        with self._db.session() as session:
            count = len(
                session.scalars(
                    select(DeadlineReminder.id).where(DeadlineReminder.telegram_user_id == user_id)
                ).all()
            )
            if count >= MAX_PER_USER:
                return False
        try:
            with self._db.session() as session:
                session.add(
                    DeadlineReminder(
                        telegram_user_id=user_id,
                        chat_id=chat_id,
                        programme_id=due.programme_id,
                        programme=due.programme[:120],
                        deadline=due.day,
                        label=due.label[:120],
                        sent_4w=False,
                        sent_1w=False,
                    )
                )
        except IntegrityError:
            return False
        return True

    def listing(self, user_id: int) -> list[Remembered]:
        """The user's remembered deadlines that are still to come, soonest first."""
        with self._db.session() as session:
            rows = session.scalars(
                select(DeadlineReminder)
                .where(
                    DeadlineReminder.telegram_user_id == user_id,
                    DeadlineReminder.deadline >= self._today(),
                )
                .order_by(DeadlineReminder.deadline, DeadlineReminder.id)
            ).all()
            return [_view(row) for row in rows]

    def forget(self, user_id: int, reminder_id: int) -> bool:
        """Remove one of the user's reminders; False if it is not theirs or gone."""
        with self._db.session() as session:
            result = session.execute(
                delete(DeadlineReminder).where(
                    DeadlineReminder.id == reminder_id, DeadlineReminder.telegram_user_id == user_id
                )
            )
            return getattr(result, "rowcount", 0) == 1

    def due(self) -> list[DueReminder]:
        """Reminders whose time has come and that were not sent; a missed four-week reminder
        is dropped once the one-week reminder is due."""
        today = self._today()
        with self._db.session() as session:
            rows = session.scalars(
                select(DeadlineReminder)
                .where(
                    DeadlineReminder.deadline >= today,
                    DeadlineReminder.deadline <= today + LEADS[Lead.FOUR_WEEKS],
                    DeadlineReminder.sent_1w.is_(False),
                )
                .order_by(DeadlineReminder.deadline, DeadlineReminder.id)
            ).all()
            found = []
            for row in rows:
                if row.deadline - LEADS[Lead.ONE_WEEK] <= today:
                    found.append(DueReminder(Lead.ONE_WEEK, _view(row)))
                elif not row.sent_4w:
                    found.append(DueReminder(Lead.FOUR_WEEKS, _view(row)))
            return found

    def mark_sent(self, due: DueReminder) -> bool:
        """Claim a reminder for sending; False when another sweep already did."""
        values = {_flag(due.lead): True}
        if due.lead is Lead.ONE_WEEK:
            values["sent_4w"] = True
        with self._db.session() as session:
            result = session.execute(
                update(DeadlineReminder)
                .where(
                    DeadlineReminder.id == due.reminder.id,
                    getattr(DeadlineReminder, _flag(due.lead)).is_(False),
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return getattr(result, "rowcount", 0) == 1

    def release(self, due: DueReminder) -> None:
        """Undo a claim whose message did not reach Telegram, so that the next sweep retries."""
        with self._db.session() as session:
            session.execute(
                update(DeadlineReminder)
                .where(DeadlineReminder.id == due.reminder.id)
                .values(**{_flag(due.lead): False})
                .execution_options(synchronize_session=False)
            )

    def delete_user(self, user_id: int) -> int:
        """Delete every reminder of a user (/daten_loeschen)."""
        with self._db.session() as session:
            result = session.execute(
                delete(DeadlineReminder).where(DeadlineReminder.telegram_user_id == user_id)
            )
            return int(getattr(result, "rowcount", 0) or 0)
