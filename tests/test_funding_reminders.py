"""Remembered funding deadlines on SQLite and PostgreSQL: each reminder fires once, also after a
restart (a new service over the same database), with "today" injected and no sleeping."""

from __future__ import annotations

from datetime import date, timedelta

from bot.funding.deadlines import Due
from bot.funding.reminders import DeadlineReminders, Lead
from bot.privacy import PrivacyService, render_my_data
from bot.store.database import Database
from bot.store.funding_models import DeadlineReminder  # noqa: F401  (register for TRUNCATE)
from tests.handoff_fixtures import OTHER_USER, USER, FakeClock

DEADLINE = date(2027, 2, 28)


def due(day: date = DEADLINE, programme_id: str = "lwl-kulturstiftung") -> Due:
    return Due(
        programme_id, "LWL-Kulturstiftung", "knowledge/x.md", day, None, "Antragsfrist", False, ()
    )


class Today:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


def test_reminders_fire_four_weeks_and_one_week_before_once_even_after_a_restart(
    db: Database,
) -> None:
    today = Today(date(2026, 12, 1))
    service = DeadlineReminders(db, today)
    assert service.remember(USER, USER, due())
    assert not service.remember(USER, USER, due())  # remembered once
    assert service.due() == []
    today.day = DEADLINE - timedelta(weeks=4)
    (first,) = service.due()
    assert first.lead is Lead.FOUR_WEEKS
    assert service.mark_sent(first)
    assert not service.mark_sent(first)  # a second sweep does not send it again
    restarted = DeadlineReminders(db, today)  # the bot restarts
    assert restarted.due() == []
    today.day = DEADLINE - timedelta(days=6)
    (second,) = restarted.due()
    assert second.lead is Lead.ONE_WEEK and restarted.mark_sent(second)
    assert DeadlineReminders(db, today).due() == []
    today.day = DEADLINE + timedelta(days=1)
    assert restarted.listing(USER) == []  # a past deadline is not listed


def test_a_reminder_that_did_not_reach_telegram_is_due_again(db: Database) -> None:
    today = Today(DEADLINE - timedelta(weeks=4))
    service = DeadlineReminders(db, today)
    assert service.remember(USER, USER, due())
    (claimed,) = service.due()
    assert service.mark_sent(claimed)
    assert service.due() == []
    service.release(claimed)  # the network failed: the next sweep sends it
    (again,) = service.due()
    assert again.lead is Lead.FOUR_WEEKS and service.mark_sent(again)
    assert service.due() == []


def test_a_missed_four_week_reminder_is_dropped_for_the_one_week_reminder(db: Database) -> None:
    today = Today(DEADLINE - timedelta(days=3))
    service = DeadlineReminders(db, today)
    assert service.remember(USER, USER, due())
    (only,) = service.due()
    assert only.lead is Lead.ONE_WEEK and service.mark_sent(only)
    assert service.due() == []


def test_listing_forgetting_and_deleting_are_per_user(db: Database) -> None:
    today = Today(date(2026, 12, 1))
    service = DeadlineReminders(db, today)
    assert not service.remember(USER, USER, due(date(2026, 11, 30)))  # already past
    service.remember(USER, USER, due())
    service.remember(USER, USER, due(date(2027, 8, 31)))
    service.remember(OTHER_USER, OTHER_USER, due())
    mine = service.listing(USER)
    assert [r.deadline for r in mine] == [DEADLINE, date(2027, 8, 31)]
    assert not service.forget(OTHER_USER, mine[0].id)
    assert service.forget(USER, mine[0].id)
    assert service.delete_user(USER) == 1
    assert service.listing(USER) == [] and len(service.listing(OTHER_USER)) == 1


def test_my_data_shows_and_deletes_the_remembered_deadlines(db: Database, clock: FakeClock) -> None:
    service = DeadlineReminders(db, Today(date(2026, 12, 1)))
    service.remember(USER, USER, due())
    privacy = PrivacyService(db, 180, clock)
    data = privacy.summary(USER)
    assert not data.empty and data.deadline_reminders == 1
    assert "Gemerkte Förderfristen (/fristen): 1" in render_my_data(data, 180)
    privacy.delete_everything(USER)
    assert service.listing(USER) == [] and privacy.summary(USER).empty
