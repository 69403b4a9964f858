"""Bookings: no double booking (also under concurrency), forged requests, cancel/move, .ics, reminders."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from bot.booking.berlin import parse_local
from bot.booking.bookings import BookingService
from bot.booking.ics import invitation
from bot.booking.reminders import Lead, ReminderService
from bot.booking.slots import SlotError, SlotService
from bot.errors import InputRejected
from bot.handoff.advisors import Advisors
from bot.handoff.cases import CaseService
from bot.handoff.errors import HandoffError, NotAuthorised, SlotTaken, StaleAction
from bot.store.database import Database
from tests.handoff_fixtures import ADVISOR_A, ADVISOR_B, OTHER_USER, USER, FakeClock, open_case


def _claimed_case(
    db: Database, clock: FakeClock, advisors: Advisors, user: int, advisor: int = ADVISOR_A
) -> int:
    case_id = open_case(db, clock, advisors, user)
    assert CaseService(db, advisors, clock).claim(case_id, advisor, f"Berater {advisor}").won
    return case_id


def test_book_and_cancel_frees_the_slot(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    case_id = _claimed_case(db, clock, advisors, USER)
    slot = slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video")
    booking = bookings.book(slot.id, case_id, USER)
    assert booking.starts_at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert booking.advisor_name == f"Berater {ADVISOR_A}" and booking.user_chat_id == USER
    assert slots.get(slot.id).booked  # type: ignore[union-attr]
    assert slots.free_page(ADVISOR_A, 0).slots == []
    assert [b.id for b in bookings.upcoming(USER)] == [booking.id]
    assert [b.id for b in bookings.upcoming(ADVISOR_A)] == [booking.id]
    with pytest.raises(SlotError, match="gebucht"):
        slots.remove(slot.id)
    with pytest.raises(NotAuthorised):
        bookings.cancel(booking.id, OTHER_USER)
    cancellation = bookings.cancel(booking.id, USER)
    assert cancellation.by_advisor is False and cancellation.other_side_chat_id == ADVISOR_A
    assert [s.id for s in slots.free_page(ADVISOR_A, 0).slots] == [slot.id]
    with pytest.raises(StaleAction):
        bookings.cancel(booking.id, USER)


def test_advisor_cancel_tells_the_user(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    case_id = _claimed_case(db, clock, advisors, USER)
    slot = slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video")
    booking = bookings.book(slot.id, case_id, USER)
    cancellation = bookings.cancel(booking.id, ADVISOR_A)
    assert cancellation.by_advisor and cancellation.other_side_chat_id == USER


def test_second_booking_of_a_slot_is_refused(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    first = _claimed_case(db, clock, advisors, USER)
    second = _claimed_case(db, clock, advisors, OTHER_USER)
    slot = slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video")
    bookings.book(slot.id, first, USER)
    with pytest.raises(SlotTaken) as taken:
        bookings.book(slot.id, second, OTHER_USER)
    assert "vergeben" in taken.value.user_message


def test_concurrent_clicks_book_a_slot_once(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    """Many users press the same slot at once (threads, one connection each): one booking."""
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    users = list(range(5000, 5008))
    cases = {user: _claimed_case(db, clock, advisors, user) for user in users}
    slot = slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video")
    barrier = threading.Barrier(len(users))

    def book(user: int) -> str:
        barrier.wait()
        try:
            bookings.book(slot.id, cases[user], user)
        except SlotTaken:
            return "taken"
        return "booked"

    with ThreadPoolExecutor(len(users)) as pool:
        outcomes = list(pool.map(book, users))
    assert sorted(outcomes) == ["booked"] + ["taken"] * (len(users) - 1)
    with db.session() as session:
        from sqlalchemy import func, select

        from bot.store.handoff_models import Booking

        assert session.scalar(select(func.count()).select_from(Booking)) == 1


async def test_concurrent_tasks_double_booking_race(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    """The same race as asyncio tasks (the way the bot calls the store via to_thread)."""
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    users = [6001, 6002, 6003, 6004]
    cases = {user: _claimed_case(db, clock, advisors, user) for user in users}
    slot = slots.add(ADVISOR_A, parse_local("2026-12-04T10:00"), 45, "telefon")
    results = await asyncio.gather(
        *(asyncio.to_thread(bookings.book, slot.id, cases[u], u) for u in users),
        return_exceptions=True,
    )
    booked = [r for r in results if not isinstance(r, BaseException)]
    assert len(booked) == 1
    assert all(isinstance(r, SlotTaken) for r in results if isinstance(r, BaseException))


def test_forged_requests_cannot_book(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    mine = _claimed_case(db, clock, advisors, USER)
    theirs = _claimed_case(db, clock, advisors, OTHER_USER, ADVISOR_B)
    a_slot = slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video")
    b_slot = slots.add(ADVISOR_B, parse_local("2026-12-03T10:00"), 45, "video")
    with pytest.raises(NotAuthorised):  # somebody else's case
        bookings.book(b_slot.id, theirs, USER)
    with pytest.raises(NotAuthorised):  # a slot of an advisor who does not hold the case
        bookings.book(b_slot.id, mine, USER)
    with pytest.raises(StaleAction):  # a slot that does not exist
        bookings.book(9999, mine, USER)
    unclaimed = open_case(db, clock, advisors, 7777)
    with pytest.raises(StaleAction):
        bookings.book(a_slot.id, unclaimed, 7777)
    booking = bookings.book(a_slot.id, mine, USER)
    with pytest.raises(NotAuthorised):
        bookings.move(booking.id, a_slot.id, OTHER_USER)
    assert not slots.get(b_slot.id).booked  # type: ignore[union-attr]


def test_past_slots_and_second_booking_per_case(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    case_id = _claimed_case(db, clock, advisors, USER)
    soon = slots.add(ADVISOR_A, clock.now + timedelta(hours=2), 30, "telefon")
    later = slots.add(ADVISOR_A, clock.now + timedelta(days=2), 30, "telefon")
    bookings.book(later.id, case_id, USER)
    with pytest.raises(StaleAction, match="bereits einen Termin"):
        bookings.book(soon.id, case_id, USER)
    clock.advance(timedelta(hours=3))
    other = _claimed_case(db, clock, advisors, OTHER_USER)
    with pytest.raises(StaleAction, match="Vergangenheit"):
        bookings.book(soon.id, other, OTHER_USER)


def test_move_is_atomic(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    mine = _claimed_case(db, clock, advisors, USER)
    other = _claimed_case(db, clock, advisors, OTHER_USER)
    first = slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video")
    second = slots.add(ADVISOR_A, parse_local("2026-12-03T11:00"), 45, "video")
    third = slots.add(ADVISOR_A, parse_local("2026-12-03T12:00"), 45, "video")
    booking = bookings.book(first.id, mine, USER)
    bookings.book(third.id, other, OTHER_USER)
    with pytest.raises(SlotTaken):
        bookings.move(booking.id, third.id, USER)
    assert slots.get(first.id).booked  # type: ignore[union-attr]  (unchanged after failure)
    cancelled, moved = bookings.move(booking.id, second.id, USER)
    assert cancelled.booking.slot_id == first.id and moved.slot_id == second.id
    assert cancelled.other_side_chat_id == ADVISOR_A
    assert not slots.get(first.id).booked and slots.get(second.id).booked  # type: ignore[union-attr]


def test_ics_invitation(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    case_id = _claimed_case(db, clock, advisors, USER)
    slot = slots.add(ADVISOR_A, parse_local("2027-10-31T01:30"), 90, "telefon")
    booking = bookings.book(slot.id, case_id, USER)
    calendar = Calendar.from_ical(invitation(booking))
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2027, 10, 30, 23, 30, tzinfo=UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=90)
    assert f"Anfrage #{case_id}" in str(event["summary"])
    assert "Telefon" in str(event["description"])
    cancel = Calendar.from_ical(invitation(booking, cancelled=True))
    assert str(cancel["method"]) == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["uid"]) == str(event["uid"])


def test_reminders_24h_and_1h_once_each(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    reminders = ReminderService(db, clock)
    case_id = _claimed_case(db, clock, advisors, USER)
    start = clock.now + timedelta(days=3)
    booking = bookings.book(slots.add(ADVISOR_A, start, 45, "video").id, case_id, USER)
    plan = reminders.plan()
    assert [(r.lead, r.due) for r in plan] == [
        (Lead.DAY, start - timedelta(hours=24)),
        (Lead.HOUR, start - timedelta(hours=1)),
    ]
    assert reminders.due() == []
    clock.now = start - timedelta(hours=23)
    due = reminders.due()
    assert [r.lead for r in due] == [Lead.DAY] and due[0].booking.id == booking.id
    assert reminders.mark_sent(due[0]) is True
    assert reminders.mark_sent(due[0]) is False
    assert reminders.due() == []
    # rebuilt after a "restart": a new service over the same database knows what is left
    assert [r.lead for r in ReminderService(db, clock).plan()] == [Lead.HOUR]
    clock.now = start - timedelta(minutes=30)
    hourly = reminders.due()
    assert [r.lead for r in hourly] == [Lead.HOUR]
    assert reminders.mark_sent(hourly[0]) is True
    clock.now = start + timedelta(minutes=1)
    assert reminders.plan() == []


def test_booking_closer_than_a_day_gets_only_the_short_reminder(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    """A booking three hours ahead used to get its 24-hour reminder ('morgen') at once."""
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    reminders = ReminderService(db, clock)
    case_id = _claimed_case(db, clock, advisors, USER)
    start = clock.now + timedelta(hours=3)
    bookings.book(slots.add(ADVISOR_A, start, 45, "video").id, case_id, USER)
    assert reminders.due() == []
    assert [r.lead for r in reminders.plan()] == [Lead.HOUR]
    clock.now = start - timedelta(minutes=50)
    due = reminders.due()
    assert [r.lead for r in due] == [Lead.HOUR]
    reminders.mark_sent(due[0])
    assert reminders.plan() == []


def test_missed_day_reminder_is_skipped_when_hour_is_due(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    reminders = ReminderService(db, clock)
    case_id = _claimed_case(db, clock, advisors, USER)
    start = clock.now + timedelta(days=3)
    bookings.book(slots.add(ADVISOR_A, start, 45, "video").id, case_id, USER)
    clock.now = start - timedelta(minutes=50)  # the bot was down when the 24 h one was due
    due = reminders.due()
    assert [r.lead for r in due] == [Lead.HOUR]
    reminders.mark_sent(due[0])
    assert reminders.plan() == []  # the 24 h one is settled too


def test_cancelled_booking_has_no_reminders(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    reminders = ReminderService(db, clock)
    case_id = _claimed_case(db, clock, advisors, USER)
    start = clock.now + timedelta(hours=30)
    booking = bookings.book(slots.add(ADVISOR_A, start, 45, "video").id, case_id, USER)
    clock.now = start - timedelta(hours=23)
    due = reminders.due()
    assert [r.lead for r in due] == [Lead.DAY]
    bookings.cancel(booking.id, USER)
    assert reminders.plan() == []
    assert reminders.claim(due[0]) is False
    assert reminders.mark_sent(due[0]) is False


def test_errors_carry_german_messages(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    """Each refusal is a HandoffError whose user_message is the German text the adapter shows."""
    slots, bookings = SlotService(db, clock), BookingService(db, clock)
    mine = _claimed_case(db, clock, advisors, USER)
    theirs = _claimed_case(db, clock, advisors, OTHER_USER)
    slot = slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video")
    booking = bookings.book(slot.id, mine, USER)
    refusals: list[tuple[Callable[[], object], type[HandoffError], str]] = [
        (
            lambda: bookings.book(slot.id, theirs, OTHER_USER),
            SlotTaken,
            "Dieser Termin ist leider gerade vergeben worden. Bitte wählen Sie einen anderen.",
        ),
        (
            lambda: bookings.book(slot.id, theirs, USER),
            NotAuthorised,
            "Diese Auswahl gehört nicht zu Ihrer Anfrage.",
        ),
        (
            lambda: bookings.cancel(booking.id, OTHER_USER),
            NotAuthorised,
            "Diesen Termin können Sie nicht absagen.",
        ),
        (lambda: bookings.cancel(9999, USER), StaleAction, "Diesen Termin gibt es nicht mehr."),
    ]
    for action, kind, message in refusals:
        with pytest.raises(kind) as refused:
            action()
        assert isinstance(refused.value, InputRejected)
        assert refused.value.user_message == message
        assert str(refused.value) == message
