"""Races across processes: two SQLAlchemy engines (as two bot processes would have) book for one
case and add overlapping slots at the same moment. The database must let exactly one through and
the loser must get a clear German message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from bot.booking.bookings import ALREADY_BOOKED, TAKEN, BookingService
from bot.booking.slots import SlotError, SlotService
from bot.handoff.advisors import Advisors
from bot.handoff.cases import CaseService
from bot.handoff.errors import HandoffError
from bot.store.database import Database
from bot.store.handoff_models import Booking, Slot
from tests.handoff_fixtures import ADVISOR_A, USER, FakeClock, _truncate, open_case

ROUNDS = 30


@pytest.fixture(params=["sqlite", "postgresql"])
def two_engines(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Database, Database]]:
    """Two Database objects (two engines, two pools) on the same database."""
    import bot.store.handoff_models  # noqa: F401

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
        first = Database(url)
    else:
        url = request.getfixturevalue("pg_url")
        first = Database(url)
        _truncate(first)
    second = Database(url, run_migrations=False)
    yield first, second
    first.dispose()
    second.dispose()


def _at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in parallel threads released by one barrier; return results or errors."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> object:
        barrier.wait()
        try:
            return call()
        except HandoffError as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_one_case_gets_one_booking_across_engines(
    two_engines: tuple[Database, Database], clock: FakeClock, advisors: Advisors
) -> None:
    first, second = two_engines
    case_id = open_case(first, clock, advisors, USER)
    assert CaseService(first, advisors, clock).claim(case_id, ADVISOR_A, "Anna").won
    slots = SlotService(first, clock)
    start = clock.now + timedelta(days=2)
    a = slots.add(ADVISOR_A, start, 30, "video").id
    b = slots.add(ADVISOR_A, start + timedelta(hours=1), 30, "video").id
    services = (BookingService(first, clock), BookingService(second, clock))
    doubled = 0
    for _ in range(ROUNDS):
        results = _at_once(
            [
                lambda: services[0].book(a, case_id, USER),
                lambda: services[1].book(b, case_id, USER),
            ]
        )
        with first.session() as session:
            count = session.scalar(select(func.count(Booking.id)).where(Booking.case_id == case_id))
            session.execute(delete(Booking))
        doubled += count != 1
        losers = [r for r in results if isinstance(r, HandoffError)]
        assert len(losers) == 1, results
        assert losers[0].user_message in (ALREADY_BOOKED, TAKEN)
    assert doubled == 0


def test_one_slot_is_booked_once_by_two_cases(
    two_engines: tuple[Database, Database], clock: FakeClock, advisors: Advisors
) -> None:
    first, second = two_engines
    cases = []
    for user in (USER, USER + 100):
        case_id = open_case(first, clock, advisors, user)
        assert CaseService(first, advisors, clock).claim(case_id, ADVISOR_A, "Anna").won
        cases.append((case_id, user))
    slot = SlotService(first, clock).add(ADVISOR_A, clock.now + timedelta(days=2), 30, "video")
    services = (BookingService(first, clock), BookingService(second, clock))
    for _ in range(ROUNDS // 3):
        results = _at_once(
            [
                lambda: services[0].book(slot.id, cases[0][0], cases[0][1]),
                lambda: services[1].book(slot.id, cases[1][0], cases[1][1]),
            ]
        )
        losers = [r for r in results if isinstance(r, HandoffError)]
        assert len(losers) == 1 and losers[0].user_message == TAKEN, results
        with first.session() as session:
            assert session.scalar(select(func.count(Booking.id))) == 1
            session.execute(delete(Booking))


def test_overlapping_slots_of_one_advisor_across_engines(
    two_engines: tuple[Database, Database], clock: FakeClock
) -> None:
    first, second = two_engines
    services = (SlotService(first, clock), SlotService(second, clock))
    for round_no in range(ROUNDS):
        start = clock.now + timedelta(days=1 + round_no)
        results = _at_once(
            [
                lambda start=start: services[0].add(ADVISOR_A, start, 60, "video"),
                lambda start=start: services[1].add(
                    ADVISOR_A, start + timedelta(minutes=30), 60, "telefon"
                ),
            ]
        )
        losers = [r for r in results if isinstance(r, HandoffError)]
        assert len(losers) == 1, results
        assert isinstance(losers[0], SlotError)
        assert "überschneidet sich" in losers[0].user_message
    with first.session() as session:
        assert session.scalar(select(func.count(Slot.id))) == ROUNDS
