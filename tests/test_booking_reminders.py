"""Reminders: words that fit the real time left, no 24-hour reminder for a booking made closer
than that, claimed before sending, marked sent only after delivery, retried with backoff.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.booking.berlin import parse_local
from bot.booking.bookings import BookingService
from bot.booking.reminders import LEASE, RETRY_BACKOFF, Lead, Reminder, ReminderService, time_left
from bot.booking.slots import SlotService
from bot.handoff.advisors import Advisors
from bot.handoff.cases import CaseService
from bot.store.database import Database
from tests.handoff_fixtures import ADVISOR_A, USER, FakeClock, _truncate, open_case

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


@pytest.mark.parametrize(
    ("ahead", "words"),
    [
        (timedelta(hours=3), "in 3 Stunden"),
        (timedelta(hours=5, minutes=10), "in 5 Stunden"),
        (timedelta(minutes=59), "in einer Stunde"),
        (timedelta(minutes=20), "in 20 Minuten"),
        (timedelta(seconds=40), "in einer Minute"),
        (timedelta(hours=7), "heute um 17:00 Uhr"),
        (timedelta(hours=24), "morgen um 10:00 Uhr"),
        (timedelta(hours=14), "morgen um 00:00 Uhr"),
        (timedelta(days=2), "am Donnerstag, 03.12., um 10:00 Uhr"),
    ],
)
def test_time_left_in_german(ahead: timedelta, words: str) -> None:
    assert time_left(NOW + ahead, NOW) == words


def _booked(db: Database, clock: FakeClock, advisors: Advisors, ahead: timedelta) -> datetime:
    case_id = open_case(db, clock, advisors, USER)
    assert CaseService(db, advisors, clock).claim(case_id, ADVISOR_A, "Anna").won
    start = clock.now + ahead
    slot = SlotService(db, clock).add(ADVISOR_A, start, 45, "video")
    BookingService(db, clock).book(slot.id, case_id, USER)
    return start


def test_claimed_reminder_is_sent_once_and_retried_with_backoff(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    reminders = ReminderService(db, clock)
    start = _booked(db, clock, advisors, timedelta(days=3))
    clock.now = start - timedelta(hours=24)
    (day,) = reminders.due()
    assert day.lead == Lead.DAY
    assert reminders.claim(day) is True
    assert reminders.claim(day) is False  # a second sweep while the first is sending
    # delivery failed: not marked, due again after the backoff, not before
    retry_at = reminders.retry_later(day)
    assert retry_at == clock.now + RETRY_BACKOFF[0]
    assert reminders.due() == []
    clock.advance(RETRY_BACKOFF[0])
    (again,) = reminders.due()
    assert reminders.claim(again) is True
    assert reminders.mark_sent(again) is True
    assert reminders.claim(again) is False and reminders.mark_sent(again) is False
    assert [r.lead for r in reminders.plan()] == [Lead.HOUR]


def test_a_reminder_is_given_up_after_the_last_retry(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    reminders = ReminderService(db, clock)
    start = _booked(db, clock, advisors, timedelta(days=3))
    clock.now = start - timedelta(hours=23)
    for wait in RETRY_BACKOFF:
        (day,) = reminders.due()
        assert reminders.claim(day)
        assert reminders.retry_later(day) == clock.now + wait
        clock.advance(wait)
    (day,) = reminders.due()
    assert reminders.claim(day)
    assert reminders.retry_later(day) is None
    assert [r.lead for r in reminders.plan()] == [Lead.HOUR]


@pytest.fixture(params=["sqlite", "postgresql"])
def two_engines(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Database, Database]]:
    import bot.store.handoff_models  # noqa: F401

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reminders.sqlite3'}"
        first = Database(url)
    else:
        url = request.getfixturevalue("pg_url")
        first = Database(url)
        _truncate(first)
    second = Database(url, run_migrations=False)
    yield first, second
    first.dispose()
    second.dispose()


def test_two_processes_never_both_claim_a_reminder(
    two_engines: tuple[Database, Database], clock: FakeClock, advisors: Advisors
) -> None:
    first, second = two_engines
    start = _booked(first, clock, advisors, timedelta(days=3))
    clock.now = start - timedelta(hours=2)
    services = [ReminderService(first, clock), ReminderService(second, clock)]
    wins = 0
    for _ in range(10):
        (reminder,) = services[0].due()
        barrier = threading.Barrier(2)

        def claim(
            service: ReminderService,
            reminder: Reminder = reminder,
            barrier: threading.Barrier = barrier,
        ) -> bool:
            barrier.wait()
            return service.claim(reminder)

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(claim, services))
        assert sorted(results) == [False, True]
        wins += 1
        assert reminder.lead == Lead.DAY
        clock.advance(LEASE + timedelta(seconds=1))  # the winner "crashed": its lease runs out
    assert wins == 10


def test_booking_exactly_a_day_ahead_gets_only_the_short_reminder(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    """A booking made exactly 24 h ahead gets no 24 h reminder (it would arrive at once)."""
    reminders = ReminderService(db, clock)
    clock.now = parse_local("2026-12-02T10:00")
    _booked(db, clock, advisors, timedelta(hours=24))
    assert [r.lead for r in reminders.plan()] == [Lead.HOUR]
