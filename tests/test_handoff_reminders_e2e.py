"""Reminders through the fake Bot API: the wording follows the real time left, a booking three
hours ahead gets no 'morgen' reminder, and a delivery that fails is retried, never lost and
never sent twice. Time is a FakeClock; the sweep job is run directly, nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.booking.berlin import to_berlin
from bot.booking.reminders import RETRY_BACKOFF
from bot.context import Handoff, build_context
from bot.telegram import build_application, serve
from bot.telegram.jobs import REMINDER_JOB
from tests.conftest import SettingsFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.handoff_fixtures import FakeClock, open_case
from tests.telegram_harness import RunningBot, bot_overrides

USER = 1001
LATER_USER = 1003
ADVISOR = 2001


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        for user in (USER, LATER_USER, ADVISOR):
            server.private_chat(user)
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def bot(
    tg: FakeTelegram, settings_factory: SettingsFactory, clock: FakeClock
) -> AsyncIterator[tuple[RunningBot, Handoff]]:
    settings = settings_factory(**bot_overrides(tg), advisor_ids=str(ADVISOR), telegram_retries=0)
    services = build_context(settings, store_conversations=True, clock=clock)
    app = build_application(settings, services)
    tg.release_polls(False)
    async with serve(app):
        try:
            yield RunningBot(tg, app, services), services.handoff
        finally:
            tg.release_polls()


def _book(
    running: RunningBot, handoff: Handoff, clock: FakeClock, user: int, ahead: timedelta
) -> datetime:
    case_id = open_case(running.services.db, clock, handoff.advisors, user)
    assert handoff.cases.claim(case_id, ADVISOR, "Anna").won
    slot = handoff.slots.add(ADVISOR, clock.now + ahead, 45, "video")
    handoff.bookings.book(slot.id, case_id, user)
    return slot.starts_at


def _reminders(tg: FakeTelegram, chat: int) -> list[str]:
    return [m.plain for m in tg.messages(chat) if "Erinnerung" in m.plain]


async def test_reminder_words_skip_and_retry(
    bot: tuple[RunningBot, Handoff], clock: FakeClock
) -> None:
    running, handoff = bot
    tg = running.tg
    (sweep,) = running.app.job_queue.get_jobs_by_name(REMINDER_JOB)  # type: ignore[union-attr]

    # booked three hours ahead: no 24-hour reminder ("morgen") now, the short one later
    soon = _book(running, handoff, clock, USER, timedelta(hours=3))
    later = _book(running, handoff, clock, LATER_USER, timedelta(days=3))
    await sweep.run(running.app)
    assert _reminders(tg, USER) == [] and _reminders(tg, LATER_USER) == []
    clock.now = soon - timedelta(minutes=58)
    await sweep.run(running.app)
    (short,) = _reminders(tg, USER)
    assert "Ihre Beratung ist in einer Stunde" in short and "morgen" not in short

    # the 24-hour reminder of the later booking: the first delivery fails (connection dropped)
    clock.now = later - timedelta(hours=24)
    tg.fail_next("sendMessage", "drop")
    await sweep.run(running.app)
    assert _reminders(tg, LATER_USER) == []
    assert any(name == "sendMessage!drop" for name, _ in tg.requests)
    await sweep.run(running.app)  # within the backoff: not yet
    assert _reminders(tg, LATER_USER) == []
    clock.advance(RETRY_BACKOFF[0])
    await sweep.run(running.app)
    (day,) = _reminders(tg, LATER_USER)
    berlin = to_berlin(later)
    assert f"Ihre Beratung ist morgen um {berlin:%H:%M} Uhr" in day
    for _ in range(2):  # never twice
        await sweep.run(running.app)
    assert len(_reminders(tg, LATER_USER)) == 1
    advisor = _reminders(tg, ADVISOR)
    assert len(advisor) == 2 and "morgen um" in advisor[1]

    # the short reminder of that booking, sent late: it names the minutes really left
    clock.now = later - timedelta(hours=3)
    await sweep.run(running.app)
    assert len(_reminders(tg, LATER_USER)) == 1  # 24 h sent already; 1 h not yet due
    clock.now = later - timedelta(minutes=10)
    await sweep.run(running.app)
    assert "Ihre Beratung ist in 10 Minuten" in _reminders(tg, LATER_USER)[-1]
    assert tg.errors == []


async def test_missed_day_reminder_says_how_many_hours_are_left(
    bot: tuple[RunningBot, Handoff], clock: FakeClock
) -> None:
    running, handoff = bot
    tg = running.tg
    (sweep,) = running.app.job_queue.get_jobs_by_name(REMINDER_JOB)  # type: ignore[union-attr]
    start = _book(running, handoff, clock, USER, timedelta(days=2))
    clock.now = start - timedelta(hours=3)  # the bot was down for a day
    await sweep.run(running.app)
    (reminder,) = _reminders(tg, USER)
    assert "Ihre Beratung ist in 3 Stunden" in reminder
    assert "morgen" not in reminder
